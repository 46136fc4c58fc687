"""WordPress post content to this site's Markdown.

WordPress stores post content in "autop" form: paragraphs are separated by a
blank line, a single newline inside a paragraph is a line break, inline HTML
(``<strong>``, ``<em>``, ``<a>``) sits in the text, and block HTML
(``<blockquote>``, ``<ul>``, ``<table>``, ``<pre>``) stands among the
paragraphs, a ``<blockquote>`` often holding several blank-line-separated
paragraphs itself. WordPress turns that into HTML on display with its
``wpautop()`` function; this module turns it into Markdown once, on import,
so the page shows the same paragraphs:

- text between block elements: one Markdown paragraph per blank-line-separated
  run; single newlines become ``<br>`` (as ``wpautop()`` does), except in
  block-editor content (``<!-- wp:... -->`` markers), which WordPress shows
  without ``wpautop()``;
- ``<p>``: a paragraph; ``<h1>``-``<h6>``: a Markdown heading (level 2 at
  least, the page title being the only level 1); ``<hr>``: ``---``;
- ``<blockquote>``: one Markdown quote (``> ``) of its converted content, so a
  quoted note of three paragraphs stays one quote of three paragraphs;
- ``<div>``, ``<figure>``, ``<section>`` and other wrappers: their content,
  converted; lists, tables, ``<pre>``: kept as raw HTML blocks;
- inline HTML stays inline HTML; characters Markdown would read as syntax in
  the text (``*``, backslash, backtick, a ``#`` or ``1.`` opening a line...)
  are escaped so they show as written;
- HTML comments (block-editor markers, ``<!--more-->``) are dropped, and the
  ``[caption]`` shortcode is replaced by what it wraps.

The result goes through :func:`advice.markdown.render_markdown`, which
sanitises it, so nothing here needs to be a security boundary.

:func:`wordpress_to_article` also splits an advice-column post that opens with
"<Name> asks:" into asker, question and answer. Pure functions; no database.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Elements that break paragraphs (after WordPress's wpautop() list).
_QUOTE = "blockquote"
_PARAGRAPH = "p"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_RULE = "hr"
_RAW = {"ul", "ol", "dl", "table", "pre", "script", "style", "math", "map", "select", "textarea"}
_UNWRAP = {
    "address", "article", "aside", "center", "details", "div", "fieldset", "figcaption",
    "figure", "footer", "form", "header", "hgroup", "legend", "main", "menu", "nav",
    "section", "summary",
}  # fmt: skip
_BLOCK = {_QUOTE, _PARAGRAPH, _RULE} | _HEADINGS | _RAW | _UNWRAP

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.S | re.I)
_INLINE_SPLIT = re.compile(r"(<!--.*?-->|</?[A-Za-z][^>]*>)", re.S)
_BR_AT_END = re.compile(r"<br\s*/?>$", re.I)
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
# Quotes and wrappers converted inside one another (as advice.markdown.MAX_NESTING).
MAX_NESTING = 16


@dataclass(frozen=True)
class _Block:
    text: str
    raw: bool = False  # a raw HTML block (Markdown inside is not read)


@dataclass(frozen=True)
class ConvertedPost:
    """An imported post as article fields: ``asker`` (plain text, ``""`` when
    the post has no "<Name> asks:" opening), ``question`` and ``answer``
    (Markdown; ``question`` is ``""`` without an asker)."""

    asker: str
    question: str
    answer: str


# ---------------------------------------------------------------------------
# Inline text


def _escape_text(text: str) -> str:
    """Escape Markdown syntax characters in a run of HTML text (no tags)."""
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("*", "\\*")
    # "_" only where it could open or close emphasis (not inside a word).
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)
    # "[text](url)", "[text][ref]" and "[ref]: url" would become links.
    text = re.sub(r"\](?=[(\[:])", r"\\]", text)
    return text


_LINE_START = [
    (re.compile(r"^(#{1,6})(?=\s|$)"), lambda m: "\\" + m.group(1)),  # heading
    (re.compile(r"^([>+-])"), lambda m: "\\" + m.group(1)),  # quote, list, rule
    (re.compile(r"^(\d+)\.(?=\s|$)"), lambda m: m.group(1) + "\\."),  # ordered list
    (re.compile(r"^="), lambda m: "&#61;"),  # setext heading underline
    (re.compile(r"^:"), lambda m: "&#58;"),  # definition list
    (re.compile(r"^\|"), lambda m: "&#124;"),  # table row
    (re.compile(r"^~"), lambda m: "&#126;"),  # fenced code
]


def _escape_line_start(line: str) -> str:
    for pattern, replace in _LINE_START:
        new = pattern.sub(replace, line, count=1)
        if new != line:
            return new
    return line


def _inline(text: str, *, breaks: bool) -> str:
    """One paragraph's HTML text -> Markdown lines. With ``breaks``, each
    newline is a line break (``<br>``), as in wpautop(); otherwise newlines
    are plain whitespace and kept as Markdown soft breaks."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    out = []
    for index, line in enumerate(lines):
        end = _tag_end(line)
        parts = _INLINE_SPLIT.split(line[:end])  # text, tag, text, ..., text
        parts[-1] += line[end:]  # after the last ">": text only
        escaped = "".join(part if i % 2 else _escape_text(part) for i, part in enumerate(parts))
        escaped = _escape_line_start(escaped)
        if breaks and index < len(lines) - 1 and not _BR_AT_END.search(line):
            escaped += "<br>"
        out.append(escaped)
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Blocks


