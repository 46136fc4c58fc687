"""Full-text search index kept by the database (see advice.search).

SQLite: an FTS5 table with triggers; PostgreSQL: a tsvector side table with a
GIN index and trigger functions. No model state changes, so makemigrations
sees nothing on either backend.

The SQL below is frozen here (STYLE.md: migrations hold what they run). It
is what this migration installed while it still imported advice.search —
by then the shape of migration 0004 (approved comments in the article's
row) — so a fresh database migrates exactly as it did before the freeze.
Migration 0006 replaces it with one index row per comment.
"""

from django.db import migrations

# fmt: off
SQLITE_INSTALL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS advice_article_fts USING fts5(title, question, answer, topics, comments, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS advice_article_fts_insert\n    AFTER INSERT ON advice_article BEGIN\n      INSERT INTO advice_article_fts (rowid, title, question, answer, topics, comments) VALUES (new.id, new.title, new.question, new.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.id), ''), coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = new.id AND c.status = 'approved'), ''));\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_fts_update\n    AFTER UPDATE OF id, title, question, answer ON advice_article BEGIN\n      DELETE FROM advice_article_fts WHERE rowid = old.id;\n      INSERT INTO advice_article_fts (rowid, title, question, answer, topics, comments) VALUES (new.id, new.title, new.question, new.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.id), ''), coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = new.id AND c.status = 'approved'), ''));\n    END",
    'CREATE TRIGGER IF NOT EXISTS advice_article_fts_delete\n    AFTER DELETE ON advice_article BEGIN\n      DELETE FROM advice_article_fts WHERE rowid = old.id;\n    END',
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_insert\n    AFTER INSERT ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.article_id), '')\n      WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_delete\n    AFTER DELETE ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = old.article_id), '')\n      WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_update\n    AFTER UPDATE ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = old.article_id), '')\n      WHERE rowid = old.article_id;\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.article_id), '')\n      WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_topic_fts_update\n    AFTER UPDATE OF name ON advice_topic BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = advice_article_fts.rowid), '')\n      WHERE rowid IN (SELECT article_id FROM advice_article_topics WHERE topic_id = new.id);\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_insert\n    AFTER INSERT ON advice_comment WHEN new.status = 'approved' BEGIN\n      UPDATE advice_article_fts SET comments = coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = new.article_id AND c.status = 'approved'), '') WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_delete\n    AFTER DELETE ON advice_comment WHEN old.status = 'approved' BEGIN\n      UPDATE advice_article_fts SET comments = coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = old.article_id AND c.status = 'approved'), '') WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_update\n    AFTER UPDATE OF status, body, article_id ON advice_comment\n    WHEN old.status = 'approved' OR new.status = 'approved' BEGIN\n      UPDATE advice_article_fts SET comments = coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = old.article_id AND c.status = 'approved'), '') WHERE rowid = old.article_id;\n      UPDATE advice_article_fts SET comments = coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = new.article_id AND c.status = 'approved'), '') WHERE rowid = new.article_id;\n    END",
]

SQLITE_REBUILD = [
    'DELETE FROM advice_article_fts',
    "INSERT INTO advice_article_fts (rowid, title, question, answer, topics, comments) SELECT a.id, a.title, a.question, a.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id), ''), coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c WHERE c.article_id = a.id AND c.status = 'approved'), '') FROM advice_article a",
]

SQLITE_UNINSTALL = [
    'DROP TRIGGER IF EXISTS advice_article_fts_insert',
    'DROP TRIGGER IF EXISTS advice_article_fts_update',
    'DROP TRIGGER IF EXISTS advice_article_fts_delete',
    'DROP TRIGGER IF EXISTS advice_article_topics_fts_insert',
    'DROP TRIGGER IF EXISTS advice_article_topics_fts_delete',
    'DROP TRIGGER IF EXISTS advice_article_topics_fts_update',
    'DROP TRIGGER IF EXISTS advice_topic_fts_update',
    'DROP TRIGGER IF EXISTS advice_comment_fts_insert',
    'DROP TRIGGER IF EXISTS advice_comment_fts_delete',
    'DROP TRIGGER IF EXISTS advice_comment_fts_update',
    'DROP TABLE IF EXISTS advice_article_fts',
]

