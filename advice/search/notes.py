"""Note templates in search results, listed apart from the articles (see
docs/architecture.md, ``search/``).

Note templates are few and written by the editors, so they are not in the
full-text index: a template is a candidate when its title, subject or body
contains the light stem (:func:`advice.search.terms.stem`) of one of the
reader's terms (``icontains``, one query), and the candidates are then
matched word by word with the rule highlighting uses
(:class:`advice.search.highlight.TermMatcher`). Words typed without the
accents a template has ("resume" for "résumé") are not found by the first
step; the index's accent folding does not reach this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.safestring import SafeString

from advice.search.highlight import TermMatcher, highlight, snippet
from advice.search.terms import stem
from notes.models import NoteTemplate

MAX_NOTE_RESULTS = 5  # note templates listed above the articles
MAX_CANDIDATES = 200  # rows read for matching; more is never looked at


@dataclass
class NoteResult:
    """One note template found: the template, its title and a snippet of its
    text, both highlighted (safe HTML)."""

    note: NoteTemplate
    title: SafeString
    snippet: SafeString


def _matched(text: str, matcher: TermMatcher) -> set[str]:
    found: set[str] = set()
    for _start, _end, terms in matcher.words(text):
        found |= terms
    return found


def search_note_templates(terms: list[str], *, limit: int = MAX_NOTE_RESULTS) -> list[NoteResult]:
    """The note templates matching ``terms`` (from
    :func:`advice.search.terms.query_terms`): those whose title, subject and
    body hold every term, or, when none does, those holding any of them.
    Best first: more terms in the title, then more terms in all, then by
    title. At most ``limit``. One query; none without terms."""
    if not terms or limit <= 0:
        return []
    condition = Q()
    for term in terms:
        part = stem(term)
        condition |= Q(title__icontains=part) | Q(subject__icontains=part) | Q(body__icontains=part)
    candidates = NoteTemplate.objects.filter(condition).only("title", "slug", "subject", "body")[
        :MAX_CANDIDATES
    ]
    matcher = TermMatcher(terms)
    scored = []
    for note in candidates:
        in_title = _matched(note.title, matcher)
        in_all = in_title | _matched(note.subject + " " + note.body, matcher)
        if in_all:
            scored.append((len(in_all) == len(terms), len(in_title), len(in_all), note))
    if any(every for every, *_ in scored):
        scored = [row for row in scored if row[0]]
    scored.sort(key=lambda row: (-row[1], -row[2], row[3].title.casefold()))
    return [
        NoteResult(
            note=note,
            title=highlight(note.title, matcher),
            snippet=snippet(" ".join(note.body.split()), matcher, words=24),
        )
        for *_, note in scored[:limit]
    ]
