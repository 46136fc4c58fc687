"""Turn the quoted fill-in note of an answer into a note template (pure).

The seed post's answer quotes its note as a Markdown blockquote of several
paragraphs with blanks (``[name]``, ``[whatever] position``, ``[your
name]``), and a second, one-paragraph quote with an extra line to add when it
fits (``I'm a big fan of [show]``). :func:`extract_note` finds those quotes
and builds the note template's body and subject:

- the first blockquote holding at least one blank (in the syntax of
  :mod:`notes.blanks`) is the note; its paragraphs become the body's
  paragraphs (soft-wrapped lines joined with a space, hard breaks kept);
- each later blockquote with blanks becomes an optional line: its blanks that
  are not in the note are marked optional (``[show?]``), so the line drops
  out when the reader leaves them empty. It goes before the note's sign-off
  (a last paragraph of at most four words, such as ``[your name]``), or at
  the end when there is none;
- the answer gets the marker line ``{{note:<slug>}}``
  (:func:`notes.markers.marker_line`) in place of the first quote; the later
  quotes are removed. A paragraph that introduced a removed quote (it ends
  with ":" or a dash, as the seed's "…a comment about the show itself–"
  does) would be left hanging, so it is ended with a pointer to the note's
  optional line instead (:data:`POINTER`), and also becomes the optional
  blank's help;
- every blank gets a readable label and help from the words around it
  (:func:`advice.quoted_notes.labels.blank_labels`).

Quotes inside fenced code blocks are left alone. Only values in, values out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from advice.quoted_notes.labels import blank_labels
from notes.blanks import BlankSyntaxError, Piece, parse
from notes.markers import marker_line

_QUOTE = re.compile(r"^ {0,3}> ?")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_ESCAPE = re.compile(r"\\([`*_{}()#+\-.!|>])")
_SIGN_OFF_WORDS = 4
# The end of a paragraph that introduces what follows: a colon, a dash or
# an ellipsis (any blanks after it).
_INTRODUCES = re.compile(r"\s*(:|–|—|-{1,2}|…|\.\.\.)\s*$")
_LAST_SENTENCE = re.compile(r"(?:^|(?<=[.!?]) )([^.!?]+)$")
POINTER = ": the note above has an optional line for it."
_ROLE = re.compile(r"(\[[^\[\]\n]{1,40}\]) (position|job|role|opening)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    """A blockquote of the Markdown: lines ``start`` to ``end`` (exclusive,
    0-based) and its ``paragraphs`` as plain text."""

    start: int
    end: int
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ExtractedNote:
    """What :func:`extract_note` found: the template's ``body`` and
    ``subject`` (blanks syntax), ``blank_settings`` for the optional blanks,
    and the ``answer`` Markdown with the marker in place of the quotes."""

    body: str
    subject: str
    blank_settings: dict[str, dict[str, str]]
    answer: str


def _paragraphs(content: list[str]) -> tuple[str, ...]:
    paragraphs: list[str] = []
    current = ""
    for line in content + [""]:
        if not line.strip():
            if current:
                paragraphs.append(current)
            current = ""
            continue
        hard_break = line.endswith(("  ", "\\"))
        text = line.rstrip()
        if text.endswith("\\") and not text.endswith("\\\\"):
            text = text[:-1].rstrip()
        text = html.unescape(_MD_ESCAPE.sub(r"\1", text.strip()))
        if current and not current.endswith("\n"):
            current += " "
        current += text + ("\n" if hard_break else "")
    return tuple(p.rstrip("\n") for p in paragraphs)


def find_quotes(markdown: str) -> list[Quote]:
    """The top-level blockquotes of ``markdown``, outside fenced code, with
    lazy continuation lines (a paragraph line without ``>``) included."""
    lines = markdown.split("\n")
    quotes: list[Quote] = []
    fence = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            i += 1
            continue
        if opening:
            fence = opening.group(1)
            i += 1
            continue
        if not _QUOTE.match(line):
            i += 1
            continue
        start = i
        content: list[str] = []
        while i < len(lines):
            line = lines[i]
            if _QUOTE.match(line):
                content.append(_QUOTE.sub("", line, count=1))
            elif line.strip() and content and content[-1].strip():
                content.append(line)  # lazy continuation of a quoted paragraph
            else:
                break
            i += 1
        quotes.append(Quote(start, i, _paragraphs(content)))
    return quotes


def _has_blanks(text: str) -> bool:
    try:
        return bool(parse(text).blanks)
    except BlankSyntaxError:
        return False


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _optional_line(paragraph: str, known: set[str]) -> tuple[str, list[Piece]]:
    """``paragraph`` as one line whose blanks not in ``known`` are optional."""
    pieces = parse(" ".join(paragraph.split("\n"))).pieces
    out = []
    for piece in pieces:
        if piece.kind == "text":
            out.append(_escape(piece.text))
        elif piece.kind == "blank":
            name = piece.source[1:-1].strip().rstrip("?").strip()
            out.append(f"[{name}{'' if piece.key in known else '?'}]")
    return "".join(out), list(pieces)


def _introduction(lines: list[str], quote: Quote) -> int | None:
    """The index of the line ending the paragraph just before ``quote``
    when that paragraph introduces it (ends with ":" or a dash:
    :data:`_INTRODUCES`), else ``None``. A quote or heading there
    introduces nothing."""
    i = quote.start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i < 0 or _QUOTE.match(lines[i]) or lines[i].lstrip().startswith("#"):
        return None
    return i if _INTRODUCES.search(lines[i]) else None


def _intro_sentence(line: str) -> str:
    """The last sentence of an introducing ``line``, as help: "If you’re
    interviewing for a TV series, it might be worth throwing in a comment
    about the show itself. " (its colon or dash made a full stop)."""
    text = _INTRODUCES.sub("", line).strip()
    found = _LAST_SENTENCE.search(text)
    sentence = (found.group(1) if found else text).strip()
    if not sentence:
        return ""
    return html.unescape(_MD_ESCAPE.sub(r"\1", sentence)) + ". "


