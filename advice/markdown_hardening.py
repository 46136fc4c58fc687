"""Hardening of Python-Markdown against hostile input: bounded scans.

Python-Markdown scans link text and URLs to the end of the text when a
bracket never closes, numbers repeated footnote references from the start
each time, its HTML block parser scans to the end for each "<" that never
closes, and its abbreviation extension copies the rest of the block for each
definition it takes out (and its definition pattern scans across lines), so
"[a](" * 3000 or "*[a]: b\n" * 2500 took seconds. This module keeps every
render linear in the text's length: :func:`limit_unclosed_angles` and
:func:`limit_abbreviations` (pre-passes on the text) and :func:`harden`
(bounded bracket and parenthesis scans, a linear footnote numbering, one-line
abbreviation definitions, at most ``MAX_ABBREVIATIONS`` definitions and
``MAX_FOOTNOTE_REFERENCES`` footnote links per document, installed on one
Markdown instance). Used only by
:func:`advice.markdown.render_markdown`, which also limits nesting and
rebuilds its instance after any error. Pure: no database, no request
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

import re
import types

import markdown as markdown_lib
from markdown.util import AtomicString

# A link's text may hold brackets (``[![img](src)](href)``) and its URL
# parentheses (``https://en.wikipedia.org/wiki/Foo_(bar)``), a few levels deep.
MAX_BRACKET_DEPTH = 8
LINK_TITLE_SLACK = 200  # characters after a URL's closing ")" a title may need
# More "<" than this that cannot close before the next "<" and the text is
# hostile (each would make the HTML parser scan to the end): they are escaped.
MAX_UNCLOSED_ANGLES = 50
# Abbreviation definitions honoured per document ("*[HTML]: HyperText..."):
# each costs a copy of the rest of its block and widens the pattern searched
# in all the text; further definition lines are shown as written.
MAX_ABBREVIATIONS = 50
# Footnote references rendered as links per document; further ones are shown
# as written ("[^1]"). A self-referring footnote made 20 KB into 400 KB.
MAX_FOOTNOTE_REFERENCES = 200

_BRACKETS = re.compile(r"[\[\]]")
_PARENTHESES = re.compile(r"[()]")
_ANGLES = re.compile(r"[<>]")
_TAG_START = re.compile(r"[A-Za-z/!?]")
# Where a block's text starts on a line: after indentation and any list,
# quote or definition markers (an abbreviation may be defined inside them).
_LINE_PREFIX = re.compile(r"[ \t]*(?:(?:>|(?:[-*+:]|\d{1,9}[.)])(?=[ \t]))[ \t]*)*")
_ABBREVIATION_DEFINITION = re.compile(r"\*\[[^\\\n]*?\][ ]?:")
# Python-Markdown's AbbrBlockprocessor.RE with the abbreviation kept on one
# line: its "[^\\]*?" ran across lines, to the end of the block for every
# line starting "*[" without a "]:" ("*[a]\n" * 4000 took 0.8 s).
_ONE_LINE_ABBREVIATION = re.compile(
    r"^[*]\[(?P<abbr>[^\\\n]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$", re.MULTILINE
)


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


def limit_abbreviations(text: str, *, limit: int = MAX_ABBREVIATIONS) -> str:
    """``text`` with the "*" of every abbreviation definition line after the
    first ``limit`` backslash-escaped ("\\*[a]: b"), so those lines show as
    written. Definitions inside lists, quotes and definitions count too.
    Unchanged when there are at most ``limit``. Linear in ``len(text)``."""
    if text.count("*[") <= limit:
        return text
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        start = _LINE_PREFIX.match(line).end()
        if _ABBREVIATION_DEFINITION.match(line, start):
            seen += 1
            if seen > limit:
                lines[i] = line[:start] + "\\" + line[start:]
    return "\n".join(lines) if seen > limit else text


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


def _counted_reset(extension, counter: list[int]) -> None:
    """Make ``extension.reset`` (called by ``Markdown.reset`` for each new
    document) also zero ``counter``."""
    original = extension.reset

    def reset() -> None:
        counter[0] = 0
        original()

    extension.reset = reset


def _capped_abbreviations(processor, counter: list[int]):
    """Wrap ``AbbrBlockprocessor.run``: after ``MAX_ABBREVIATIONS``
    definitions in a document, further blocks are left to the other block
    processors (a backstop for definitions :func:`limit_abbreviations` did
    not see, e.g. inside a footnote)."""
    original = processor.run

    def run(parent, blocks) -> bool:
        if counter[0] >= MAX_ABBREVIATIONS:
            return False
        taken = original(parent, blocks)
        if taken:
            counter[0] += 1
        return taken

    return run


def _capped_footnote_references(processor, counter: list[int]):
    """Wrap ``FootnoteInlineProcessor.handleMatch``: after
    ``MAX_FOOTNOTE_REFERENCES`` references rendered as links in a document,
    further ones stay text."""
    original = processor.handleMatch

    def handle_match(m, data):
        if counter[0] >= MAX_FOOTNOTE_REFERENCES:
            return None, None, None
        result = original(m, data)
        if result[0] is not None:
            counter[0] += 1
        return result

    return handle_match


def _table_head(block: str, border_end: re.Pattern) -> str:
    """The part of ``block`` that Python-Markdown's table test reads: the
    first two lines, and further lines only while each has a pipe border
    (the test stops at the first that has none). The stock test splits and
    strips the whole block, and a block processor that peels one line at a
    time (``# heading`` lines) asks it again for the rest: quadratic."""
    lines: list[str] = []
    start = 0
    while True:
        end = block.find("\n", start)
        line = block[start:] if end == -1 else block[start:end]
        lines.append(line)
        row = line.strip(" ")
        bordered = row.startswith("|") or border_end.search(row) is not None
        if end == -1 or (len(lines) >= 2 and not bordered):
            return "\n".join(lines)
        start = end + 1


def _bounded_table_test(original):
    def test(self, parent, block: str) -> bool:
        return original(self, parent, _table_head(block, self.RE_END_BORDER))

    return test


def _linear_abbreviations(processor):
    """``AbbrTreeprocessor.iter_element`` in linear time: the stock one
    inserts each ``<abbr>`` at the front of its parent one by one and looks
    up every element's position with ``list(parent).index()``, quadratic in
    a paragraph's length. Same output: the new elements go in at once, and
    each child's position comes from the loop."""

    def wrap(source: str) -> tuple[str, list]:
        pieces = []
        for match in reversed(list(processor.RE.finditer(source))):
            title = processor.abbrs[match.group(0)]
            if title:
                pieces.append(
                    processor.create_element(title, match.group(0), source[match.end() :])
                )
                source = source[: match.start()]
        pieces.reverse()
        return source, pieces

    def iter_element(el, parent=None, index: int = 0) -> None:
        children = list(el)
        for position in range(len(children) - 1, -1, -1):
            iter_element(children[position], el, position)
        if el.text and not isinstance(el.text, AtomicString):
            el.text, pieces = wrap(el.text)
            el[0:0] = pieces
        if parent is not None and el.tail and not isinstance(el.tail, AtomicString):
            el.tail, pieces = wrap(el.tail)
            parent[index + 1 : index + 1] = pieces

    return iter_element


def harden(instance: markdown_lib.Markdown) -> None:
    """Install the bounded scans and caps on ``instance``'s own link,
    abbreviation and footnote processors and extensions (the classes, and
    other instances, are left alone)."""
    from markdown.extensions.abbr import AbbrBlockprocessor, AbbrExtension, AbbrTreeprocessor
    from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor
    from markdown.extensions.tables import TableProcessor
    from markdown.inlinepatterns import LinkInlineProcessor

    for processor in instance.inlinePatterns:
        if isinstance(processor, LinkInlineProcessor):
            processor.getText = types.MethodType(_bounded_get_text, processor)
            processor.getLink = types.MethodType(
                _bounded_get_link(type(processor).getLink), processor
            )
    abbreviations, footnote_references = [0], [0]
    for extension in instance.registeredExtensions:
        if isinstance(extension, FootnoteExtension):
            extension.unique_ref = _linear_unique_ref(extension)
            _counted_reset(extension, footnote_references)
        elif isinstance(extension, AbbrExtension):
            _counted_reset(extension, abbreviations)
    for processor in instance.parser.blockprocessors:
        if isinstance(processor, TableProcessor):
            processor.test = types.MethodType(_bounded_table_test(type(processor).test), processor)
        if isinstance(processor, AbbrBlockprocessor):
            processor.RE = _ONE_LINE_ABBREVIATION
            processor.run = _capped_abbreviations(processor, abbreviations)
    for processor in instance.treeprocessors:
        if isinstance(processor, AbbrTreeprocessor):
            processor.iter_element = _linear_abbreviations(processor)
    for processor in instance.inlinePatterns:
        if isinstance(processor, FootnoteInlineProcessor):
            processor.handleMatch = _capped_footnote_references(processor, footnote_references)
