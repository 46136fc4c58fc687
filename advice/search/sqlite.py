"""The search index and its queries in SQLite's dialect: FTS5 (see
docs/architecture.md, ``search/``; :mod:`advice.search.postgres` is the same
for PostgreSQL, and both give the same top hits).

The index is kept by the database itself, so that every write path (model
``save()``, ``queryset.update()``, admin bulk actions, raw SQL, the WXR
import) keeps it current: an FTS5 table ``advice_article_fts`` (rowid =
article id; columns title, question, answer, topics; Porter stemmer,
diacritics removed), an FTS5 table ``advice_comment_fts`` (rowid = comment
id; ``article_id`` unindexed, ``body``) holding one row per *approved*
comment, and triggers on ``advice_article``, ``advice_article_topics``,
``advice_topic`` and ``advice_comment``. A comment write indexes (or drops)
that comment alone, whatever the size of the rest of the thread.

The statements (:data:`SQLITE_INSTALL`, :data:`SQLITE_REBUILD`,
:data:`SQLITE_UNINSTALL`) equal migration 0006's, which holds its own copy
(a test checks they agree); :mod:`advice.search.index` runs them to repair
the index after a migrate. Ranking: ``bm25`` with the column weights of
:data:`WEIGHTS`, lower is better.
"""

from __future__ import annotations

from advice.models import Comment
from advice.search.terms import fts5_match_expression

FTS_TABLE = "advice_article_fts"
COMMENT_FTS_TABLE = "advice_comment_fts"

# Column weights, title / question / answer / topics, and approved comments.
# An article's score adds, per query term, its own text's score and its best
# comment's times WEIGHTS["comments"]: comments weigh least, a fifth of the
# answer (as PostgreSQL's weights in advice.search.postgres), so a word
# readers used finds the article, but an article whose own text has it
# ranks first (the pinned top hits in tests/advice/search/test_queries.py).
WEIGHTS = {"title": 10.0, "question": 2.0, "answer": 1.0, "topics": 4.0, "comments": 0.2}

_SQLITE_TOPICS_OF = (
    "coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t "
    "JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = {id}), '')"
)
FTS_COLUMNS = ("title", "question", "answer", "topics")
# article_id first: reading it never walks a long body's overflow pages.
COMMENT_FTS_COLUMNS = ("article_id", "body")
_FTS_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"

_SQLITE_ROW_INSERT = (
    f"INSERT INTO {FTS_TABLE} (rowid, title, question, answer, topics) "
    "VALUES (new.id, new.title, new.question, new.answer, "
    f"{_SQLITE_TOPICS_OF.format(id='new.id')});"
)
_APPROVED = f"'{Comment.Status.APPROVED.value}'"

SQLITE_INSTALL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"{', '.join(FTS_COLUMNS)}, {_FTS_TOKENIZE})",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {COMMENT_FTS_TABLE} USING fts5("
    f"article_id UNINDEXED, body, {_FTS_TOKENIZE})",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_fts_insert
    AFTER INSERT ON advice_article BEGIN
      {_SQLITE_ROW_INSERT}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_fts_update
    AFTER UPDATE OF id, title, question, answer ON advice_article BEGIN
      DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
      {_SQLITE_ROW_INSERT}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_fts_delete
    AFTER DELETE ON advice_article BEGIN
      DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_insert
    AFTER INSERT ON advice_article_topics BEGIN
      UPDATE {FTS_TABLE} SET topics = {_SQLITE_TOPICS_OF.format(id="new.article_id")}
      WHERE rowid = new.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_delete
    AFTER DELETE ON advice_article_topics BEGIN
      UPDATE {FTS_TABLE} SET topics = {_SQLITE_TOPICS_OF.format(id="old.article_id")}
      WHERE rowid = old.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_article_topics_fts_update
    AFTER UPDATE ON advice_article_topics BEGIN
      UPDATE {FTS_TABLE} SET topics = {_SQLITE_TOPICS_OF.format(id="old.article_id")}
      WHERE rowid = old.article_id;
      UPDATE {FTS_TABLE} SET topics = {_SQLITE_TOPICS_OF.format(id="new.article_id")}
      WHERE rowid = new.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_topic_fts_update
    AFTER UPDATE OF name ON advice_topic BEGIN
      UPDATE {FTS_TABLE} SET topics = {_SQLITE_TOPICS_OF.format(id=FTS_TABLE + ".rowid")}
      WHERE rowid IN (SELECT article_id FROM advice_article_topics WHERE topic_id = new.id);
    END""",
    # Approved comments, one index row each (rowid = comment id): a write
    # touches that comment's row only. Held, spam and removed comments are
    # never indexed; a write that changes no approved comment's status, text
    # or article (clearing IP addresses, say) touches nothing.
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_insert
    AFTER INSERT ON advice_comment WHEN new.status = {_APPROVED} BEGIN
      INSERT INTO {COMMENT_FTS_TABLE} (rowid, article_id, body)
      VALUES (new.id, new.article_id, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_delete
    AFTER DELETE ON advice_comment WHEN old.status = {_APPROVED} BEGIN
      DELETE FROM {COMMENT_FTS_TABLE} WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_update
    AFTER UPDATE OF id, status, body, article_id ON advice_comment
    WHEN (old.status = {_APPROVED} OR new.status = {_APPROVED})
      AND (old.id IS NOT new.id OR old.status IS NOT new.status
           OR old.article_id IS NOT new.article_id OR old.body IS NOT new.body) BEGIN
      DELETE FROM {COMMENT_FTS_TABLE} WHERE rowid = old.id;
      INSERT INTO {COMMENT_FTS_TABLE} (rowid, article_id, body)
      SELECT new.id, new.article_id, new.body WHERE new.status = {_APPROVED};
    END""",
]
SQLITE_TRIGGERS = [
    "advice_article_fts_insert",
    "advice_article_fts_update",
    "advice_article_fts_delete",
    "advice_article_topics_fts_insert",
    "advice_article_topics_fts_delete",
    "advice_article_topics_fts_update",
    "advice_topic_fts_update",
    "advice_comment_fts_insert",
    "advice_comment_fts_delete",
    "advice_comment_fts_update",
]
SQLITE_REBUILD = [
    f"DELETE FROM {FTS_TABLE}",
    f"INSERT INTO {FTS_TABLE} (rowid, title, question, answer, topics) "
    f"SELECT a.id, a.title, a.question, a.answer, {_SQLITE_TOPICS_OF.format(id='a.id')} "
    "FROM advice_article a",
    f"DELETE FROM {COMMENT_FTS_TABLE}",
    f"INSERT INTO {COMMENT_FTS_TABLE} (rowid, article_id, body) "
    f"SELECT id, article_id, body FROM advice_comment WHERE status = {_APPROVED}",
]
# Triggers and tables are dropped before an install that changes their shape
# (an index from migration 0003/0004: one article row holding every comment).
SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {COMMENT_FTS_TABLE}",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


