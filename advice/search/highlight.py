"""Highlighting and snippets of search results (pure: no database, no
request; see docs/architecture.md, ``search/``).

Plain text in, safe HTML out: :func:`highlight` and :func:`snippet` escape
the text first and only then wrap matched words in ``<mark>``, so neither
an article nor a query can bring HTML. Which words match is
:func:`advice.search.terms.matched_terms`'s rule; :class:`TermMatcher`
applies it with each distinct word looked at once. Long texts are
snippeted around their matches without looking at every word.
:func:`plain_text` is the readable text of rendered HTML that snippets,
feeds and page descriptions quote (note markers removed: the marker syntax
is :mod:`notes.markers`'s).
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from advice.search.terms import WORD, fold, matched_terms, term_stems, unaccent
from notes.markers import strip_markers


class TermMatcher:
    """Which of ``terms`` a word matches (see
    :func:`advice.search.terms.matched_terms`), with the term stems worked
    out once and each distinct word looked at once. Call it with a word to
    get the ``frozenset`` of terms it matches."""

    def __init__(self, terms: Iterable[str]):
        self.stems = term_stems(terms)
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
        (see :func:`advice.search.terms.word_matches`), in order; quick on
        long text."""
        if self.candidates is None:
            return
        # Accents folded one character for one, so positions stay put.
        for match in self.candidates.finditer(unaccent(text)):
            found = self(text[match.start() : match.end()])
            if found:
                yield match.start(), match.end(), found

    def __call__(self, word: str) -> frozenset[str]:
        folded = fold(word)
        found = self.seen.get(folded)
        if found is None:
            found = matched_terms(folded, self.stems)
            self.seen[folded] = found
        return found


def plain_text(fragment: str) -> str:
    """Readable text of an HTML ``fragment``: tags removed, entities decoded,
    note-template markers removed, whitespace collapsed. Returns plain
    (unescaped) ``str`` — escape it before showing it."""
    text = html.unescape(strip_tags(fragment or ""))
    text = strip_markers(text)
    return " ".join(text.split())


def highlight(text: str, terms: Iterable[str] | TermMatcher) -> SafeString:
    """``text`` (plain, untrusted) escaped, with each word matching ``terms``
    wrapped in ``<mark>``. Escaping happens to every piece before any mark
    is added, so neither the text nor the query can bring HTML."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    out, position = [], 0
    for match in WORD.finditer(text):
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
    spans = [m.span() for m in WORD.finditer(text)]
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
