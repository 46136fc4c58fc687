"""A reader's search words as query terms, and the match expressions built of
them (pure: no database, no request; see docs/architecture.md, ``search/``).

:func:`query_terms` turns whatever a reader typed into a short list of plain
word terms: letters and digits only, lower-cased, accents folded, English
stop words dropped. Because a term can hold no quote, operator (``AND OR NOT
NEAR * ^ : - & | ! <->``) or punctuation, :func:`fts5_match_expression` and
:func:`tsquery_expression` can quote each term and join them with operators
of *our* choosing; the reader's text never reaches a query language as
syntax. The accent map (:data:`ACCENTED` → :data:`UNACCENTED`) is also the
one PostgreSQL's ``advice_unaccent()`` uses, and :func:`matched_terms` is
the one rule for which words highlighting marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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

# A word: a run of letters and digits (no "_").
WORD = re.compile(r"[^\W_]+")


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


def unaccent(text: str) -> str:
    """``text`` with Latin accents removed, one character for one (so
    positions stay put); quick when there are none. Case is kept."""
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
    for word in WORD.findall(fold((text or "")[:MAX_QUERY_CHARS])):
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


# --- Word forms (for highlighting) ---------------------------------------------

_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A light English stem for highlighting only ("following" → "follow"):
    one of the suffixes ing, ed, es, s, ly cut when at least three letters
    stay. ``word`` should be folded (:func:`fold`) first."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def term_stems(terms: Iterable[str]) -> list[tuple[str, str]]:
    """``(term, stem(term))`` for each of ``terms``, in order."""
    return [(term, stem(term)) for term in terms]


def matched_terms(folded: str, stems: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The terms (of ``stems``, from :func:`term_stems`) that the word
    ``folded`` (already :func:`fold`-ed) matches: it has the same light stem,
    or it starts with the stem of a term of at least 4 letters ("following"
    for "follow", "interviews" for "interview")."""
    word_stem = stem(folded)
    return frozenset(
        term
        for term, term_stem in stems
        if word_stem == term_stem or (len(term_stem) >= 4 and folded.startswith(term_stem))
    )


def word_matches(word: str, terms: Iterable[str]) -> bool:
    """True when ``word`` (any case and accents) should be highlighted for
    ``terms`` (see :func:`matched_terms`)."""
    return bool(matched_terms(fold(word), term_stems(terms)))
