"""The blanks syntax of a note template: parse it, fill it.

The syntax is what an editor types anyway::

    Hi, [name]!

    Thanks for talking with me about the [role] opening.
    I'm a big fan of [show?], too.

    [your name]

- ``[name]`` is a blank. Its *key* is the name lower-cased with runs of
  white space made one space, so ``[Your  Name]`` and ``[your name]`` are
  the same blank; a blank used twice is one form field.
- ``[show?]`` is an optional occurrence. A line whose optional blanks are all
  left empty is dropped from the note (and, when that line was a paragraph
  of its own, one blank line next to it, so no double gap is left).
  A blank is *required* when at least one of its occurrences is not optional.
- Markdown links are not blanks: inline ``[text](url)``, reference
  ``[text][ref]`` / ``[text][]``, definitions ``[ref]: url`` and a shortcut
  ``[ref]`` whose definition appears in the same text stay literal text.
- ``\\[``, ``\\]`` and ``\\\\`` are a literal ``[``, ``]`` and ``\\``; any
  other backslash is kept as it is. A stray ``]`` is literal.
- Errors (:class:`BlankSyntaxError`, with 1-based line and column): a ``[``
  never closed on its line, a ``[`` inside a blank, an empty blank ``[]`` /
  ``[?]``, a name longer than :data:`NAME_MAX_LENGTH` characters.

Filling (:func:`fill`) is plain text substitution: whatever a reader types
(``{{ x }}``, ``{% tag %}``, ``<b>``) comes out exactly as typed. No template
engine ever sees it. Escaping for HTML happens where the note is shown, not
here.

``static/js/drafter.js`` mirrors :func:`fill_lines` on the pieces that
:meth:`ParsedNote.to_json` hands to the page; it never parses a template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

NAME_MAX_LENGTH = 40  # characters in a blank's name, "?" not counted

_DEFINITION = re.compile(r"^ {0,3}\[((?:\\.|[^\]\\\n])+)\]:", re.MULTILINE)
_SPACE = re.compile(r"\s+")


class BlankSyntaxError(ValueError):
    """A template that cannot be parsed. ``line`` and ``column`` are 1-based
    and point at the offending character; ``str(error)`` says both."""

    def __init__(self, message: str, line: int, column: int):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"Line {line}, column {column}: {message}")


@dataclass(frozen=True)
class Piece:
    """One piece of a parsed template.

    ``kind`` is ``"text"`` (``text`` holds it, never a newline), ``"blank"``
    (``key``, ``optional`` and ``source`` — the blank as written, e.g.
    ``"[Show?]"``) or ``"newline"``.
    """

    kind: str
    text: str = ""
    key: str = ""
    optional: bool = False
    source: str = ""

    def to_json(self) -> dict:
        """The piece as a JSON-ready dict: ``{"text": str}``,
        ``{"blank": key, "optional": bool, "source": str}`` or
        ``{"newline": true}``."""
        if self.kind == "text":
            return {"text": self.text}
        if self.kind == "blank":
            return {"blank": self.key, "optional": self.optional, "source": self.source}
        return {"newline": True}


@dataclass(frozen=True)
class BlankInfo:
    """A distinct blank of a template: its ``key``, a ``label`` taken from
    its first occurrence ("Your name"), and whether it is ``required``."""

    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class ParsedNote:
    """The result of :func:`parse`: ``pieces`` in order and ``blanks`` in the
    order of their first occurrence."""

    pieces: tuple[Piece, ...]
    blanks: tuple[BlankInfo, ...]

    def to_json(self) -> list[dict]:
        """The pieces as a list of JSON-ready dicts (see :meth:`Piece.to_json`)."""
        return [piece.to_json() for piece in self.pieces]


def blank_key(name: str) -> str:
    """The key of a blank named ``name``: white space collapsed, case folded
    (``"Your  Name"`` → ``"your name"``)."""
    return _SPACE.sub(" ", name).strip().casefold()


def _label(name: str) -> str:
    name = _SPACE.sub(" ", name).strip()
    return name[:1].upper() + name[1:]


def _closing_paren(line: str, start: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``start``, or -1.

    The pairs of a line are found once (:func:`_paren_pairs`), so a line of
    many unclosed ``(`` costs linear time, not a scan to the end per ``(``."""
    return _paren_pairs(line).get(start, -1)


