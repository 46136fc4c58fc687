"""Hardening of Python-Markdown against hostile input: bounded scans.

Python-Markdown scans link text and URLs to the end of the text when a
bracket never closes, numbers repeated footnote references from the start
each time, and its HTML block parser scans to the end for each "<" that
never closes, so "[a](" * 3000 took seconds. This module keeps every render
linear in the text's length: :func:`limit_unclosed_angles` (a pre-pass on
the text) and :func:`harden` (bounded bracket and parenthesis scans and a
linear footnote numbering, installed on one Markdown instance). Used only by
:func:`advice.markdown.render_markdown`, which also limits nesting and
rebuilds its instance after any error. Pure: no database, no request
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

import re
import types

import markdown as markdown_lib

# A link's text may hold brackets (``[![img](src)](href)``) and its URL
# parentheses (``https://en.wikipedia.org/wiki/Foo_(bar)``), a few levels deep.
MAX_BRACKET_DEPTH = 8
LINK_TITLE_SLACK = 200  # characters after a URL's closing ")" a title may need
# More "<" than this that cannot close before the next "<" and the text is
# hostile (each would make the HTML parser scan to the end): they are escaped.
MAX_UNCLOSED_ANGLES = 50

_BRACKETS = re.compile(r"[\[\]]")
_PARENTHESES = re.compile(r"[()]")
_ANGLES = re.compile(r"[<>]")
_TAG_START = re.compile(r"[A-Za-z/!?]")


def limit_unclosed_angles(text: str) -> str:
    """Escape "<" that cannot close before the next "<" when there are more
    than ``MAX_UNCLOSED_ANGLES`` of them (never in real writing): each one
    would make the HTML block parser scan to the end of the text."""
    if text.count("<") <= MAX_UNCLOSED_ANGLES:
        return text
    unclosed = []
    previous = None
    for match in _ANGLES.finditer(text):
        if match.group(0) == "<" and not _TAG_START.match(text, match.end()):
            continue  # "<<" or "a < b": not a tag, no scan
        if match.group(0) == "<":
            if previous is not None:
                unclosed.append(previous)
            previous = match.start()
        else:
            previous = None
    if previous is not None:
        unclosed.append(previous)
    if len(unclosed) <= MAX_UNCLOSED_ANGLES:
        return text
    pieces, start = [], 0
    for pos in unclosed:
        pieces.append(text[start:pos])
        pieces.append("&lt;")
        start = pos + 1
    pieces.append(text[start:])
    return "".join(pieces)


def _bounded_get_text(self, data: str, index: int) -> tuple[str, int, bool]:
    """Python-Markdown's ``LinkInlineProcessor.getText`` (the text between a
    link's ``[`` and its matching ``]``), skipping text at C speed and giving
    up beyond ``MAX_BRACKET_DEPTH`` nested brackets, so text full of "[" is
    linear instead of quadratic."""
    depth = 1
    for match in _BRACKETS.finditer(data, index):
        depth += 1 if match.group(0) == "[" else -1
        if depth == 0:
            return data[index : match.start()], match.end(), True
        if depth > MAX_BRACKET_DEPTH:
            break
    return "", index, False


def _bounded_get_link(original):
    """Wrap ``LinkInlineProcessor.getLink`` (the URL and title between a
    link's ``(`` and ``)``) so it only reads up to the matching ``)`` (plus
    room for a title): refused at once when no ``)`` closes within
    ``MAX_BRACKET_DEPTH`` levels, instead of a scan to the end per "(" ."""

    def get_link(self, data: str, index: int):
        opening = self.RE_LINK.match(data, pos=index)
        if not opening or opening.group(1):  # no "(" here, or "(<url>)": a bounded regex
            return original(self, data, index)
        depth = 1
        for match in _PARENTHESES.finditer(data, opening.end()):
            depth += 1 if match.group(0) == "(" else -1
            if depth == 0:
                end = min(len(data), match.end() + LINK_TITLE_SLACK)
                return original(self, data[:end], index)
            if depth > MAX_BRACKET_DEPTH:
                break
        return "", None, index, False

    return get_link


def _linear_unique_ref(footnotes):
    """Python-Markdown's footnote ``unique_ref`` tries fnref, fnref2, fnref3...
    from the start for every repeat of a reference (quadratic for "[^1]" × N);
    this resumes from the last number given to that reference."""
    original = type(footnotes).unique_ref
    last: dict[str, str] = {}

    def unique_ref(reference: str, found: bool = False) -> str:
        if not found:
            return reference
        resume = last.get(reference)
        start = resume if resume is not None and resume in footnotes.used_refs else reference
        result = original(footnotes, start, found)
        if start != reference:  # count it under the reference it was found as
            footnotes.found_refs[start] -= 1
            if not footnotes.found_refs[start]:
                del footnotes.found_refs[start]
            footnotes.found_refs[reference] = footnotes.found_refs.get(reference, 0) + 1
        last[reference] = result
        return result

    return unique_ref


def harden(instance: markdown_lib.Markdown) -> None:
    """Install the bounded scans on ``instance``'s own link processors and
    footnote extension (the classes, and other instances, are left alone)."""
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.inlinepatterns import LinkInlineProcessor

    for processor in instance.inlinePatterns:
        if isinstance(processor, LinkInlineProcessor):
            processor.getText = types.MethodType(_bounded_get_text, processor)
            processor.getLink = types.MethodType(
                _bounded_get_link(type(processor).getLink), processor
            )
    for extension in instance.registeredExtensions:
        if isinstance(extension, FootnoteExtension):
            extension.unique_ref = _linear_unique_ref(extension)
