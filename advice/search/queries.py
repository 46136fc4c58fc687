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
     title, question, answer, topics; Porter stemmer, diacritics removed),
     an FTS5 table ``advice_comment_fts`` (rowid = comment id; ``article_id``
     unindexed, ``body``) holding one row per *approved* comment, and
     triggers on ``advice_article``, ``advice_article_topics``,
     ``advice_topic`` and ``advice_comment``.
   * PostgreSQL: side tables ``advice_article_search(article_id, document
     tsvector)`` and ``advice_comment_search(comment_id, article_id, body
     tsvector)``, each with a GIN index, filled by trigger functions on the
     same four tables (``english`` configuration; title weight A, topics B,
     question C, answer D). Accents are folded with ``advice_unaccent()``, a
     ``translate()`` over the same character map the Python side uses, so
     the ``unaccent`` extension (which needs a superuser) is not required.

   Comments: each approved comment is its own index row pointing back to
   its article, written by the comment triggers when a write involves an
   approved row — insert, the moderation actions' single ``UPDATE ... SET
   status`` (approve / spam / remove / restore), a body edit, a move to
   another article, delete. Held, spam and removed comments are never
   indexed. Cost: a comment write indexes (or drops) that comment alone,
   whatever the size of the rest of the thread (before migration 0006 the
   article's row held all its comments and each change re-read them).

   No Django model field differs per backend; ``makemigrations`` sees nothing.
   :func:`search_index_install` is idempotent; :func:`search_index_ensure`
   re-installs and rebuilds when a SQLite table rebuild (Django's
   ``_remake_table`` on some ``ALTER``\\ s) has dropped the triggers.

3. **Queries**: :func:`search_article_ids` returns ranked ids of published
   articles (one query); :func:`search_page` builds a page of results with
   highlighted title and snippet. A term matches an article when its own
   text or one of its approved comments has it; each term is one index
   lookup on each table, so the work grows with the rows holding the term,
   not with the length of a thread. Ranking, per term: the article's own
   score (FTS5 ``bm25`` with column weights 10/2/1/4; PostgreSQL ``ts_rank``
   with weights 1.0/0.2/0.1/0.4, length-normalised) plus its best comment's
   (bm25 x 0.2; ``ts_rank`` at 0.02), summed over the terms, so the same
   query gives the same top hit on both. Snippets quote the article's own
   question and answer; a hit that matched through its comments alone
   quotes its best-matching comment (picked by the index, so only a couple
   of comment bodies are read), labelled as such. Long texts are
   snippeted around their matches without looking at every word.
"""

from __future__ import annotations

import html
import itertools
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
_ACCENTED_CHAR = re.compile(f"[{ACCENTED}]")
_UNACCENT = dict(zip(ACCENTED, UNACCENTED, strict=True))


def _unaccent(text: str) -> str:
    """``text`` with Latin accents removed, one character for one (so
    positions stay put); quick when there are none."""
    if text.isascii() or not _ACCENTED_CHAR.search(text):
        return text
    return _ACCENTED_CHAR.sub(lambda m: _UNACCENT[m.group()], text)


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
        # Every matching word starts with its term's stem, so this finds
        # (a superset of) them in C, without looking at every word.
        stems = sorted({re.escape(stem) for _, stem in self.stems}, key=len, reverse=True)
        self.candidates = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(stems) + r")[^\W_]*", re.IGNORECASE)
            if stems
            else None
        )

    def words(self, text: str):
        """``(start, end, terms)`` for each word of ``text`` that matches
        (see :func:`word_matches`), in order; quick on long text."""
        if self.candidates is None:
            return
        # Accents folded one character for one, so positions stay put.
        for match in self.candidates.finditer(_unaccent(text)):
            found = self(text[match.start() : match.end()])
            if found:
                yield match.start(), match.end(), found

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


LONG_TEXT = 4000  # characters; a longer text's snippet is looked for near its matches
FOCUS_HITS = 300  # matching words of a long text looked at for its snippet


def _focus(text: str, matcher: TermMatcher, reach: int = 600) -> tuple[int, int]:
    """For a long ``text``: the ``(start, end)`` character range, about
    ``2 * reach`` long and cut at spaces, around the stretch where most
    distinct terms match close together (the start of the text when none
    does). Work grows with the matching words, not with every word."""
    hits = list(itertools.islice(matcher.words(text), FOCUS_HITS))
    best_at, best_count = 0, 0
    for n, (start, _, _) in enumerate(hits):
        found: set[str] = set()
        for other_start, _, terms in hits[n:]:
            if other_start - start > reach:
                break
            found |= terms
        if len(found) > best_count:
            best_at, best_count = start, len(found)
    begin = max(0, best_at - reach // 2)
    end = min(len(text), begin + 2 * reach)
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < best_at else begin
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > best_at else end
    return begin, end


def snippet(text: str, terms: Iterable[str] | TermMatcher, *, words: int = 30) -> SafeString:
    """The ``words``-word stretch of ``text`` (plain, untrusted) with the most
    distinct matched terms, highlighted by :func:`highlight`, with "…" where
    text was cut. The start of the text when nothing matches."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    if len(text) > LONG_TEXT:
        begin, end = _focus(text, matcher)
        piece = snippet(text[begin:end], matcher, words=words)
        prefix = "… " if begin > 0 and not piece.startswith("… ") else ""
        suffix = " …" if end < len(text) and not piece.endswith(" …") else ""
        return mark_safe(prefix + piece + suffix)
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
COMMENT_FTS_TABLE = "advice_comment_fts"
PG_TABLE = "advice_article_search"
PG_COMMENT_TABLE = "advice_comment_search"

# Column weights, title / question / answer / topics, and approved comments.
# PostgreSQL's ts_rank takes them per weight class: {D answer, C question,
# B topics, A title}; a comment is its own index row, ranked with
# PG_COMMENT_RANK_WEIGHTS. An article's score adds, per query term, its own
# text's score and its best comment's (the comment's times
# WEIGHTS["comments"] on SQLite): comments weigh least, a fifth of the answer
# on both backends, so a word readers used finds the article, but an article
# whose own text has it ranks first (the pinned top hits in
# tests/advice/test_search.py).
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


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_fts_columns(connection, table: str = FTS_TABLE) -> tuple[str, ...]:
    """The columns of a SQLite FTS table as it stands (``()`` when missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA table_info({table})")
        return tuple(row[1] for row in cursor.fetchall())


def _sqlite_shape_ok(connection) -> bool:
    """Both SQLite FTS tables exist with today's columns."""
    return _sqlite_fts_columns(connection) == FTS_COLUMNS and (
        _sqlite_fts_columns(connection, COMMENT_FTS_TABLE) == COMMENT_FTS_COLUMNS
    )


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
        if not _sqlite_shape_ok(connection):
            _run(connection, SQLITE_UNINSTALL)
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
    """Re-install and rebuild the index when it is missing, has an older
    shape (before migration 0006) or misses any of its triggers (Django
    rebuilds a SQLite table for many ``ALTER``\\ s, which drops that table's
    triggers — on ``advice_article`` and on ``advice_comment`` alike). Meant
    for ``post_migrate``. Returns ``True`` when it repaired something,
    ``False`` when all was in place or the database is neither SQLite nor
    PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(SQLITE_TRIGGERS))
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                f"AND name IN ({placeholders})",
                SQLITE_TRIGGERS,
            )
            complete = cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
            complete = complete and _sqlite_shape_ok(connection)
        elif connection.vendor == "postgresql":
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


def _term_matches(terms: list[str], prefix: bool, vendor: str) -> list[str]:
    """One match expression per term (FTS5 or tsquery); with ``prefix`` the
    last term matches as a prefix."""
    make = fts5_match_expression if vendor == "sqlite" else tsquery_expression
    last = len(terms) - 1
    return [make([term], prefix=prefix and n == last) for n, term in enumerate(terms)]


def _hits_sql(
    terms: list[str],
    *,
    prefix: bool,
    vendor: str,
    row_id: str | None = None,
    any_term: bool = False,
):
    """SQL (and parameters) of rows ``(article_id, term, src, score)``: for
    each term (numbered from 0), the articles whose own text has it (src 0)
    and those with an approved comment that has it (src 1, one row per such
    comment), with that row's score for the term (SQLite: bm25, lower is
    better; PostgreSQL: ts_rank, higher is better). Each part is an index
    lookup of one term, so the work grows with the rows that hold the term,
    never with the length of an article's other comments. ``row_id``
    restricts it to one article (an SQL expression). With ``any_term`` no
    term needs telling apart: one lookup of all the terms joined by OR
    (numbered 0) on each table, its score the sum of the terms' scores."""
    parts, params = [], []
    if any_term:
        make = fts5_match_expression if vendor == "sqlite" else tsquery_expression
        matches = [make(terms, any_term=True, prefix=prefix)]
    else:
        matches = _term_matches(terms, prefix, vendor)
    for n, match in enumerate(matches):
        if vendor == "sqlite":
            own = f" AND rowid = {row_id}" if row_id else ""
            theirs = f" AND article_id = {row_id}" if row_id else ""
            parts.append(
                f"SELECT rowid AS article_id, {n} AS term, 0 AS src, "
                f"bm25({FTS_TABLE}, {_weights_sql()}) AS score "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{own}"
            )
            parts.append(
                f"SELECT article_id, {n}, 1, {WEIGHTS['comments']} * "
                f"bm25({COMMENT_FTS_TABLE}, 0.0, 1.0) "
                f"FROM {COMMENT_FTS_TABLE} WHERE {COMMENT_FTS_TABLE} MATCH %s{theirs}"
            )
        else:
            own = f" AND s.article_id = {row_id}" if row_id else ""
            theirs = f" AND c.article_id = {row_id}" if row_id else ""
            parts.append(
                f"SELECT s.article_id, {n} AS term, 0 AS src, "
                f"ts_rank('{PG_RANK_WEIGHTS}', s.document, q, {PG_RANK_NORMALIZATION}) AS score "
                f"FROM {PG_TABLE} s, to_tsquery('english', %s) q WHERE s.document @@ q{own}"
            )
            parts.append(
                f"SELECT c.article_id, {n}, 1, "
                f"ts_rank('{PG_COMMENT_RANK_WEIGHTS}', c.body, q, {PG_RANK_NORMALIZATION}) "
                f"FROM {PG_COMMENT_TABLE} c, to_tsquery('english', %s) q WHERE c.body @@ q{theirs}"
            )
        params += [match, match]
    return " UNION ALL ".join(parts), params


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
    no index (see :func:`search_index_install`).

    A term matches an article when its own text or one of its approved
    comments has it; unless ``any_term``, every term must match. Score: per
    term, the article's own score plus its best comment's (see
    :data:`WEIGHTS`), summed over the terms."""
    if not terms or connection.vendor not in ("sqlite", "postgresql"):
        return None
    vendor = connection.vendor
    published = Article.objects.published().exclude(id__in=list(exclude_ids)).order_by()
    sub_sql, sub_params = published.values("id").query.sql_with_params()
    hits, hit_params = _hits_sql(terms, prefix=prefix, vendor=vendor, any_term=any_term)
    best, order = ("min", "ASC") if vendor == "sqlite" else ("max", "DESC")
    having = "" if any_term else f" HAVING count(DISTINCT term) = {len(terms)}"
    # MATERIALIZED: the index lookups run once, whatever the planner thinks
    # of the published filter (PostgreSQL once re-ran them per article).
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT article_id, term, {best}(score) AS score "
        f"FROM ({hits}) h GROUP BY article_id, term, src) "
        f"SELECT article_id FROM hits WHERE article_id IN ({sub_sql}) "
        f"GROUP BY article_id{having} ORDER BY sum(score) {order}, article_id DESC LIMIT %s"
    )
    return sql, [*hit_params, *sub_params, limit]


def rank_sql(
    terms: list[str], *, any_term: bool = False, connection=default_connection
) -> tuple[str, list] | None:
    """A scalar SQL expression (and parameters) for use in a query over the
    article table: the search rank of that row's article for ``terms``,
    lower is better (the same scale :func:`ranked_ids_sql` orders by), NULL
    when it does not match. ``None`` when :func:`ranked_ids_sql` would be.
    Meant for a few rows (related articles): each is one index lookup per
    term."""
    if not terms or connection.vendor not in ("sqlite", "postgresql"):
        return None
    quote = connection.ops.quote_name
    row_id = f"{quote(Article._meta.db_table)}.{quote('id')}"
    vendor = connection.vendor
    hits, params = _hits_sql(terms, prefix=False, vendor=vendor, row_id=row_id, any_term=any_term)
    best, sign = ("min", "") if vendor == "sqlite" else ("max", "-")
    sql = (
        f"(SELECT {sign}sum(score) FROM (SELECT term, {best}(score) AS score "
        f"FROM ({hits}) h GROUP BY term, src) t)"
    )
    return sql, params


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
    return next(matcher.words(text), None) is not None


def best_comment(bodies: Iterable[str], terms: Iterable[str] | TermMatcher) -> str | None:
    """Of comment ``bodies`` (plain text), the first one matching the most
    distinct ``terms``; ``None`` when none matches any."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    best, best_count = None, 0
    for body in bodies:
        found: set[str] = set()
        for _, _, terms in matcher.words(body):
            found |= terms
            if len(found) == len(matcher.stems):
                break
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


