"""Full-text search over published articles: title, question, answer, topics
and the article's approved reader comments (weighted least).

Three layers:

1. **Pure query handling** (no database). :func:`query_terms` turns whatever a
   reader typed into a short list of plain word terms: letters and digits
   only, lower-cased, accents folded, English stop words dropped. Because a
   term can hold no quote, operator (``AND OR NOT NEAR * ^ : - & | ! <->``) or
   punctuation, :func:`fts5_match_expression` and :func:`tsquery_expression`
   can quote each term and join them with operators of *our* choosing; the
   reader's text never reaches a query language as syntax. Highlighting
   (:func:`highlight`, :func:`snippet`) escapes the text first and only then
   wraps matched words in ``<mark>``.

2. **The index**, kept by the database itself so that every write path (model
   ``save()``, ``queryset.update()``, admin bulk actions, raw SQL, the WXR
   import) keeps it current:

   * SQLite: an FTS5 table ``advice_article_fts`` (rowid = article id; columns
     title, question, answer, topics, comments; Porter stemmer, diacritics
     removed) and triggers on ``advice_article``, ``advice_article_topics``,
     ``advice_topic`` and ``advice_comment``.
   * PostgreSQL: a side table ``advice_article_search(article_id, document
     tsvector, comments tsvector)`` with a GIN index on ``document ||
     comments``, filled by trigger functions on the same four tables
     (``english`` configuration; title weight A, topics B, question C, answer
     D; comments in their own column, since tsvector has only four weight
     classes). Accents are folded with ``advice_unaccent()``, a
     ``translate()`` over the same character map the Python side uses, so the
     ``unaccent`` extension (which needs a superuser) is not required.

   Comments: the ``comments`` part of an article's row is the text of its
   *approved* comments, recomputed by the comment triggers whenever a write
   involves an approved row — insert, the moderation actions' single
   ``UPDATE ... SET status`` (approve / spam / remove / restore), a body
   edit, a move to another article, delete. Held, spam and removed comments
   are never indexed. Cost: one such write re-reads that article's approved
   comments (fine for comment threads; a bulk import of N approved comments
   on one article does O(N²) text work).

   No Django model field differs per backend; ``makemigrations`` sees nothing.
   :func:`search_index_install` is idempotent; :func:`search_index_ensure`
   re-installs and rebuilds when a SQLite table rebuild (Django's
   ``_remake_table`` on some ``ALTER``\\ s) has dropped the triggers.

3. **Queries**: :func:`search_article_ids` returns ranked ids of published
   articles (one query); :func:`search_page` builds a page of results with
   highlighted title and snippet. Ranking uses matching weights on both
   backends (FTS5 ``bm25`` with column weights 10/2/1/4/0.2; PostgreSQL
   ``ts_rank`` with weights 1.0/0.2/0.1/0.4, length-normalised, plus the
   comments' rank at 0.02), so the same query gives the same top hit on
   both. Snippets quote the article's own question and answer; a hit that
   matched through its comments alone quotes the best-matching comment,
   labelled as such.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection as default_connection
from django.db.models import Q
from django.shortcuts import render
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from advice.models import Article, Comment

# --- Pure query handling ------------------------------------------------------

MAX_QUERY_CHARS = 1000  # longer input is cut before it is read
MAX_TERMS = 24  # words beyond this are ignored
MAX_TERM_CHARS = 60  # a longer "word" is cut (no real word is this long)
MIN_PREFIX_CHARS = 3  # a last word shorter than this is not prefix-matched

# PostgreSQL's English stop-word list (the Snowball list, which the
# ``english`` text-search configuration uses). Dropped on both backends so
# SQLite, which keeps every word, matches the same articles.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him
    his himself she her hers herself it its itself they them their theirs
    themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can
    will just don should now
    """.split()
)

_WORD = re.compile(r"[^\W_]+")