PG_INSTALL = [
    "CREATE TABLE IF NOT EXISTS advice_article_search (\n      article_id bigint PRIMARY KEY,\n      document tsvector NOT NULL,\n      comments tsvector NOT NULL DEFAULT ''\n    )",
    "ALTER TABLE advice_article_search ADD COLUMN IF NOT EXISTS comments tsvector NOT NULL DEFAULT ''",
    'DROP INDEX IF EXISTS advice_article_search_document',
    'CREATE INDEX IF NOT EXISTS advice_article_search_all ON advice_article_search USING gin ((document || comments))',
    "CREATE OR REPLACE FUNCTION advice_unaccent(text) RETURNS text\n    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\n    AS $$ SELECT CASE WHEN $1 ~ '[\\u00c0-\\u024f]'\n      THEN translate($1, 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĲĳĴĵĶķĹĺĻļĽľĿŀŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǄǅǆǇǈǉǊǋǌǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǱǲǳǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ', 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIIiJjKkLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzsOoUuDDdLLlNNnAaIiOoUuUuUuUuUuAaAaGgKkOoOojDDdGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy') ELSE $1 END $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_refresh(ids bigint[]) RETURNS void\n    LANGUAGE sql AS $$\n      INSERT INTO advice_article_search (article_id, document, comments)\n      SELECT a.id,\n        setweight(to_tsvector('english', advice_unaccent(a.title)), 'A')\n        || setweight(to_tsvector('english', advice_unaccent(coalesce(\n             (SELECT string_agg(t.name, ' ') FROM advice_topic t\n              JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id),\n             ''))), 'B')\n        || setweight(to_tsvector('english', advice_unaccent(a.question)), 'C')\n        || setweight(to_tsvector('english', advice_unaccent(a.answer)), 'D'),\n        to_tsvector('english', advice_unaccent(coalesce(\n          (SELECT string_agg(c.body, ' ') FROM advice_comment c\n           WHERE c.article_id = a.id AND c.status = 'approved'),\n          '')))\n      FROM advice_article a WHERE a.id = ANY(ids)\n      ON CONFLICT (article_id)\n      DO UPDATE SET document = EXCLUDED.document, comments = EXCLUDED.comments\n    $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_on_article() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'TRUNCATE' THEN\n        TRUNCATE advice_article_search;\n      ELSIF TG_OP = 'DELETE' THEN\n        DELETE FROM advice_article_search WHERE article_id = OLD.id;\n      ELSE\n        PERFORM advice_article_search_refresh(ARRAY[NEW.id]);\n      END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_on_article_topic() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'DELETE' THEN\n        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id]);\n      ELSIF TG_OP = 'UPDATE' THEN\n        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id, NEW.article_id]);\n      ELSE\n        PERFORM advice_article_search_refresh(ARRAY[NEW.article_id]);\n      END IF;\n      RETURN NULL;\n    END $$",
    'CREATE OR REPLACE FUNCTION advice_article_search_on_topic() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      PERFORM advice_article_search_refresh(ARRAY(\n        SELECT article_id FROM advice_article_topics WHERE topic_id = NEW.id));\n      RETURN NULL;\n    END $$',
    "CREATE OR REPLACE FUNCTION advice_article_search_on_comment() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'TRUNCATE' THEN\n        UPDATE advice_article_search SET comments = '' WHERE comments <> '';\n      ELSIF TG_OP = 'INSERT' THEN\n        PERFORM advice_article_search_refresh(ARRAY(\n          SELECT DISTINCT article_id FROM new_rows WHERE status = 'approved'));\n      ELSIF TG_OP = 'DELETE' THEN\n        PERFORM advice_article_search_refresh(ARRAY(\n          SELECT DISTINCT article_id FROM old_rows WHERE status = 'approved'));\n      ELSE\n        PERFORM advice_article_search_refresh(ARRAY(\n          SELECT unnest(ARRAY[o.article_id, n.article_id])\n          FROM old_rows o JOIN new_rows n ON n.id = o.id\n          WHERE (o.status = 'approved' OR n.status = 'approved')\n            AND (o.status, o.body, o.article_id) IS DISTINCT FROM\n                (n.status, n.body, n.article_id)));\n      END IF;\n      RETURN NULL;\n    END $$",
    'CREATE OR REPLACE TRIGGER advice_article_search_article\n    AFTER INSERT OR DELETE OR UPDATE OF id, title, question, answer ON advice_article\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article()',
    'CREATE OR REPLACE TRIGGER advice_article_search_article_truncate\n    AFTER TRUNCATE ON advice_article\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_article()',
    'CREATE OR REPLACE TRIGGER advice_article_search_article_topic\n    AFTER INSERT OR DELETE OR UPDATE ON advice_article_topics\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article_topic()',
    'CREATE OR REPLACE TRIGGER advice_article_search_topic\n    AFTER UPDATE OF name ON advice_topic\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_topic()',
    'CREATE OR REPLACE TRIGGER advice_article_search_comment_insert\n    AFTER INSERT ON advice_comment REFERENCING NEW TABLE AS new_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()',
    'CREATE OR REPLACE TRIGGER advice_article_search_comment_update\n    AFTER UPDATE ON advice_comment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()',
    'CREATE OR REPLACE TRIGGER advice_article_search_comment_delete\n    AFTER DELETE ON advice_comment REFERENCING OLD TABLE AS old_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()',
    'CREATE OR REPLACE TRIGGER advice_article_search_comment_truncate\n    AFTER TRUNCATE ON advice_comment\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()',
]

