"""Approved comments join the search index (see advice.search).

An article's approved comments become one more, lowest-weighted part of its
search document, kept current by triggers on ``advice_comment`` (insert,
status change, body edit, delete). SQLite: the FTS5 table gets a
``comments`` column (FTS5 cannot add a column, so the table is dropped and
rebuilt). PostgreSQL: the side table gets a ``comments`` tsvector and the GIN
index covers ``document || comments``. No model state changes, so
makemigrations sees nothing. Migration 0003 is left as it was: it may already
be applied; this one upgrades whatever it made.

Reverse: nothing is undone. The current code always reads the comments
column, so the index keeps it (rolling back to 0003 leaves a working index).
"""

from django.db import migrations


def install(apps, schema_editor):
    from advice.search import search_index_install

    search_index_install(schema_editor.connection, rebuild=True)


class Migration(migrations.Migration):
    dependencies = [("advice", "0003_search")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