def _accent_map() -> tuple[str, str]:
    """Latin letters with diacritics (U+00C0-U+024F) and the plain letter each
    folds to, as two equal-length strings (for SQL ``translate()``)."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


ACCENTED, UNACCENTED = _accent_map()
_FOLD = str.maketrans(ACCENTED, UNACCENTED)


def fold(text: str) -> str:
    """``text`` lower-cased with Latin accents removed ("Résumé" → "resume"),
    using the same map as the PostgreSQL ``advice_unaccent()`` function."""
    return text.translate(_FOLD).lower()


def query_terms(text: str | None) -> list[str]:
    """The search terms in a reader's ``text``.

    Input: any string (``None`` and ``""`` allowed); only the first
    ``MAX_QUERY_CHARS`` characters are read. Output: at most ``MAX_TERMS``
    distinct terms, in order of first appearance, each a run of letters and
    digits (no punctuation, quotes or operators), folded by :func:`fold`, cut
    to ``MAX_TERM_CHARS``, with English ``STOP_WORDS`` removed.
    "Follow-up?" gives ``["follow"]``; "thank you note" ``["thank", "note"]``.
    Never raises.
    """
    terms: list[str] = []
    for word in _WORD.findall(fold((text or "")[:MAX_QUERY_CHARS])):
        word = word[:MAX_TERM_CHARS]
        if word in STOP_WORDS or word in terms:
            continue
        terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def fts5_match_expression(terms: list[str], *, any_term: bool = False, prefix: bool = False) -> str:
    """An SQLite FTS5 ``MATCH`` expression for ``terms`` (from :func:`query_terms`).

    Each term becomes an FTS5 string (double quotes, with any ``"`` doubled,
    per the FTS5 query syntax), so FTS5 never reads it as an operator or
    column filter. Terms are joined by implicit AND, or by ``OR`` when
    ``any_term``. With ``prefix`` the last term (if at least
    ``MIN_PREFIX_CHARS`` long) matches as a prefix (``"interv"*``). Returns
    ``""`` for no terms (the caller must not query then).
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if prefix and quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += "*"
    return (" OR " if any_term else " ").join(quoted)


def tsquery_expression(terms: list[str], *, any_term: bool = False, prefix: bool = False) -> str:
    """A PostgreSQL ``to_tsquery`` text for ``terms`` (from :func:`query_terms`).

    Each term is a quoted lexeme (single quotes, any ``'`` doubled, per the
    tsquery syntax), joined by ``&`` or, when ``any_term``, ``|``. With
    ``prefix`` the last term (at least ``MIN_PREFIX_CHARS`` long) gets
    ``:*``. Returns ``""`` for no terms.
    """
    quoted = ["'" + term.replace("'", "''") + "'" for term in terms]
    if prefix and quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += ":*"
    return (" | " if any_term else " & ").join(quoted)


# --- Pure highlighting ------------------------------------------------------------

_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_NOTE_MARKER = re.compile(r"\{\{\s*note:[^}]*\}\}")