def _find_close(content: str, name: str, start: int) -> tuple[int, int]:
    """Position of the ``</name>`` that closes an element opened before
    ``start`` (nesting counted): (start of the close tag, end of it). An
    unclosed element runs to the end: (len, len)."""
    depth = 1
    for match in _TAG.finditer(content, start, _tag_end(content)):
        if match.group(2).lower() != name:
            continue
        if match.group(1):
            depth -= 1
            if depth == 0:
                return match.start(), match.end()
        elif not match.group(3):
            depth += 1
    return len(content), len(content)


def _text_blocks(text: str, *, breaks: bool) -> list[_Block]:
    blocks = []
    for paragraph in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        converted = _inline(paragraph, breaks=breaks)
        if converted:
            blocks.append(_Block(converted))
    return blocks


def _quote(inner: list[_Block]) -> _Block | None:
    if not inner:
        return None
    if any(block.raw for block in inner):
        # Markdown inside a "> " quote cannot hold a raw HTML block; the
        # md_in_html form can (Python-Markdown "extra").
        body = "\n\n".join(block.text for block in inner)
        return _Block(f'<blockquote markdown="1">\n\n{body}\n\n</blockquote>')
    lines = "\n\n".join(block.text for block in inner).split("\n")
    return _Block("\n".join(f"> {line}" if line else ">" for line in lines))


def _blocks(content: str, *, breaks: bool, depth: int = 0) -> list[_Block]:
    """Convert a fragment of post content (comments already removed) into
    Markdown blocks, in order. Quotes and wrappers nested more than
    ``MAX_NESTING`` deep are not converted further: their content (tags and
    all) is kept as paragraphs of inline HTML, for the sanitiser, so hostile
    nesting neither recurses without end nor rescans the text per level."""
    if depth > MAX_NESTING:
        return _text_blocks(content, breaks=breaks)
    blocks: list[_Block] = []
    position = 0  # end of what is converted
    end = _tag_end(content)
    while match := _TAG.search(content, position, end):
        name = match.group(2).lower()
        while name not in _BLOCK:  # inline tags stay in the text
            match = _TAG.search(content, match.end(), end)
            if match is None:
                break
            name = match.group(2).lower()
        if match is None:
            break
        blocks.extend(_text_blocks(content[position : match.start()], breaks=breaks))
        position = match.end()
        if match.group(1):  # a stray closing tag: only a paragraph break
            continue
        if name == _RULE:
            blocks.append(_Block("---"))
            continue
        if match.group(3):  # self-closing, nothing inside
            continue
        close_start, close_end = _find_close(content, name, match.end())
        inner = content[match.end() : close_start]
        position = close_end
        if name in _RAW:
            whole = content[match.start() : close_end].strip()
            blocks.append(_Block(whole, raw=True))
        elif name == _QUOTE:
            quote = _quote(_blocks(inner, breaks=breaks, depth=depth + 1))
            if quote is not None:
                blocks.append(quote)
        elif name == _PARAGRAPH:
            converted = _inline(inner.strip(), breaks=breaks)
            if converted:
                blocks.append(_Block(converted))
        elif name in _HEADINGS:
            text = _inline(" ".join(inner.split()), breaks=False)
            if text:
                level = max(2, int(name[1]))
                blocks.append(_Block("#" * level + " " + text))
        else:  # a wrapper: its content
            blocks.extend(_blocks(inner, breaks=breaks, depth=depth + 1))
    blocks.extend(_text_blocks(content[position:], breaks=breaks))
    return blocks