PG_REBUILD = [
    'TRUNCATE advice_article_search',
    'SELECT advice_article_search_refresh(ARRAY(SELECT id FROM advice_article))',
]

PG_UNINSTALL = [
    'DROP TRIGGER IF EXISTS advice_article_search_article ON advice_article',
    'DROP TRIGGER IF EXISTS advice_article_search_article_truncate ON advice_article',
    'DROP TRIGGER IF EXISTS advice_article_search_article_topic ON advice_article_topics',
    'DROP TRIGGER IF EXISTS advice_article_search_topic ON advice_topic',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_insert ON advice_comment',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_update ON advice_comment',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_delete ON advice_comment',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_truncate ON advice_comment',
    'DROP FUNCTION IF EXISTS advice_article_search_on_comment()',
    'DROP FUNCTION IF EXISTS advice_article_search_on_topic()',
    'DROP FUNCTION IF EXISTS advice_article_search_on_article_topic()',
    'DROP FUNCTION IF EXISTS advice_article_search_on_article()',
    'DROP FUNCTION IF EXISTS advice_article_search_refresh(bigint[])',
    'DROP FUNCTION IF EXISTS advice_unaccent(text)',
    'DROP TABLE IF EXISTS advice_article_search',
]

FTS_COLUMNS = ('title', 'question', 'answer', 'topics', 'comments')

# fmt: on


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_fts_columns(connection):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA table_info(advice_article_fts)")
        return tuple(row[1] for row in cursor.fetchall())


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        columns = _sqlite_fts_columns(connection)
        if columns and columns != FTS_COLUMNS:
            _run(connection, ["DROP TABLE advice_article_fts"])
        _run(connection, SQLITE_INSTALL + SQLITE_REBUILD)
    elif connection.vendor == "postgresql":
        _run(connection, PG_INSTALL + PG_REBUILD)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, PG_UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [("advice", "0002_moderators_group")]

    operations = [migrations.RunPython(install, uninstall)]