def _stem(word: str) -> str:
    """A light English stem for highlighting only ("following" → "follow")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def word_matches(word: str, terms: Iterable[str]) -> bool:
    """True when ``word`` (any case and accents) should be highlighted for
    ``terms``: same light stem, or it starts with the stem of a term of at
    least 4 letters ("Following" for "follow", "interviews" for "interview")."""
    return bool(TermMatcher(terms)(word))


class TermMatcher:
    """Which of ``terms`` a word matches (see :func:`word_matches`), with the
    term stems worked out once and each distinct word looked at once."""

    def __init__(self, terms: Iterable[str]):
        self.stems = [(term, _stem(term)) for term in terms]
        self.seen: dict[str, frozenset[str]] = {}

    def __call__(self, word: str) -> frozenset[str]:
        folded = fold(word)
        found = self.seen.get(folded)
        if found is None:
            stem = _stem(folded)
            found = frozenset(
                term
                for term, term_stem in self.stems
                if stem == term_stem or (len(term_stem) >= 4 and folded.startswith(term_stem))
            )
            self.seen[folded] = found
        return found


def plain_text(fragment: str) -> str:
    """Readable text of an HTML ``fragment``: tags removed, entities decoded,
    note-template markers removed, whitespace collapsed. Returns plain
    (unescaped) ``str`` — escape it before showing it."""
    text = html.unescape(strip_tags(fragment or ""))
    text = _NOTE_MARKER.sub(" ", text)
    return " ".join(text.split())


def highlight(text: str, terms: Iterable[str] | TermMatcher) -> SafeString:
    """``text`` (plain, untrusted) escaped, with each word matching ``terms``
    wrapped in ``<mark>``. Escaping happens to every piece before any mark
    is added, so neither the text nor the query can bring HTML."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    out, position = [], 0
    for match in _WORD.finditer(text):
        if matcher(match.group()):
            out.append(escape(text[position : match.start()]))
            out.append("<mark>" + escape(match.group()) + "</mark>")
            position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: Iterable[str] | TermMatcher, *, words: int = 30) -> SafeString:
    """The ``words``-word stretch of ``text`` (plain, untrusted) with the most
    distinct matched terms, highlighted by :func:`highlight`, with "…" where
    text was cut. The start of the text when nothing matches."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return highlight(text, matcher)
    hits = [matcher(text[a:b]) for a, b in spans]
    # Slide a window of ``words`` words, counting the distinct terms in it.
    inside: Counter[str] = Counter()
    distinct = 0

    def enter(found):
        nonlocal distinct
        for term in found:
            inside[term] += 1
            distinct += inside[term] == 1

    def leave(found):
        nonlocal distinct
        for term in found:
            inside[term] -= 1
            distinct -= inside[term] == 0

    for found in hits[:words]:
        enter(found)
    best, best_score = 0, distinct
    for start in range(1, len(spans) - words + 1):
        leave(hits[start - 1])
        enter(hits[start + words - 1])
        if distinct > best_score:
            best, best_score = start, distinct
    # Start a little before the first match so it reads in context.
    first_hit = next((i for i in range(best, len(spans)) if hits[i]), best)
    best = max(0, min(best, first_hit - 5))
    end = min(len(spans), best + words)
    begin_char = 0 if best == 0 else spans[best][0]
    end_char = len(text) if end == len(spans) else spans[end - 1][1]
    piece = highlight(text[begin_char:end_char], matcher)
    prefix = "" if begin_char == 0 else "… "
    suffix = "" if end_char == len(text) else " …"
    return mark_safe(prefix + piece + suffix)


# --- The index (SQL per backend) ----------------------------------------------

FTS_TABLE = "advice_article_fts"
PG_TABLE = "advice_article_search"

# Column weights, title / question / answer / topics / approved comments.
# PostgreSQL's ts_rank takes them per weight class: {D answer, C question,
# B topics, A title}; the comments are a separate tsvector (there are only
# four classes) ranked with PG_COMMENT_RANK_WEIGHTS and added. Comments weigh
# least, a fifth of the answer on both backends: a word readers used finds
# the article, but an article whose own text has it ranks first (the pinned
# top hits in tests/advice/test_search.py).
WEIGHTS = {"title": 10.0, "question": 2.0, "answer": 1.0, "topics": 4.0, "comments": 0.2}
PG_RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
PG_COMMENT_RANK_WEIGHTS = "{0.02,0.02,0.02,0.02}"
# ts_rank normalisation 1: divide by 1 + log(document length), as bm25 also
# discounts long documents.
PG_RANK_NORMALIZATION = 1

_SQLITE_TOPICS_OF = (
    "coalesce((SELECT group_concat(t.name, ' ') FROM advice_topic t "
    "JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = {id}), '')"
)

# The approved comments of an article, one text (order does not matter to the index).
_SQLITE_COMMENTS_OF = (
    "coalesce((SELECT group_concat(c.body, ' ') FROM advice_comment c "
    f"WHERE c.article_id = {{id}} AND c.status = '{Comment.Status.APPROVED.value}'), '')"
)
FTS_COLUMNS = ("title", "question", "answer", "topics", "comments")


def _sqlite_comments_refresh(article_id: str) -> str:
    return (
        f"UPDATE {FTS_TABLE} SET comments = {_SQLITE_COMMENTS_OF.format(id=article_id)} "
        f"WHERE rowid = {article_id};"
    )


_SQLITE_ROW_INSERT = (
    f"INSERT INTO {FTS_TABLE} (rowid, title, question, answer, topics, comments) "
    "VALUES (new.id, new.title, new.question, new.answer, "
    f"{_SQLITE_TOPICS_OF.format(id='new.id')}, {_SQLITE_COMMENTS_OF.format(id='new.id')});"
)
_APPROVED = f"'{Comment.Status.APPROVED.value}'"

SQLITE_INSTALL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"{', '.join(FTS_COLUMNS)}, tokenize = 'porter unicode61 remove_diacritics 2')",
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
    # Approved comments: a held, spam or removed comment is never indexed, so
    # only writes that involve an approved row (before or after) re-index.
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_insert
    AFTER INSERT ON advice_comment WHEN new.status = {_APPROVED} BEGIN
      {_sqlite_comments_refresh("new.article_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_delete
    AFTER DELETE ON advice_comment WHEN old.status = {_APPROVED} BEGIN
      {_sqlite_comments_refresh("old.article_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS advice_comment_fts_update
    AFTER UPDATE OF status, body, article_id ON advice_comment
    WHEN old.status = {_APPROVED} OR new.status = {_APPROVED} BEGIN
      {_sqlite_comments_refresh("old.article_id")}
      {_sqlite_comments_refresh("new.article_id")}
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
    f"INSERT INTO {FTS_TABLE} (rowid, title, question, answer, topics, comments) "
    f"SELECT a.id, a.title, a.question, a.answer, {_SQLITE_TOPICS_OF.format(id='a.id')}, "
    f"{_SQLITE_COMMENTS_OF.format(id='a.id')} FROM advice_article a",
]
SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# What a query matches on PostgreSQL: the article's own text and its approved
# comments (the GIN index is on this expression).
PG_DOCUMENT = "(document || comments)"
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


PG_INSTALL = [
    f"""CREATE TABLE IF NOT EXISTS {PG_TABLE} (
      article_id bigint PRIMARY KEY,
      document tsvector NOT NULL,
      comments tsvector NOT NULL DEFAULT ''
    )""",
    # Tables made by migration 0003 lack the comments column and index on
    # the article's own text only.
    f"ALTER TABLE {PG_TABLE} ADD COLUMN IF NOT EXISTS comments tsvector NOT NULL DEFAULT ''",
    f"DROP INDEX IF EXISTS {PG_TABLE}_document",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_all ON {PG_TABLE} USING gin ({PG_DOCUMENT})",
    f"""CREATE OR REPLACE FUNCTION advice_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE WHEN $1 ~ '[\\u00c0-\\u024f]'
      THEN translate($1, {_pg_literal(ACCENTED)}, {_pg_literal(UNACCENTED)}) ELSE $1 END $$""",
    f"""CREATE OR REPLACE FUNCTION advice_article_search_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
      INSERT INTO {PG_TABLE} (article_id, document, comments)
      SELECT a.id,
        setweight(to_tsvector('english', advice_unaccent(a.title)), 'A')
        || setweight(to_tsvector('english', advice_unaccent(coalesce(
             (SELECT string_agg(t.name, ' ') FROM advice_topic t
              JOIN advice_article_topics m ON m.topic_id = t.id WHERE m.article_id = a.id),
             ''))), 'B')
        || setweight(to_tsvector('english', advice_unaccent(a.question)), 'C')
        || setweight(to_tsvector('english', advice_unaccent(a.answer)), 'D'),
        to_tsvector('english', advice_unaccent(coalesce(
          (SELECT string_agg(c.body, ' ') FROM advice_comment c
           WHERE c.article_id = a.id AND c.status = {_APPROVED}),
          '')))
      FROM advice_article a WHERE a.id = ANY(ids)
      ON CONFLICT (article_id)
      DO UPDATE SET document = EXCLUDED.document, comments = EXCLUDED.comments
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
    # Statement-level, with transition tables: one bulk insert (the WXR
    # import) or one moderation UPDATE re-indexes each article once, and a
    # write that changes no approved comment's text or article (clearing IP
    # addresses, say) re-indexes nothing.
    f"""CREATE OR REPLACE FUNCTION advice_article_search_on_comment() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        UPDATE {PG_TABLE} SET comments = '' WHERE comments <> '';
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM advice_article_search_refresh(ARRAY(
          SELECT DISTINCT article_id FROM new_rows WHERE status = {_APPROVED}));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM advice_article_search_refresh(ARRAY(
          SELECT DISTINCT article_id FROM old_rows WHERE status = {_APPROVED}));
      ELSE
        PERFORM advice_article_search_refresh(ARRAY(
          SELECT unnest(ARRAY[o.article_id, n.article_id])
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE (o.status = {_APPROVED} OR n.status = {_APPROVED})
            AND (o.status, o.body, o.article_id) IS DISTINCT FROM
                (n.status, n.body, n.article_id)));
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
    """CREATE OR REPLACE TRIGGER advice_article_search_comment_insert
    AFTER INSERT ON advice_comment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_comment_update
    AFTER UPDATE ON advice_comment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_comment_delete
    AFTER DELETE ON advice_comment REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()""",
    """CREATE OR REPLACE TRIGGER advice_article_search_comment_truncate
    AFTER TRUNCATE ON advice_comment
    FOR EACH STATEMENT EXECUTE FUNCTION advice_article_search_on_comment()""",
]
PG_REBUILD = [
    f"TRUNCATE {PG_TABLE}",
    "SELECT advice_article_search_refresh(ARRAY(SELECT id FROM advice_article))",
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
    f"DROP TABLE IF EXISTS {PG_TABLE}",
]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_fts_columns(connection) -> tuple[str, ...]:
    """The columns of the SQLite FTS table as it stands (``()`` when missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA table_info({FTS_TABLE})")
        return tuple(row[1] for row in cursor.fetchall())


def search_index_install(connection=default_connection, *, rebuild: bool = True) -> bool:
    """Create the search index, its triggers and (``rebuild``) fill it from
    every article and its approved comments. Idempotent; an index of an
    older shape (migration 0003: no comments) is brought up to date — on
    SQLite the FTS table is dropped and rebuilt, on PostgreSQL the column is
    added (call with ``rebuild`` to fill it). Returns ``False`` (doing
    nothing) on a database other than SQLite or PostgreSQL, which then
    searches with a plain ``icontains`` fallback."""
    if connection.vendor == "sqlite":
        columns = _sqlite_fts_columns(connection)
        if columns and columns != FTS_COLUMNS:
            _run(connection, [f"DROP TABLE {FTS_TABLE}"])
            rebuild = True
        _run(connection, SQLITE_INSTALL + (SQLITE_REBUILD if rebuild else []))
    elif connection.vendor == "postgresql":
        _run(connection, PG_INSTALL + (PG_REBUILD if rebuild else []))
    else:
        return False
    return True


def search_index_uninstall(connection=default_connection) -> None:
    """Drop the index, its triggers and functions (migration rollback)."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, PG_UNINSTALL)


def search_index_ensure(connection=default_connection) -> bool:
    """Re-install and rebuild the index when it is missing, lacks the
    comments column (an index made before migration 0004) or misses any of
    its triggers (Django rebuilds a SQLite table for many ``ALTER``\\ s,
    which drops that table's triggers — on ``advice_article`` and on
    ``advice_comment`` alike). Meant for ``post_migrate``. Returns ``True``
    when it repaired something, ``False`` when all was in place or the
    database is neither SQLite nor PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(SQLITE_TRIGGERS))
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                f"AND name IN ({placeholders})",
                SQLITE_TRIGGERS,
            )
            complete = cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
            complete = complete and _sqlite_fts_columns(connection) == FTS_COLUMNS
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND column_name IN ('document', 'comments')",
                [PG_TABLE],
            )
            complete = cursor.fetchone()[0] == 2
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
                [PG_TRIGGERS],
            )
            complete = complete and cursor.fetchone()[0] == len(PG_TRIGGERS)
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