def build_subject(body: str) -> str:
    """A subject line for a note ``body``: "Thank you" for a thank-you note,
    with the job when the body names it with a blank ("Thank you: [whatever]
    position"); "Following up" for a follow-up; otherwise ``""``."""
    role = _ROLE.search(body)
    suffix = f": {role.group(1)} {role.group(2)}" if role else ""
    lowered = body.casefold()
    if "thank" in lowered:
        return "Thank you" + suffix
    if "follow" in lowered:
        return "Following up" + suffix
    return ""


def extract_note(markdown: str, *, slug: str) -> ExtractedNote | None:
    """Find the quoted fill-in note(s) of ``markdown`` (an answer) and build
    the note template for ``slug`` (see the module docstring). Returns
    ``None`` when no blockquote holds a blank. Never raises on any text.
    """
    markdown = markdown.replace("\r\n", "\n")
    quotes = [q for q in find_quotes(markdown) if _has_blanks("\n\n".join(q.paragraphs))]
    if not quotes:
        return None
    main, extras = quotes[0], quotes[1:]
    paragraphs = list(main.paragraphs)
    known = {blank.key for blank in parse("\n\n".join(paragraphs)).blanks}

    lines = markdown.split("\n")
    intros = {quote.start: _introduction(lines, quote) for quote in extras}
    settings: dict[str, dict[str, str]] = {}
    optional_lines: list[str] = []
    for quote in extras:
        intro = intros[quote.start]
        lead = _intro_sentence(lines[intro]) if intro is not None else ""
        for paragraph in quote.paragraphs:
            line, pieces = _optional_line(paragraph, known)
            optional_lines.append(line)
            shown = "".join(
                "…" if p.kind == "blank" else p.text for p in pieces if p.kind != "newline"
            )
            if len(shown) > 200:
                shown = shown[:199] + "…"
            for piece in pieces:
                if piece.kind == "blank" and piece.key not in known and piece.key not in settings:
                    settings[piece.key] = {
                        "help": f"{lead}Optional: leave it empty to leave out the line “{shown}”"
                    }
    if optional_lines:
        last = paragraphs[-1] if paragraphs else ""
        at = len(paragraphs) - 1 if len(last.split()) <= _SIGN_OFF_WORDS else len(paragraphs)
        paragraphs[at:at] = optional_lines
    body = "\n\n".join(paragraphs)
    for key, label in blank_labels(body).items():
        merged = dict(label)
        if key in settings:  # the optional line's own help says more
            merged["help"] = settings[key]["help"]
        settings[key] = merged

    for quote in reversed(extras):
        intro = intros[quote.start]
        if intro is not None:
            lines[intro] = _INTRODUCES.sub("", lines[intro]) + POINTER
        before_blank = quote.start == 0 or not lines[quote.start - 1].strip()
        after_blank = quote.end >= len(lines) or not lines[quote.end].strip()
        end = quote.end
        if before_blank and after_blank and quote.end < len(lines):
            end += 1  # and one of the two blank lines around it
        del lines[quote.start : end]
    replacement = [marker_line(slug)]
    if main.start > 0 and lines[main.start - 1].strip():
        replacement.insert(0, "")
    if main.end < len(lines) and lines[main.end].strip():
        replacement.append("")
    lines[main.start : main.end] = replacement
    return ExtractedNote(
        body=body, subject=build_subject(body), blank_settings=settings, answer="\n".join(lines)
    )
