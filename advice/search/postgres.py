"""The search index and its queries in PostgreSQL's dialect: tsvector (see
docs/architecture.md, ``search/``; :mod:`advice.search.sqlite` is the same
for SQLite, and both give the same top hits).

Side tables ``advice_article_search(article_id, document tsvector)`` and
``advice_comment_search(comment_id, article_id, body tsvector)``, each with
a GIN index, filled by trigger functions on ``advice_article``,
``advice_article_topics``, ``advice_topic`` and ``advice_comment``
(``english`` configuration; title weight A, topics B, question C, answer
D; one row per *approved* comment, so a comment write re-indexes that
comment alone). Accents are folded with ``advice_unaccent()``, a
``translate()`` over the same character map the Python side uses
(:data:`advice.search.terms.ACCENTED`), so the ``unaccent`` extension
(which needs a superuser) is not required.

The statements (:data:`PG_INSTALL`, :data:`PG_REBUILD`,
:data:`PG_UNINSTALL`) equal migration 0006's, which holds its own copy (a
test checks they agree); :mod:`advice.search.index` runs them to repair the
index after a migrate. Ranking: ``ts_rank`` with :data:`PG_RANK_WEIGHTS`,
higher is better.
"""

from __future__ import annotations

from advice.models import Comment
from advice.search.terms import ACCENTED, UNACCENTED, tsquery_expression

PG_TABLE = "advice_article_search"
PG_COMMENT_TABLE = "advice_comment_search"

# ts_rank's weights per weight class: {D answer, C question, B topics, A
# title}, the same proportions as SQLite's bm25 column weights
# (advice.search.sqlite.WEIGHTS). A comment is its own index row, ranked
# with PG_COMMENT_RANK_WEIGHTS: a fifth of the answer, as on SQLite.
PG_RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
PG_COMMENT_RANK_WEIGHTS = "{0.02,0.02,0.02,0.02}"
# ts_rank normalisation 1: divide by 1 + log(document length), as bm25 also
# discounts long documents.
PG_RANK_NORMALIZATION = 1

_APPROVED = f"'{Comment.Status.APPROVED.value}'"


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


PG_TRIGGERS = [
    "advice_article_search_article",
    "advice_article_search_article_truncate",
    "advice_article_search_article_topic",
    "advice_article_search_topic",
    "advice_article_search_comment_insert",
    "advice_article_search_comment_update",
    "advice_article_search_comment_delete",
    "advice_article_search_comment_truncate",
]
_PG_COMMENT_ROW = (
    f"INSERT INTO {PG_COMMENT_TABLE} (comment_id, article_id, body) "
    "VALUES (NEW.id, NEW.article_id, to_tsvector('english', advice_unaccent(NEW.body))) "
    "ON CONFLICT (comment_id) "
    "DO UPDATE SET article_id = EXCLUDED.article_id, body = EXCLUDED.body;"
)