# --- Queries ------------------------------------------------------------------

MAX_RESULTS = 500  # ranked ids read per search; more is never paged through


def _weights_sql() -> str:
    return ", ".join(str(WEIGHTS[c]) for c in FTS_COLUMNS)


def _pg_rank_sql() -> str:
    """The PostgreSQL rank of index row ``s`` for tsquery ``q`` (higher is better)."""
    return (
        f"ts_rank('{PG_RANK_WEIGHTS}', s.document, q, {PG_RANK_NORMALIZATION}) + "
        f"ts_rank('{PG_COMMENT_RANK_WEIGHTS}', s.comments, q, {PG_RANK_NORMALIZATION})"
    )


def ranked_ids_sql(
    terms: list[str],
    *,
    any_term: bool = False,
    prefix: bool = False,
    exclude_ids: Iterable[int] = (),
    limit: int = MAX_RESULTS,
    connection=default_connection,
) -> tuple[str, list] | None:
    """SQL (and its parameters) selecting the ids of published articles that
    match ``terms`` (from :func:`query_terms`), best first, at most
    ``limit``, without ``exclude_ids``. Usable alone or as a subquery
    (``id IN (...)``). ``None`` when there are no terms or the database has
    no index (see :func:`search_index_install`)."""
    if not terms or connection.vendor not in ("sqlite", "postgresql"):
        return None
    published = Article.objects.published().exclude(id__in=list(exclude_ids)).order_by()
    sub_sql, sub_params = published.values("id").query.sql_with_params()
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND +rowid IN ({sub_sql}) "
            f"ORDER BY bm25({FTS_TABLE}, {_weights_sql()}), rowid DESC LIMIT %s"
        )
        match = fts5_match_expression(terms, any_term=any_term, prefix=prefix)
    else:
        sql = (
            f"SELECT s.article_id FROM {PG_TABLE} s, to_tsquery('english', %s) q "
            f"WHERE (s.document || s.comments) @@ q AND s.article_id IN ({sub_sql}) "
            f"ORDER BY {_pg_rank_sql()} DESC, s.article_id DESC LIMIT %s"
        )
        match = tsquery_expression(terms, any_term=any_term, prefix=prefix)
    return sql, [match, *sub_params, limit]