# --- Is the index in place? ---------------------------------------------------


def fts_columns(connection, table: str = FTS_TABLE) -> tuple[str, ...]:
    """The columns of a SQLite FTS table as it stands (``()`` when missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA table_info({table})")
        return tuple(row[1] for row in cursor.fetchall())


def shape_ok(connection) -> bool:
    """True when both FTS tables exist with today's columns (an index made
    by migration 0003 or 0004 has another shape)."""
    return fts_columns(connection) == FTS_COLUMNS and (
        fts_columns(connection, COMMENT_FTS_TABLE) == COMMENT_FTS_COLUMNS
    )


def index_complete(connection) -> bool:
    """True when the index has today's shape and every one of
    :data:`SQLITE_TRIGGERS` (a SQLite table rebuild drops its triggers)."""
    placeholders = ", ".join(["%s"] * len(SQLITE_TRIGGERS))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            f"AND name IN ({placeholders})",
            SQLITE_TRIGGERS,
        )
        complete = cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
    return complete and shape_ok(connection)


# --- Query pieces (put together by advice.search.queries) -----------------------

match_expression = fts5_match_expression
BEST_SCORE = "min"  # bm25: lower is better
SCORE_ORDER = "ASC"
RANK_SIGN = ""  # rank_sql's scale: lower is better, as bm25 already is


def _weights_sql() -> str:
    return ", ".join(str(WEIGHTS[c]) for c in FTS_COLUMNS)


def term_hits_sql(n: int, row_id: str | None = None) -> str:
    """SQL of rows ``(article_id, term, src, score)`` for term number ``n``:
    the articles whose own text matches (src 0) and one row per approved
    comment that matches (src 1), each with its bm25 score (comments times
    ``WEIGHTS["comments"]``). Two ``%s`` placeholders, both the term's
    ``MATCH`` expression. ``row_id`` (an SQL expression) restricts it to one
    article."""
    own = f" AND rowid = {row_id}" if row_id else ""
    theirs = f" AND article_id = {row_id}" if row_id else ""
    return (
        f"SELECT rowid AS article_id, {n} AS term, 0 AS src, "
        f"bm25({FTS_TABLE}, {_weights_sql()}) AS score "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{own}"
        " UNION ALL "
        f"SELECT article_id, {n}, 1, {WEIGHTS['comments']} * "
        f"bm25({COMMENT_FTS_TABLE}, 0.0, 1.0) "
        f"FROM {COMMENT_FTS_TABLE} WHERE {COMMENT_FTS_TABLE} MATCH %s{theirs}"
    )


def ranked_comments_sql(terms: list[str], article_ids: list[int]) -> tuple[str, list]:
    """SQL (and parameters) of rows ``(id, n)``: the approved comments of
    ``article_ids`` that match any of ``terms``, numbered per article from
    1 in order of rank (best first, then lower id)."""
    placeholders = ", ".join(["%s"] * len(article_ids))
    sql = (
        f"SELECT id, row_number() OVER (PARTITION BY article_id ORDER BY score, id) AS n "
        f"FROM (SELECT rowid AS id, article_id, bm25({COMMENT_FTS_TABLE}, 0.0, 1.0) AS score "
        f"FROM {COMMENT_FTS_TABLE} WHERE {COMMENT_FTS_TABLE} MATCH %s "
        f"AND article_id IN ({placeholders}))"
    )
    return sql, [fts5_match_expression(terms, any_term=True), *article_ids]