def _tag_end(text: str) -> int:
    """Where a tag search may stop: after the last ">" (no tag can end
    later, and an unclosed "<x" would otherwise be scanned to the end of the
    text once per "<": quadratic)."""
    return text.rfind(">") + 1


def _sub_closed(pattern: re.Pattern, replacement: str, text: str, closer: str) -> str:
    """``pattern.sub`` on ``text`` up to the end of its last ``closer`` only:
    an opener after it can match nothing, and searching from each one would
    scan to the end of the text (quadratic for "[caption]" × N)."""
    end = text.lower().rfind(closer)
    if end < 0:
        return text
    end += len(closer)
    return pattern.sub(replacement, text[:end]) + text[end:]


def _content_blocks(content: str) -> list[_Block]:
    breaks = "<!-- wp:" not in content  # block-editor posts skip wpautop()
    content = _sub_closed(_CAPTION, r"\1", content, "[/caption]")
    content = _sub_closed(_COMMENT, "\n", content, "-->")
    # A comment never closed is shown as text, not scanned for its end per line.
    content = content.replace("<!--", "&lt;!--")
    return _blocks(content, breaks=breaks)


def autop_to_markdown(content: str) -> str:
    """Convert WordPress post content (``str``, autop or block-editor HTML)
    to Markdown for :func:`advice.markdown.render_markdown`. Paragraphs
    survive as paragraphs, a ``<blockquote>`` becomes one quote of its
    paragraphs; see the module docstring for every rule. Never raises."""
    return "\n\n".join(block.text for block in _content_blocks(content))


# ---------------------------------------------------------------------------
# "<Name> asks:"

_ASKS = re.compile(
    r"^(?:#{1,6}\s+)?(?:<(?P<tag>strong|b|em|i)\b[^>]*>)?\s*"
    r"(?P<name>[^<>\n]{1,100}?)\s+asks\s*:\s*"
    r"(?(tag)</(?P=tag)>)\s*(?:<br>)?\s*(?P<rest>.*)$",
    re.S | re.I,
)
_WRAPPED = re.compile(r"^<(?P<tag>em|i)>(?P<inner>.*)</(?P=tag)>$", re.S | re.I)


def _unwrap_emphasis(markdown: str) -> str:
    """Drop an ``<em>``/``<i>`` that wraps the whole paragraph (WordPress
    columns italicise the question; the page sets it apart already)."""
    match = _WRAPPED.match(markdown.strip())
    if match and f"<{match.group('tag').lower()}" not in match.group("inner").lower():
        return match.group("inner").strip()
    return markdown


def _plain(markdown: str) -> str:
    """Markdown inline text -> plain text (escapes and entities undone)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown)).strip()


def wordpress_to_article(content: str) -> ConvertedPost:
    """Split WordPress post ``content`` into an advice article's fields.

    When the first paragraph is "<Name> asks:" (optionally bold, italic or a
    heading, e.g. ``<strong>Bianca asks:</strong>``), ``Name`` becomes the
    asker, the paragraph after it the question (an ``<em>``/``<i>`` wrapping
    it whole removed) and everything after that the answer. Text following
    "asks:" in the same paragraph is the question instead. Otherwise the whole
    content is the answer. All text is converted by the rules of
    :func:`autop_to_markdown`. Never raises.
    """
    blocks = _content_blocks(content)
    if blocks and not blocks[0].raw:
        match = _ASKS.match(blocks[0].text)
        if match:
            asker = _plain(match.group("name"))
            rest = match.group("rest").strip()
            if rest:
                question, answer_blocks = rest, blocks[1:]
            elif len(blocks) > 1:
                question, answer_blocks = blocks[1].text, blocks[2:]
            else:
                question, answer_blocks = "", []
            if asker:
                return ConvertedPost(
                    asker=asker,
                    question=_unwrap_emphasis(question),
                    answer="\n\n".join(block.text for block in answer_blocks),
                )
    return ConvertedPost(asker="", question="", answer="\n\n".join(b.text for b in blocks))