@lru_cache(maxsize=32)
def _paren_pairs(line: str) -> dict[int, int]:
    """Every matched ``(`` of ``line`` (backslash escapes skipped) mapped to
    the index of its ``)``, in one pass with a stack."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            pairs[opened.pop()] = i
        i += 1
    return pairs


def _closing_bracket(line: str, start: int) -> int:
    """Index of the ``]`` closing the ``[`` at ``start`` (no ``[`` between), or -1."""
    i = start + 1
    while i < len(line):
        char = line[i]
        if char == "\\":
            i += 2
            continue
        if char == "]":
            return i
        if char == "[":
            return -1
        i += 1
    return -1


def _parse_line(line: str, number: int, definitions: set[str]) -> list[Piece]:
    pieces: list[Piece] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            pieces.append(Piece("text", text="".join(text)))
            text.clear()

    if _DEFINITION.match(line):  # "[ref]: https://…" stays as it is
        return [Piece("text", text=line)] if line else []

    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] in "[]\\":
            text.append(line[i + 1])
            i += 2
            continue
        if char != "[":
            text.append(char)
            i += 1
            continue
        close = _closing_bracket(line, i)
        if close == -1:
            inner_open = line.find("[", i + 1)
            if inner_open != -1 and "]" in line[inner_open:]:
                raise BlankSyntaxError(
                    "a “[” inside a blank; write \\[ for a literal bracket",
                    number,
                    inner_open + 1,
                )
            raise BlankSyntaxError(
                "this “[” is never closed on its line; add “]” or write \\[ for a literal bracket",
                number,
                i + 1,
            )
        inner = line[i + 1 : close]
        after = line[close + 1 : close + 2]
        if after == "(":
            end = _closing_paren(line, close + 1)
            if end != -1:  # inline link [text](url)
                text.append(line[i : end + 1])
                i = end + 1
                continue
        if after == "[":
            end = _closing_bracket(line, close + 1)
            if end != -1:  # reference link [text][ref] or [text][]
                text.append(line[i : end + 1])
                i = end + 1
                continue
        if blank_key(inner) in definitions:  # shortcut reference link [ref]
            text.append(line[i : close + 1])
            i = close + 1
            continue
        name = inner.strip()
        optional = name.endswith("?")
        if optional:
            name = name[:-1].strip()
        if not name:
            raise BlankSyntaxError("an empty blank; give it a name, as in [name]", number, i + 1)
        if len(name) > NAME_MAX_LENGTH:
            raise BlankSyntaxError(
                f"a blank's name may be at most {NAME_MAX_LENGTH} characters "
                f"(this one has {len(name)})",
                number,
                i + 1,
            )
        flush()
        pieces.append(
            Piece("blank", key=blank_key(name), optional=optional, source=line[i : close + 1])
        )
        i = close + 1
    flush()
    return pieces


@lru_cache(maxsize=256)
def parse(template: str) -> ParsedNote:
    """Parse ``template`` (``str`` in the blanks syntax) into a
    :class:`ParsedNote`. Line endings ``\\r\\n`` and ``\\r`` count as ``\\n``.

    Raises :class:`BlankSyntaxError` (a ``ValueError``) with line and column.
    Results are cached by text (the result is immutable).
    """
    text = template.replace("\r\n", "\n").replace("\r", "\n")
    definitions = {blank_key(m.group(1)) for m in _DEFINITION.finditer(text)}
    pieces: list[Piece] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if number > 1:
            pieces.append(Piece("newline"))
        pieces.extend(_parse_line(line, number, definitions))

    labels: dict[str, str] = {}
    required: dict[str, bool] = {}
    for piece in pieces:
        if piece.kind != "blank":
            continue
        if piece.key not in labels:
            labels[piece.key] = _label(piece.source[1:-1].strip().rstrip("?"))
            required[piece.key] = False
        required[piece.key] = required[piece.key] or not piece.optional
    blanks = tuple(BlankInfo(key, labels[key], required[key]) for key in labels)
    return ParsedNote(tuple(pieces), blanks)


def merge_blanks(*notes: ParsedNote) -> tuple[BlankInfo, ...]:
    """The distinct blanks of several parsed texts (a body and its subject
    line), in order of first appearance; a blank is required when it is
    required in any of them."""
    merged: dict[str, BlankInfo] = {}
    for note in notes:
        for blank in note.blanks:
            seen = merged.get(blank.key)
            if seen is None:
                merged[blank.key] = blank
            elif blank.required and not seen.required:
                merged[blank.key] = BlankInfo(seen.key, seen.label, True)
    return tuple(merged.values())


@dataclass(frozen=True)
class Segment:
    """A run of filled-in text. ``state`` is ``"text"`` (from the template),
    ``"filled"`` (what the reader typed) or ``"empty"`` (an unfilled blank,
    ``text`` then holds the blank as written, e.g. ``"[name]"``)."""

    text: str
    state: str


def _clean_value(value: object) -> str:
    # A blank is one line: a pasted line break becomes a space.
    return " ".join(str(value).splitlines()) if value is not None else ""


def fill_lines(parsed: ParsedNote, values: Mapping[str, object]) -> list[list[Segment]]:
    """Fill ``parsed`` with ``values`` (blank key → text; missing, ``None``
    and all-white-space values count as empty) and return the note's lines,
    each a list of :class:`Segment`.

    A line holding optional blanks that are all empty is dropped; when the
    dropped lines stood between blank lines (or at the start or end), one
    adjacent blank line goes too. An empty required blank stays in the note
    as written (``[name]``), marked ``"empty"``.
    """
    values = {key: _clean_value(value) for key, value in values.items()}
    lines: list[list[Piece]] = [[]]
    for piece in parsed.pieces:
        if piece.kind == "newline":
            lines.append([])
        else:
            lines[-1].append(piece)

    def is_empty(key: str) -> bool:
        return not values.get(key, "").strip()

    def is_blank_line(line: list[Piece]) -> bool:
        return all(p.kind == "text" and not p.text.strip() for p in line)

    dropped = [
        any(p.kind == "blank" and p.optional for p in line)
        and all(is_empty(p.key) for p in line if p.kind == "blank" and p.optional)
        for line in lines
    ]
    extra: set[int] = set()
    i = 0
    while i < len(lines):
        if not dropped[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and dropped[j]:
            j += 1
        before_gap = i == 0 or is_blank_line(lines[i - 1])
        after_gap = j == len(lines) or is_blank_line(lines[j])
        if before_gap and after_gap:
            if j < len(lines):
                extra.add(j)
            elif i > 0:
                extra.add(i - 1)
        i = j

    result: list[list[Segment]] = []
    for index, line in enumerate(lines):
        if dropped[index] or index in extra:
            continue
        segments: list[Segment] = []
        for piece in line:
            if piece.kind == "text":
                segments.append(Segment(piece.text, "text"))
            elif is_empty(piece.key):
                segments.append(Segment(piece.source, "empty"))
            else:
                segments.append(Segment(values[piece.key].strip(), "filled"))
        result.append(segments)
    return result


def fill(parsed: ParsedNote, values: Mapping[str, object]) -> str:
    """The filled note as plain text (lines joined with ``\\n``); see
    :func:`fill_lines` for the rules. Never raises for any values."""
    return "\n".join("".join(s.text for s in line) for line in fill_lines(parsed, values))


def missing_blanks(blanks: tuple[BlankInfo, ...], values: Mapping[str, object]) -> list[BlankInfo]:
    """The required ``blanks`` left empty in ``values``, in the given order."""
    return [
        blank
        for blank in blanks
        if blank.required and not _clean_value(values.get(blank.key)).strip()
    ]
