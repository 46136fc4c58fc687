"""Full-text search index kept by the database (see advice.search).

SQLite: an FTS5 table with triggers; PostgreSQL: a tsvector side table with a
GIN index and trigger functions. No model state changes, so makemigrations
sees nothing on either backend. The SQL lives in advice.search (one copy,
shared with search_index_ensure, which repairs the SQLite triggers after a
table rebuild); it is idempotent.
"""

from django.db import migrations


def install(apps, schema_editor):
    from advice.search import search_index_install

    search_index_install(schema_editor.connection, rebuild=True)


def uninstall(apps, schema_editor):
    from advice.search import search_index_uninstall

    search_index_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("advice", "0002_moderators_group")]

    operations = [migrations.RunPython(install, uninstall)]