PG_INSTALL = [
    f"""CREATE TABLE IF NOT EXISTS {PG_TABLE} (
      article_id bigint PRIMARY KEY,
      document tsvector NOT NULL
    )""",
    # Tables made by migration 0004 hold every comment in a column of the
    # article's row (and index document || comments): drop both.
    f"DROP INDEX IF EXISTS {PG_TABLE}_all",
    f"ALTER TABLE {PG_TABLE} DROP COLUMN IF EXISTS comments",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_document ON {PG_TABLE} USING gin (document)",
    f"""CREATE TABLE IF NOT EXISTS {PG_COMMENT_TABLE} (
      comment_id bigint PRIMARY KEY,
      article_id bigint NOT NULL,
      body tsvector NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {PG_COMMENT_TABLE}_body ON {PG_COMMENT_TABLE} USING gin (body)",
    f"CREATE INDEX IF NOT EXISTS {PG_COMMENT_TABLE}_article ON {PG_COMMENT_TABLE} (article_id)",
    f"""CREATE OR REPLACE FUNCTION advice_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE WHEN $1 ~ '[\\u00c0-\\u024f]'
      THEN translate($1, {_pg_literal(ACCENTED)}, {_pg_literal(UNACCENTED)}) ELSE $1 END $$""",
    f"""CREATE OR REPLACE FUNCTION advice_article_search_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
      INSERT INTO {PG_TABLE} (article_id, document)
      SELECT a.id,
        setweight(to_tsvector('english', advice_unaccent(a.title)), 'A')
        || setweight(to_tsvector('english', advice_unaccent(coalesce(
             (SELECT string_agg(t.name, ' ') FROM advice_topic t
              JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id),
             ''))), 'B')
        || setweight(to_tsvector('english', advice_unaccent(a.question)), 'C')
        || setweight(to_tsvector('english', advice_unaccent(a.answer)), 'D')
      FROM advice_article a WHERE a.id = ANY(ids)
      ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
    $$""",
    f"""CREATE OR REPLACE FUNCTION advice_article_search_on_article() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {PG_TABLE};
      ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {PG_TABLE} WHERE article_id = OLD.id;
      ELSE
        PERFORM advice_article_search_refresh(ARRAY[NEW.id]);
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION advice_article_search_on_article_topic() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id]);
      ELSIF TG_OP = 'UPDATE' THEN
        PERFORM advice_article_search_refresh(ARRAY[OLD.article_id, NEW.article_id]);
      ELSE
        PERFORM advice_article_search_refresh(ARRAY[NEW.article_id]);
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION advice_article_search_on_topic() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM advice_article_search_refresh(ARRAY(
        SELECT article_id FROM advice_article_topics WHERE topic_id = NEW.id));
      RETURN NULL;
    END $$""",
    # Row-level, one index row per approved comment: a write re-indexes only
    # the comment it changes. The WHEN clauses of the triggers below keep
    # writes that change no approved comment's status, text or article
    # (clearing IP addresses, held comments) from calling this at all.
    f"""CREATE OR REPLACE FUNCTION advice_article_search_on_comment() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {PG_COMMENT_TABLE};
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM {PG_COMMENT_TABLE} WHERE comment_id = OLD.id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = {_APPROVED} THEN
        {_PG_COMMENT_ROW}
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER advice_article_search_article
    AFTER INSERT OR DELETE OR UPDATE OF id, title, question, answer ON advice_article
    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_article_truncate
    AFTER TRUNCATE ON advice_article
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_article()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_article_topic
    AFTER INSERT OR DELETE OR UPDATE ON advice_article_topics
    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_article_topic()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_topic
    AFTER UPDATE OF name ON advice_topic
    FOR EACH ROW EXECUTE FUNCTION advice_article_search_on_topic()""",
    # Dropped first: those of migration 0004 were statement-level.
    "DROP TRIGGER IF EXISTS advice_article_search_comment_insert ON advice_comment",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_update ON advice_comment",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_delete ON advice_comment",
    f"""CREATE TRIGGER advice_article_search_comment_insert
    AFTER INSERT ON advice_comment
    FOR EACH ROW WHEN (NEW.status = {_APPROVED})
    EXECUTE FUNCTION advice_article_search_on_comment()""",
    f"""CREATE TRIGGER advice_article_search_comment_update
    AFTER UPDATE OF id, status, body, article_id ON advice_comment
    FOR EACH ROW WHEN ((OLD.status = {_APPROVED} OR NEW.status = {_APPROVED})
      AND (OLD.id, OLD.status, OLD.article_id, OLD.body)
          IS DISTINCT FROM (NEW.id, NEW.status, NEW.article_id, NEW.body))
    EXECUTE FUNCTION advice_article_search_on_comment()""",
    f"""CREATE TRIGGER advice_article_search_comment_delete
    AFTER DELETE ON advice_comment
    FOR EACH ROW WHEN (OLD.status = {_APPROVED})
    EXECUTE FUNCTION advice_article_search_on_comment()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_comment_truncate
    AFTER TRUNCATE ON advice_comment
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()""",
]
PG_REBUILD = [
    f"TRUNCATE {PG_TABLE}, {PG_COMMENT_TABLE}",
    "SELECT advice_article_search_refresh(ARRAY(SELECT id FROM advice_article))",
    f"INSERT INTO {PG_COMMENT_TABLE} (comment_id, article_id, body) "
    "SELECT id, article_id, to_tsvector('english', advice_unaccent(body)) "
    f"FROM advice_comment WHERE status = {_APPROVED}",
]
PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS advice_article_search_article ON advice_article",
    "DROP TRIGGER IF EXISTS advice_article_search_article_truncate ON advice_article",
    "DROP TRIGGER IF EXISTS advice_article_search_article_topic ON advice_article_topics",
    "DROP TRIGGER IF EXISTS advice_article_search_topic ON advice_topic",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_insert ON advice_comment",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_update ON advice_comment",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_delete ON advice_comment",
    "DROP TRIGGER IF EXISTS advice_article_search_comment_truncate ON advice_comment",
    "DROP FUNCTION IF EXISTS advice_article_search_on_comment()",
    "DROP FUNCTION IF EXISTS advice_article_search_on_topic()",
    "DROP FUNCTION IF EXISTS advice_article_search_on_article_topic()",
    "DROP FUNCTION IF EXISTS advice_article_search_on_article()",
    "DROP FUNCTION IF EXISTS advice_article_search_refresh(bigint[])",
    "DROP FUNCTION IF EXISTS advice_unaccent(text)",
    f"DROP TABLE IF EXISTS {PG_COMMENT_TABLE}",
    f"DROP TABLE IF EXISTS {PG_TABLE}",
]


# --- Is the index in place? ---------------------------------------------------


def index_complete(connection) -> bool:
    """True when both side tables have today's columns (not migration
    0004's ``comments`` column) and every one of :data:`PG_TRIGGERS` is
    there, the comment triggers row-level (0004's were statement-level)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name IN (%s, %s) "
            "AND column_name IN ('document', 'comments', 'body')",
            [PG_TABLE, PG_COMMENT_TABLE],
        )
        complete = set(cursor.fetchall()) == {
            (PG_TABLE, "document"),
            (PG_COMMENT_TABLE, "body"),
        }
        # Row-level comment triggers (tgtype bit 0); 0004's were statement-level.
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s) "
            "AND (tgname NOT LIKE 'advice_article_search_comment_%%' "
            "OR tgname LIKE '%%_truncate' OR tgtype & 1 = 1)",
            [PG_TRIGGERS],
        )
        return complete and cursor.fetchone()[0] == len(PG_TRIGGERS)