COMMENTS_PER_SNIPPET = 1  # best-ranked comments per article read for its snippet


def _best_comments_sql(terms: list[str], article_ids: list[int], vendor: str):
    """SQL (and parameters) of ``(article_id, body)`` rows: for each of
    ``article_ids``, its approved comments that best match any of ``terms``
    by the index's rank, at most :data:`COMMENTS_PER_SNIPPET`, best first.
    Only those comments' bodies are read."""
    approved = Comment.Status.APPROVED.value
    if vendor == "sqlite":
        placeholders = ", ".join(["%s"] * len(article_ids))
        inner = (
            f"SELECT id, row_number() OVER (PARTITION BY article_id ORDER BY score, id) AS n "
            f"FROM (SELECT rowid AS id, article_id, bm25({COMMENT_FTS_TABLE}, 0.0, 1.0) AS score "
            f"FROM {COMMENT_FTS_TABLE} WHERE {COMMENT_FTS_TABLE} MATCH %s "
            f"AND article_id IN ({placeholders}))"
        )
        params = [fts5_match_expression(terms, any_term=True), *article_ids]
    else:
        inner = (
            "SELECT comment_id AS id, row_number() OVER (PARTITION BY article_id "
            "ORDER BY ts_rank(body, q) DESC, comment_id) AS n "
            f"FROM {PG_COMMENT_TABLE}, to_tsquery('english', %s) q "
            "WHERE body @@ q AND article_id = ANY(%s)"
        )
        params = [tsquery_expression(terms, any_term=True), list(article_ids)]
    sql = (
        f"SELECT c.article_id, c.body FROM advice_comment c JOIN ({inner}) b ON b.id = c.id "
        f"WHERE b.n <= {COMMENTS_PER_SNIPPET} AND c.status = %s ORDER BY c.article_id, b.n"
    )
    return sql, [*params, approved]


