"""Search index: one row per approved comment (see advice.search).

Before, an article's index row held the text of all its approved comments,
and every change to one approved comment re-read them all (approving the
101st 60,000-character comment on an article took over a second). Now each
approved comment is its own index row, mapping back to its article, so a
comment write indexes that comment alone:

* SQLite: the FTS5 table ``advice_article_fts`` loses its ``comments``
  column (FTS5 cannot drop a column: the table and its triggers are dropped
  and made again) and ``advice_comment_fts(article_id UNINDEXED, body)``
  holds one row per approved comment (rowid = comment id).
* PostgreSQL: ``advice_article_search`` loses its ``comments`` column (and
  the GIN index on ``document || comments``: the index is on ``document``
  again); ``advice_comment_search(comment_id, article_id, body tsvector)``
  with GIN and article indexes, kept by row-level triggers.

Both are rebuilt from the tables. No model state changes, so makemigrations
sees nothing. The SQL is held here (STYLE.md: migrations hold what they
run); advice.search.sqlite and advice.search.postgres have the same statements
for the post-migrate repair (advice.search.index), and
tests/advice/search/test_search_migrations.py checks they are equal.

Reverse: back to the index of migration 0004 (its frozen SQL), rebuilt.
"""

import importlib

from django.db import migrations

# fmt: off
SQLITE_INSTALL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS advice_article_fts USING fts5(title, question, answer, topics, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS advice_comment_fts USING fts5(article_id UNINDEXED, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS advice_article_fts_insert\n    AFTER INSERT ON advice_article BEGIN\n      INSERT INTO advice_article_fts (rowid, title, question, answer, topics) VALUES (new.id, new.title, new.question, new.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.id), ''));\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_fts_update\n    AFTER UPDATE OF id, title, question, answer ON advice_article BEGIN\n      DELETE FROM advice_article_fts WHERE rowid = old.id;\n      INSERT INTO advice_article_fts (rowid, title, question, answer, topics) VALUES (new.id, new.title, new.question, new.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.id), ''));\n    END",
    'CREATE TRIGGER IF NOT EXISTS advice_article_fts_delete\n    AFTER DELETE ON advice_article BEGIN\n      DELETE FROM advice_article_fts WHERE rowid = old.id;\n    END',
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_insert\n    AFTER INSERT ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.article_id), '')\n      WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_delete\n    AFTER DELETE ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = old.article_id), '')\n      WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_update\n    AFTER UPDATE ON advice_article_topics BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = old.article_id), '')\n      WHERE rowid = old.article_id;\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = new.article_id), '')\n      WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_topic_fts_update\n    AFTER UPDATE OF name ON advice_topic BEGIN\n      UPDATE advice_article_fts SET topics = coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = advice_article_fts.rowid), '')\n      WHERE rowid IN (SELECT article_id FROM advice_article_topics WHERE topic_id = new.id);\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_insert\n    AFTER INSERT ON advice_comment WHEN new.status = 'approved' BEGIN\n      INSERT INTO advice_comment_fts (rowid, article_id, body)\n      VALUES (new.id, new.article_id, new.body);\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_delete\n    AFTER DELETE ON advice_comment WHEN old.status = 'approved' BEGIN\n      DELETE FROM advice_comment_fts WHERE rowid = old.id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS advice_comment_fts_update\n    AFTER UPDATE OF id, status, body, article_id ON advice_comment\n    WHEN (old.status = 'approved' OR new.status = 'approved')\n      AND (old.id IS NOT new.id OR old.status IS NOT new.status\n           OR old.article_id IS NOT new.article_id OR old.body IS NOT new.body) BEGIN\n      DELETE FROM advice_comment_fts WHERE rowid = old.id;\n      INSERT INTO advice_comment_fts (rowid, article_id, body)\n      SELECT new.id, new.article_id, new.body WHERE new.status = 'approved';\n    END",
]