# --- Query pieces (put together by advice.search.queries) -----------------------

match_expression = tsquery_expression
BEST_SCORE = "max"  # ts_rank: higher is better
SCORE_ORDER = "DESC"
RANK_SIGN = "-"  # rank_sql's scale is lower-is-better, as on SQLite


def term_hits_sql(n: int, row_id: str | None = None) -> str:
    """SQL of rows ``(article_id, term, src, score)`` for term number ``n``:
    the articles whose own text matches (src 0) and one row per approved
    comment that matches (src 1), each with its ``ts_rank``. Two ``%s``
    placeholders, both the term's tsquery text. ``row_id`` (an SQL
    expression) restricts it to one article."""
    own = f" AND s.article_id = {row_id}" if row_id else ""
    theirs = f" AND c.article_id = {row_id}" if row_id else ""
    return (
        f"SELECT s.article_id, {n} AS term, 0 AS src, "
        f"ts_rank('{PG_RANK_WEIGHTS}', s.document, q, {PG_RANK_NORMALIZATION}) AS score "
        f"FROM {PG_TABLE} s, to_tsquery('english', %s) q WHERE s.document @@ q{own}"
        " UNION ALL "
        f"SELECT c.article_id, {n}, 1, "
        f"ts_rank('{PG_COMMENT_RANK_WEIGHTS}', c.body, q, {PG_RANK_NORMALIZATION}) "
        f"FROM {PG_COMMENT_TABLE} c, to_tsquery('english', %s) q WHERE c.body @@ q{theirs}"
    )


def ranked_comments_sql(terms: list[str], article_ids: list[int]) -> tuple[str, list]:
    """SQL (and parameters) of rows ``(id, n)``: the approved comments of
    ``article_ids`` that match any of ``terms``, numbered per article from
    1 in order of rank (best first, then lower id)."""
    sql = (
        "SELECT comment_id AS id, row_number() OVER (PARTITION BY article_id "
        "ORDER BY ts_rank(body, q) DESC, comment_id) AS n "
        f"FROM {PG_COMMENT_TABLE}, to_tsquery('english', %s) q "
        "WHERE body @@ q AND article_id = ANY(%s)"
    )
    return sql, [tsquery_expression(terms, any_term=True), list(article_ids)]