def _comment_snippets(results: list[SearchResult], matcher: TermMatcher) -> None:
    """Give each of ``results`` a snippet from its best-matching approved
    comment, when one matches (one query for all of them). On SQLite and
    PostgreSQL the index picks the best-ranked comment per article
    (:func:`_best_comments_sql`), so an article's other comments are never
    read; elsewhere all its approved comments are, and :func:`best_comment`
    picks."""
    ids = [r.article.pk for r in results]
    bodies: dict[int, list[str]] = {}
    vendor = default_connection.vendor
    if vendor in ("sqlite", "postgresql"):
        terms = [term for term, _ in matcher.stems]
        with default_connection.cursor() as cursor:
            cursor.execute(*_best_comments_sql(terms, ids, vendor))
            rows = cursor.fetchall()
    else:
        rows = (
            Comment.objects.visible()
            .filter(article_id__in=ids)
            .order_by("created_at", "id")
            .values_list("article_id", "body")
        )
    for article_id, body in rows:
        bodies.setdefault(article_id, []).append(" ".join(body.split()))
    for result in results:
        candidates = bodies.get(result.article.pk, [])
        if vendor in ("sqlite", "postgresql"):  # the index's pick, when it matches
            body = next((b for b in candidates if has_match(b, matcher)), None)
        else:
            body = best_comment(candidates, matcher)
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
