"""The note marker: how an answer embeds a note template's drafter.

An editor writes the Markdown line ``{{note:<slug>}}`` on a paragraph of its
own; Markdown renders it as the paragraph ``<p>{{note:<slug>}}</p>``, which
the ``answer_with_drafters`` tag (:mod:`notes.templatetags.notes_tags`)
replaces with that note template's drafter. This module is the one owner of
that syntax (docs/architecture.md: ``notes`` owns the note marker): the line
an editor or a tool writes (:func:`marker_line`), the rendered paragraph the
tag looks for (:data:`MARKER_PARAGRAPH`, :func:`marker_slugs`), and the loose
form that other text is cleaned of (:data:`MARKER_TEXT`,
:func:`strip_markers`, :func:`find_markers`) — search snippets, for one, never
quote a marker. Pure: values in, values out; imports nothing of ``advice``.
"""

from __future__ import annotations

import re

from django.utils.html import format_html, format_html_join

MARKER_OPEN = "{{note:"
MARKER_CLOSE = "}}"
# How help texts and messages show the syntax to an editor.
MARKER_SYNTAX = MARKER_OPEN + "<slug>" + MARKER_CLOSE

# A slug a marker can name: letters of any script, digits, "_" and "-", at
# most 200 characters (NoteTemplate.slug's max_length).
SLUG_PATTERN = r"[-\w]{1,200}"

# The rendered marker: a paragraph holding nothing but the marker (what the
# Markdown line renders to). Group 1 is the slug.
MARKER_PARAGRAPH = re.compile(r"<p>\{\{note:(" + SLUG_PATTERN + r")\}\}</p>")

# Anything that looks like a marker inside text, loosely (spaces after the
# braces, any slug), so that text shown elsewhere is cleaned of it even when
# the marker is misspelt and would embed nothing.
MARKER_TEXT = re.compile(r"\{\{\s*note:[^}]*\}\}")

# A marker line of Markdown as an editor writes it: the marker alone on its
# line (up to three spaces before, any blanks after, as Markdown reads a
# paragraph). Group 1 is the slug. Markers inside fenced code are still
# matched: an editor quoting the syntax in code is rare, and a wrong slug
# there is worth a look too.
MARKER_LINE = re.compile(r"^ {0,3}\{\{note:(" + SLUG_PATTERN + r")\}\}[ \t]*$", re.MULTILINE)


def marker_line(slug: str) -> str:
    """The Markdown line that embeds note template ``slug``: ``{{note:slug}}``.
    ``slug`` is used as given (no check)."""
    return MARKER_OPEN + slug + MARKER_CLOSE


def marker_slugs(html: str) -> list[str]:
    """The note-template slugs named by marker paragraphs in rendered
    ``html`` (see :data:`MARKER_PARAGRAPH`), in order, repeats kept."""
    return MARKER_PARAGRAPH.findall(html)


def find_markers(text: str) -> list[str]:
    """Every marker-looking piece of ``text`` (see :data:`MARKER_TEXT`), as
    written, in order; ``[]`` when there is none."""
    return MARKER_TEXT.findall(text or "")


def strip_markers(text: str, replacement: str = " ") -> str:
    """``text`` with every marker-looking piece (see :data:`MARKER_TEXT`)
    replaced by ``replacement`` (one space by default, so the words on
    either side stay apart)."""
    return MARKER_TEXT.sub(replacement, text)


def marker_line_slugs(markdown: str) -> list[str]:
    """The slugs named by marker lines (:data:`MARKER_LINE`) of ``markdown``
    (an answer as the editor wrote it), in order, repeats kept."""
    return MARKER_LINE.findall((markdown or "").replace("\r\n", "\n"))


def unknown_marker_slugs(markdown: str, known: set[str] | frozenset[str]) -> list[str]:
    """The slugs that marker lines of ``markdown`` name but that are not in
    ``known`` (the existing note templates' slugs), in order, each once."""
    return list(dict.fromkeys(s for s in marker_line_slugs(markdown) if s not in known))


def unknown_marker_message(unknown: list[str], known: list[str]) -> str:
    """An editor's error for markers naming templates that do not exist:
    which, and the slugs that do (``known``, in the order given), e.g.
    'No note template “thanks”. The note templates are: follow-up,
    thank-you. Write the marker as {{note:<slug>}}.' Plain text."""
    names = ", ".join(f"“{slug}”" for slug in unknown)
    noun = "template" if len(unknown) == 1 else "templates"
    available = (
        "The note templates are: " + ", ".join(known) + "."
        if known
        else "There are no note templates yet: make one under Notes first."
    )
    return f"No note {noun} {names}. {available} Write the marker as {MARKER_SYNTAX}."


def marker_help_html(slugs: list[str]) -> str:
    """Help text (safe HTML) for a Markdown field that may hold markers: how
    to write one, with ``<slug>`` shown as text, and the template slugs an
    editor can use (``slugs``, in the order given)."""
    intro = format_html(
        "A line <code>{}</code> on its own embeds that note template's drafter there.",
        MARKER_SYNTAX,
    )
    if not slugs:
        return format_html("{} There are no note templates yet.", intro)
    listed = format_html_join(", ", "<code>{}</code>", ((slug,) for slug in slugs))
    return format_html("{} Note templates: {}.", intro, listed)


def marker_placeholders(html: str, titles: dict[str, str]) -> str:
    """Rendered ``html`` (already sanitised) with each marker paragraph
    replaced by a placeholder card for the editor's preview: the note
    template's title and slug from ``titles`` (slug → title), or a warning
    that no template has that slug. Returns HTML; the inserted parts are
    escaped."""

    def card(match: re.Match) -> str:
        slug = match.group(1)
        if slug in titles:
            return format_html(
                '<div class="note-placeholder" role="note"><strong>Note drafter: {}</strong> '
                "<code>{}</code><br>Readers see the fill-in form for this note template "
                "here.</div>",
                titles[slug],
                marker_line(slug),
            )
        return format_html(
            '<div class="note-placeholder note-placeholder-missing" role="note">'
            "<strong>No note template “{}”</strong> <code>{}</code><br>Saving will refuse "
            "this marker until the template exists.</div>",
            slug,
            marker_line(slug),
        )

    return MARKER_PARAGRAPH.sub(card, html)
