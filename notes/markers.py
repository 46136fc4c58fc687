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