def rank_sql(
    terms: list[str], *, any_term: bool = False, connection=default_connection
) -> tuple[str, list] | None:
    """A scalar SQL expression (and parameters) for use in a query over the
    article table: the search rank of that row's article for ``terms``,
    lower is better (the same scale :func:`ranked_ids_sql` orders by), NULL
    when it does not match. ``None`` when :func:`ranked_ids_sql` would be."""
    if not terms or connection.vendor not in ("sqlite", "postgresql"):
        return None
    quote = connection.ops.quote_name
    row_id = f"{quote(Article._meta.db_table)}.{quote('id')}"
    if connection.vendor == "sqlite":
        sql = (
            f"(SELECT bm25({FTS_TABLE}, {_weights_sql()}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {row_id})"
        )
        return sql, [fts5_match_expression(terms, any_term=any_term)]
    sql = (
        f"(SELECT -({_pg_rank_sql()}) "
        f"FROM {PG_TABLE} s, to_tsquery('english', %s) q "
        f"WHERE s.article_id = {row_id} AND (s.document || s.comments) @@ q)"
    )
    return sql, [tsquery_expression(terms, any_term=any_term)]


def search_article_ids(
    text: str | None,
    *,
    any_term: bool = False,
    prefix: bool = False,
    exclude_ids: Iterable[int] = (),
    limit: int = MAX_RESULTS,
    connection=default_connection,
) -> list[int]:
    """Ids of published articles matching the reader's ``text``, best first.

    ``text`` is read through :func:`query_terms` (so any input is safe);
    no terms → ``[]`` without a query. All terms must match unless
    ``any_term``; ``prefix`` lets the last term match as a prefix (for
    as-you-type suggestions). ``exclude_ids`` are left out. At most
    ``limit`` ids. One database query. Ties rank the newer article (higher
    id) first.
    """
    terms = query_terms(text)
    if not terms or limit <= 0:
        return []
    query = ranked_ids_sql(
        terms,
        any_term=any_term,
        prefix=prefix,
        exclude_ids=exclude_ids,
        limit=limit,
        connection=connection,
    )
    if query is None:
        published = Article.objects.published().exclude(id__in=list(exclude_ids))
        return _fallback_ids(terms, published, any_term=any_term, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return [row[0] for row in cursor.fetchall()]


def _fallback_ids(terms, published, *, any_term: bool, limit: int) -> list[int]:
    """Other databases: substring match on each term, newest first."""
    condition = Q()
    for term in terms:
        term_q = (
            Q(title__icontains=term)
            | Q(question__icontains=term)
            | Q(answer__icontains=term)
            | Q(topics__name__icontains=term)
        )
        condition = (condition | term_q) if any_term else (condition & term_q)
    ids = published.filter(condition).order_by("-published_at", "-id").values_list("id", flat=True)
    return list(dict.fromkeys(ids))[:limit]


def has_match(text: str, terms: Iterable[str] | TermMatcher) -> bool:
    """True when any word of ``text`` (plain) matches ``terms`` as
    :func:`highlight` would mark it."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    return any(matcher(word) for word in _WORD.findall(text))


def best_comment(bodies: Iterable[str], terms: Iterable[str] | TermMatcher) -> str | None:
    """Of comment ``bodies`` (plain text), the first one matching the most
    distinct ``terms``; ``None`` when none matches any."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    best, best_count = None, 0
    for body in bodies:
        found: set[str] = set()
        for word in _WORD.findall(body):
            found |= matcher(word)
        if len(found) > best_count:
            best, best_count = body, len(found)
    return best


@dataclass
class SearchResult:
    """One hit: the article, its title and a snippet, both highlighted (safe HTML).
    ``from_comment`` is true when the snippet quotes a reader's approved
    comment (only when the article's own title, question and answer hold
    none of the words, so the reader sees why it matched)."""

    article: Article
    title: SafeString
    snippet: SafeString
    from_comment: bool = False


@dataclass
class SearchOutcome:
    """A page of results. ``any_term`` is true when no article held every
    word and the results hold some of them instead."""

    query: str
    terms: list[str]
    page: Page | None = None
    results: list[SearchResult] = field(default_factory=list)
    any_term: bool = False

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page else 0


RESULTS_PER_PAGE = 10


def search_page(text: str | None, page_number=1, *, per_page: int = RESULTS_PER_PAGE):
    """Search for the reader's ``text`` and return one page of results as a
    :class:`SearchOutcome`. When no article holds every term, articles
    holding any of them are returned instead (``any_term``). ``page_number``
    may be anything a reader puts in ``?page=`` (bad values give the first or
    last page). Snippets come from the article's question and answer; only
    for a hit whose title, question and answer hold none of the words (it
    matched through its approved comments) does the snippet quote the
    best-matching comment instead (``from_comment``). Queries: one or two
    for the ids, one for the page's articles, and one more for comments only
    when some hit on the page matched through them alone."""
    query = (text or "")[:MAX_QUERY_CHARS]
    terms = query_terms(query)
    outcome = SearchOutcome(query=query, terms=terms)
    if not terms:
        return outcome
    ids = search_article_ids(query)
    if not ids:
        ids = search_article_ids(query, any_term=True)
        outcome.any_term = bool(ids)
    page = Paginator(ids, per_page).get_page(page_number)
    articles = Article.objects.defer("question", "answer").in_bulk(list(page.object_list))
    outcome.page = page
    matcher = TermMatcher(terms)
    comment_only: list[SearchResult] = []
    for article_id in page.object_list:
        article = articles.get(article_id)
        if article is None:  # unpublished between the two queries
            continue
        body = plain_text(article.question_html) + " " + plain_text(article.answer_html)
        result = SearchResult(
            article=article,
            title=highlight(article.title, matcher),
            snippet=snippet(body, matcher),
        )
        outcome.results.append(result)
        if not has_match(article.title, matcher) and not has_match(body, matcher):
            comment_only.append(result)
    if comment_only:
        _comment_snippets(comment_only, matcher)
    return outcome


def _comment_snippets(results: list[SearchResult], matcher: TermMatcher) -> None:
    """Give each of ``results`` a snippet from its best-matching approved
    comment, when one matches (one query for all of them)."""
    bodies: dict[int, list[str]] = {}
    rows = Comment.objects.visible().filter(article_id__in=[r.article.pk for r in results])
    for article_id, body in rows.order_by("created_at", "id").values_list("article_id", "body"):
        bodies.setdefault(article_id, []).append(" ".join(body.split()))
    for result in results:
        body = best_comment(bodies.get(result.article.pk, []), matcher)
        if body is not None:
            result.snippet = snippet(body, matcher)
            result.from_comment = True


# --- View -------------------------------------------------------------------------


@require_GET
def search_view(request):
    """``/search/?q=<words>&page=<n>``: ranked results with highlighted
    title and snippet, paginated. Any ``q`` is safe (see
    :func:`query_terms`); an empty one shows the form alone."""
    outcome = search_page(request.GET.get("q", ""), request.GET.get("page"))
    return render(request, "advice/search.html", {"search": outcome, "q": outcome.query})