SQLITE_REBUILD = [
    'DELETE FROM advice_article_fts',
    "INSERT INTO advice_article_fts (rowid, title, question, answer, topics) SELECT a.id, a.title, a.question, a.answer, coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id), '') FROM advice_article a",
    'DELETE FROM advice_comment_fts',
    "INSERT INTO advice_comment_fts (rowid, article_id, body) SELECT id, article_id, body FROM advice_comment WHERE status = 'approved'",
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
    'DROP TABLE IF EXISTS advice_comment_fts',
    'DROP TABLE IF EXISTS advice_article_fts',
]

PG_INSTALL = [
    'CREATE TABLE IF NOT EXISTS advice_article_search (\n      article_id bigint PRIMARY KEY,\n      document tsvector NOT NULL\n    )',
    'DROP INDEX IF EXISTS advice_article_search_all',
    'ALTER TABLE advice_article_search DROP COLUMN IF EXISTS comments',
    'CREATE INDEX IF NOT EXISTS advice_article_search_document ON advice_article_search USING gin (document)',
    'CREATE TABLE IF NOT EXISTS advice_comment_search (\n      comment_id bigint PRIMARY KEY,\n      article_id bigint NOT NULL,\n      body tsvector NOT NULL\n    )',
    'CREATE INDEX IF NOT EXISTS advice_comment_search_body ON advice_comment_search USING gin (body)',
    'CREATE INDEX IF NOT EXISTS advice_comment_search_article ON advice_comment_search (article_id)',
    "CREATE OR REPLACE FUNCTION advice_unaccent(text) RETURNS text\n    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\n    AS $$ SELECT CASE WHEN $1 ~ '[\\u00c0-\\u024f]'\n      THEN translate($1, 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĲĳĴĵĶķĹĺĻļĽľĿŀŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǄǅǆǇǈǉǊǋǌǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǱǲǳǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ', 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIIiJjKkLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzsOoUuDDdLLlNNnAaIiOoUuUuUuUuUuAaAaGgKkOoOojDDdGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy') ELSE $1 END $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_refresh(ids bigint[]) RETURNS void\n    LANGUAGE sql AS $$\n      INSERT INTO advice_article_search (article_id, document)\n      SELECT a.id,\n        setweight(to_tsvector('english', advice_unaccent(a.title)), 'A')\n        || setweight(to_tsvector('english', advice_unaccent(coalesce(\n             (SELECT string_agg(t.name, ' ') FROM advice_topic t\n              JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id),\n             ''))), 'B')\n        || setweight(to_tsvector('english', advice_unaccent(a.question)), 'C')\n        || setweight(to_tsvector('english', advice_unaccent(a.answer)), 'D')\n      FROM advice_article a WHERE a.id = ANY(ids)\n      ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document\n    $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_on_article() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'TRUNCATE' THEN\n        TRUNCATE advice_article_search;\n      ELSIF TG_OP = 'DELETE' THEN\n        DELETE FROM advice_article_search WHERE article_id = OLD.id;\n      ELSE\n        PERFORM advice_article_search_refresh(ARRAY[NEW.id]);\n      END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION advice_article_search_on_article_topic() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'DELETE' THEN\n        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id]);\n      ELSIF TG_OP = 'UPDATE' THEN\n        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id, NEW.article_id]);\n      ELSE\n        PERFORM advice_article_search_refresh(ARRAY[NEW.article_id]);\n      END IF;\n      RETURN NULL;\n    END $$",
    'CREATE OR REPLACE FUNCTION advice_article_search_on_topic() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      PERFORM advice_article_search_refresh(ARRAY(\n        SELECT article_id FROM advice_article_topics WHERE topic_id = NEW.id));\n      RETURN NULL;\n    END $$',
    "CREATE OR REPLACE FUNCTION advice_article_search_on_comment() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'TRUNCATE' THEN\n        TRUNCATE advice_comment_search;\n        RETURN NULL;\n      END IF;\n      IF TG_OP IN ('UPDATE', 'DELETE') THEN\n        DELETE FROM advice_comment_search WHERE comment_id = OLD.id;\n      END IF;\n      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'approved' THEN\n        INSERT INTO advice_comment_search (comment_id, article_id, body) VALUES (NEW.id, NEW.article_id, to_tsvector('english', advice_unaccent(NEW.body))) ON CONFLICT (comment_id) DO UPDATE SET article_id = EXCLUDED.article_id, body = EXCLUDED.body;\n      END IF;\n      RETURN NULL;\n    END $$",
    'CREATE OR REPLACE TRIGGER advice_article_search_article\n    AFTER INSERT OR DELETE OR UPDATE OF id, title, question, answer ON advice_article\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article()',
    'CREATE OR REPLACE TRIGGER advice_article_search_article_truncate\n    AFTER TRUNCATE ON advice_article\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_article()',
    'CREATE OR REPLACE TRIGGER advice_article_search_article_topic\n    AFTER INSERT OR DELETE OR UPDATE ON advice_article_topics\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article_topic()',
    'CREATE OR REPLACE TRIGGER advice_article_search_topic\n    AFTER UPDATE OF name ON advice_topic\n    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_topic()',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_insert ON advice_comment',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_update ON advice_comment',
    'DROP TRIGGER IF EXISTS advice_article_search_comment_delete ON advice_comment',
    "CREATE TRIGGER advice_article_search_comment_insert\n    AFTER INSERT ON advice_comment\n    FOR EACH ROW WHEN (NEW.status = 'approved')\n    EXECUTE FUNCTION advice_article_search_on_comment()",
    "CREATE TRIGGER advice_article_search_comment_update\n    AFTER UPDATE OF id, status, body, article_id ON advice_comment\n    FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')\n      AND (OLD.id, OLD.status, OLD.article_id, OLD.body)\n          IS DISTINCT FROM (NEW.id, NEW.status, NEW.article_id, NEW.body))\n    EXECUTE FUNCTION advice_article_search_on_comment()",
    "CREATE TRIGGER advice_article_search_comment_delete\n    AFTER DELETE ON advice_comment\n    FOR EACH ROW WHEN (OLD.status = 'approved')\n    EXECUTE FUNCTION advice_article_search_on_comment()",
    'CREATE OR REPLACE TRIGGER advice_article_search_comment_truncate\n    AFTER TRUNCATE ON advice_comment\n    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()',
]

