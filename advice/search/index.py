"""Install, repair and remove the search index (see docs/architecture.md,
``search/``).

The index is made by migrations 0003, 0004 and 0006, which hold their own
SQL; the same statements, today's shape, live in :mod:`advice.search.sqlite`
and :mod:`advice.search.postgres`, and this module runs them. No Django
model field differs per backend, so ``makemigrations`` sees nothing.
:func:`search_index_install` is idempotent; :func:`search_index_ensure`
re-installs and rebuilds when a SQLite table rebuild (Django's
``_remake_table`` on some ``ALTER``\\ s) has dropped the triggers, and is
run after every ``migrate`` (:func:`post_migrate_ensure_search_index`,
connected in ``advice.apps``). On other databases there is no index and
search falls back to ``icontains``.
"""

from __future__ import annotations

from django.db import connection as default_connection

from advice.search import postgres, sqlite


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def search_index_install(connection=default_connection, *, rebuild: bool = True) -> bool:
    """Create the search index, its triggers and (``rebuild``) fill it from
    every article and its approved comments. Idempotent; an index of an
    older shape (migration 0003: no comments; 0004: every comment in the
    article's row) is brought up to date — on SQLite its tables and triggers
    are dropped and made again, on PostgreSQL the old column goes and the
    comment table is added — and rebuilt. Returns ``False`` (doing nothing)
    on a database other than SQLite or PostgreSQL, which then searches with
    a plain ``icontains`` fallback."""
    if connection.vendor == "sqlite":
        if not sqlite.shape_ok(connection):
            _run(connection, sqlite.SQLITE_UNINSTALL)
            rebuild = True
        _run(connection, sqlite.SQLITE_INSTALL + (sqlite.SQLITE_REBUILD if rebuild else []))
    elif connection.vendor == "postgresql":
        _run(connection, postgres.PG_INSTALL + (postgres.PG_REBUILD if rebuild else []))
    else:
        return False
    return True


def search_index_uninstall(connection=default_connection) -> None:
    """Drop the index, its triggers and functions (migration rollback)."""
    if connection.vendor == "sqlite":
        _run(connection, sqlite.SQLITE_UNINSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, postgres.PG_UNINSTALL)


def search_index_ensure(connection=default_connection) -> bool:
    """Re-install and rebuild the index when it is missing, has an older
    shape (before migration 0006) or misses any of its triggers (Django
    rebuilds a SQLite table for many ``ALTER``\\ s, which drops that table's
    triggers — on ``advice_article`` and on ``advice_comment`` alike). Meant
    for ``post_migrate``. Returns ``True`` when it repaired something,
    ``False`` when all was in place or the database is neither SQLite nor
    PostgreSQL."""
    if connection.vendor == "sqlite":
        complete = sqlite.index_complete(connection)
    elif connection.vendor == "postgresql":
        complete = postgres.index_complete(connection)
    else:
        return False
    if complete:
        return False
    return search_index_install(connection, rebuild=True)


def post_migrate_ensure_search_index(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver: :func:`search_index_ensure` on ``using``,
    once the ``advice`` tables exist."""
    from django.db import connections

    connection = connections[using]
    if "advice_article" in connection.introspection.table_names():
        search_index_ensure(connection)
