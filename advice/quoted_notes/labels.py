"""Readable labels and help for the blanks of a note made from a quoted note
(pure: values in, values out).

A blank's name is whatever the columnist typed between the brackets
(``[whatever]``, ``[underling]``): fine in the article, puzzling on a form.
:func:`blank_labels` gives each blank

- a label: its name in plain words ("your_name" → "Your name"), followed by
  what it stands for when the words around it say so (:data:`HINTS`):
  ``[whatever] position`` → "Whatever (the job title)";
- a help text quoting the words around it in the note, with the blank as
  "___", so the reader sees where it goes (none for a blank alone on its
  line, such as the sign-off ``[your name]``).

The hints are a short list of the shapes columnists' notes take (a role
before "position", a name after "Hi,"); a blank that fits none keeps its
name alone.
"""

from __future__ import annotations

import re

from notes.blanks import BlankSyntaxError, Piece, parse

CONTEXT_WORDS = 6  # words quoted on each side of a blank in its help

# (side, pattern, hint): when the text on that side of the blank (``after``:
# the words that follow it; ``before``: the words that lead to it) matches,
# the label says what the blank stands for.
HINTS = [
    ("after", re.compile(r"^\s*(position|job|role|opening|vacancy)\b", re.I), "the job title"),
    ("before", re.compile(r"\b(hi|hello|hey|dear)\b[,!]?\s*$", re.I), "whom you write to"),
    ("before", re.compile(r"\b(meeting|met|meet) you and\s*$", re.I), "someone else you met"),
]
# A name that already says what it is needs no hint.
_SELF_EXPLAINING = re.compile(r"\b(name|title|date|company|job|position|role|email)\b", re.I)


def plain_name(name: str) -> str:
    """A blank's name in plain words: ``_`` and ``-`` as spaces, runs of
    spaces as one, a trailing ``?`` dropped, the first letter capitalised
    ("your_name?" → "Your name")."""
    words = " ".join(re.sub(r"[_\-]+", " ", name).rstrip("?").split())
    return words[:1].upper() + words[1:]


def _side_text(pieces: list[Piece], index: int, step: int) -> str:
    """The text of the same line on one side of ``pieces[index]``
    (``step`` -1: before it, +1: after it), other blanks shown as "___"."""
    parts: list[str] = []
    i = index + step
    while 0 <= i < len(pieces) and pieces[i].kind != "newline":
        parts.append("___" if pieces[i].kind == "blank" else pieces[i].text)
        i += step
    return "".join(reversed(parts) if step < 0 else parts)


def _hint(before: str, after: str) -> str:
    for side, pattern, hint in HINTS:
        if pattern.search(after if side == "after" else before):
            return hint
    return ""


def _context(before: str, after: str) -> str:
    """The words around a blank, at most :data:`CONTEXT_WORDS` a side,
    with "…" where cut: "Hi, ___!", "…for the ___ position. I enjoyed…"."""
    lead, tail = before.split(), after.split()
    text = " ".join(lead[-CONTEXT_WORDS:])
    if len(lead) > CONTEXT_WORDS:
        text = "…" + text
    text += (" " if lead and before[-1:].isspace() else "") + "___"
    text += (" " if tail and after[:1].isspace() else "") + " ".join(tail[:CONTEXT_WORDS])
    return text + ("…" if len(tail) > CONTEXT_WORDS else "")


def blank_labels(body: str) -> dict[str, dict[str, str]]:
    """``{key: {"label": ..., "help": ...}}`` for each blank of ``body`` (a
    note template's text in the blanks syntax), at its first use: see the
    module docstring. ``{}`` when ``body`` cannot be parsed."""
    try:
        pieces = list(parse(body).pieces)
    except BlankSyntaxError:
        return {}
    labels: dict[str, dict[str, str]] = {}
    for index, piece in enumerate(pieces):
        if piece.kind != "blank" or piece.key in labels:
            continue
        before = _side_text(pieces, index, -1)
        after = _side_text(pieces, index, 1)
        name = plain_name(piece.source[1:-1].strip())
        hint = "" if _SELF_EXPLAINING.search(name) else _hint(before, after)
        labels[piece.key] = {"label": f"{name} ({hint})" if hint else name}
        if before.strip() or after.strip():
            labels[piece.key]["help"] = f"In the note: “{_context(before, after)}”"
    return labels