PG_REBUILD = [
    'TRUNCATE advice_article_search, advice_comment_search',
    'SELECT advice_article_search_refresh(ARRAY(SELECT id FROM advice_article))',
    "INSERT INTO advice_comment_search (comment_id, article_id, body) SELECT id, article_id, to_tsvector('english', advice_unaccent(body)) FROM advice_comment WHERE status = 'approved'",
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
    'DROP TABLE IF EXISTS advice_comment_search',
    'DROP TABLE IF EXISTS advice_article_search',
]

FTS_COLUMNS = ('title', 'question', 'answer', 'topics')

COMMENT_FTS_COLUMNS = ('article_id', 'body')
# fmt: on


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL + SQLITE_INSTALL + SQLITE_REBUILD)
    elif connection.vendor == "postgresql":
        _run(connection, PG_INSTALL + PG_REBUILD)


def back_to_0004(apps, schema_editor):
    old = importlib.import_module("advice.migrations.0004_search_comments")
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL + old.SQLITE_INSTALL + old.SQLITE_REBUILD)
    elif connection.vendor == "postgresql":
        _run(connection, PG_UNINSTALL + old.PG_INSTALL + old.PG_REBUILD)


class Migration(migrations.Migration):
    dependencies = [("advice", "0005_article_slug_help")]

    operations = [migrations.RunPython(install, back_to_0004)]
