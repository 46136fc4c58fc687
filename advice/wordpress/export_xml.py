"""Writing WXR 1.2, the file WordPress's own exporter writes, as values.

The pure half of ``manage.py export_wxr`` (the queries are in
:mod:`advice.wordpress.export`): a streaming writer of WordPress's elements,
the shape of a post's content, WordPress's date forms and comment statuses.
No database, no settings; the caller passes the time zone.

The format is WordPress's ``export_wp()`` (``wp-admin/includes/export.php``,
WXR 1.2) as the corpus files ``wordpressexport.xml`` and
``theme-unit-test-data.xml`` and ``../shared/peer-wordpress/wp-export.php``
show it: RSS 2.0 with the ``excerpt``, ``content``, ``wfw``, ``dc`` and
``wp`` namespaces under the prefixes WordPress uses, text in CDATA sections
(WordPress's ``wxr_cdata()``: a ``]]>`` inside is split across two
sections).
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from typing import TextIO
from urllib.parse import quote
from xml.sax.saxutils import XMLGenerator

WXR_VERSION = "1.2"
# The prefixes and URIs of WordPress's own WXR 1.2 export, in its order.
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
# Comment.Status values -> wp:comment_approved (the importer reads them back).
COMMENT_APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "removed": "trash"}

# Characters XML 1.0 cannot carry at all (not even as references).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_SOFT_BREAK = re.compile(r"(?<!<br>)(?<!<br/>)(?<!<br />)\n")
_HEX = re.compile(r"%[0-9A-F]{2}")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (C0 controls
    other than tab, newline and carriage return; lone surrogates; U+FFFE,
    U+FFFF), so the file always parses. Everything else is kept as is."""
    return _NOT_XML.sub("", value)


def wp_date(moment: datetime, zone: tzinfo = UTC) -> str:
    """``moment`` (aware) as WordPress's ``"YYYY-MM-DD HH:MM:SS"`` in ``zone``
    (``wp:post_date`` takes the site's zone, ``*_gmt`` UTC); seconds kept,
    fractions dropped."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def rss_date(moment: datetime) -> str:
    """``moment`` (aware) as RSS's ``pubDate``: RFC 2822 in UTC, e.g.
    ``"Tue, 10 May 2016 16:00:00 +0000"``."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def wp_slug(slug: str) -> str:
    """A slug as WordPress stores ``post_name`` and term slugs: non-ASCII
    percent-encoded with lower-case hex (``sanitize_title()``); the importer
    decodes it again."""
    return _HEX.sub(lambda m: m.group().lower(), quote(slug, safe="-_"))


def one_line_paragraphs(rendered: str) -> str:
    """Rendered HTML with each ``<p>``'s soft line breaks made spaces.

    WordPress's ``wpautop()`` (and our importer, after it) reads a newline
    inside a paragraph as a line break; Python-Markdown writes one where the
    source wrapped a line, which a browser shows as a space. Newlines after
    a ``<br>`` (a hard break) stay. Paragraphs only: ``<pre>`` never holds
    a literal ``<p>``.
    """
    return _PARAGRAPH.sub(lambda m: "<p>" + _SOFT_BREAK.sub(" ", m.group(1)) + "</p>", rendered)


def _paragraph_texts(rendered: str) -> list[str] | None:
    """The inner HTML of each paragraph when ``rendered`` is nothing but
    ``<p>`` paragraphs (and whitespace between them), else ``None``."""
    if not _PARAGRAPH.sub("", rendered).strip():
        return [inner.strip() for inner in _PARAGRAPH.findall(rendered)]
    return None


def post_content(asker: str, question_html: str, answer_html: str) -> str:
    """An article as WordPress post content, in the shape our importer
    (:func:`advice.wordpress.autop.wordpress_to_article`) splits back into
    asker, question and answer, and WordPress shows as the column does::

        <strong>Bianca asks:</strong>

        <em>The question, one paragraph.</em>

        <p>The answer, as rendered here.</p>

    The asker is plain text (HTML-escaped here). A question of several
    paragraphs is written as one paragraph with blank lines made of
    ``<br />`` (the importer reads one paragraph after "asks:" as the
    question); one that holds other blocks (a list, a quote) is written as
    is, and the importer will read only its first block as the question.
    Without an asker, question and answer follow each other and the
    importer reads both as the answer. Soft line breaks become spaces
    (:func:`one_line_paragraphs`).
    """
    answer = one_line_paragraphs(answer_html).strip()
    question = one_line_paragraphs(question_html).strip()
    if not asker.strip():
        return "\n\n".join(part for part in (question, answer) if part)
    parts = [f"<strong>{html.escape(asker.strip(), quote=False)} asks:</strong>"]
    paragraphs = _paragraph_texts(question)
    if paragraphs is None:
        parts.append(question)
    elif paragraphs:
        joined = "<br />\n<br />\n".join(paragraphs)
        lowered = joined.lower()
        # The importer drops an <em> that wraps the whole question, unless it holds another.
        italic = "<em" not in lowered and "<i" not in lowered
        parts.append(f"<em>{joined}</em>" if italic else joined)
    if answer:
        parts.append(answer)
    return "\n\n".join(parts)


class WXRWriter:
    """Streams WXR to a text stream ``out`` (``write(str)``), one element at
    a time, with ``xml.sax.saxutils.XMLGenerator`` (names, attributes and
    text escaped; nothing kept in memory but the open elements).

    Elements are named with WordPress's prefixes (``"wp:post_id"``). Text
    goes out as CDATA (:meth:`cdata`) or escaped (:meth:`text`); every value
    passes :func:`xml_text` first. ``XMLGenerator`` writes each call through
    at once (``short_empty_elements`` off), so the CDATA sections it has no
    call for are written to the same stream between its calls.
    """

    def __init__(self, out: TextIO):
        if not isinstance(out, io.TextIOBase):
            out = _TextStream(out)
        self.out = out
        self.xml = XMLGenerator(out, encoding="UTF-8", short_empty_elements=False)

    def start_document(self, comment: str) -> None:
        """The XML declaration, ``comment`` (text without ``--``) as an XML
        comment, and ``<rss>`` with WordPress's namespace declarations."""
        self.xml.startDocument()
        self.out.write(f"<!-- {xml_text(comment)} -->\n")
        attributes = {"version": "2.0"}
        attributes.update({f"xmlns:{prefix}": uri for prefix, uri in NAMESPACES.items()})
        self.xml.startElement("rss", attributes)
        self.newline(0)

    def end_document(self) -> None:
        self.out.write("\n")
        self.xml.endElement("rss")
        self.out.write("\n")
        self.xml.endDocument()

    def newline(self, depth: int) -> None:
        """A line break and ``depth`` tabs, as WordPress indents."""
        self.out.write("\n" + "\t" * depth)

    def start(self, name: str, attributes: dict[str, str] | None = None) -> None:
        self.xml.startElement(name, {k: xml_text(v) for k, v in (attributes or {}).items()})

    def end(self, name: str) -> None:
        self.xml.endElement(name)

    def text(self, name: str, value: str, attributes: dict[str, str] | None = None) -> None:
        """``<name>value</name>``, the value escaped (ids, dates, URLs)."""
        self.start(name, attributes)
        self.xml.characters(xml_text(value))
        self.end(name)

    def cdata(self, name: str, value: str, attributes: dict[str, str] | None = None) -> None:
        """``<name><![CDATA[value]]></name>``, as WordPress's ``wxr_cdata()``:
        a ``]]>`` in ``value`` ends one section and starts the next. A
        carriage return goes out as ``&#13;`` between sections, since an XML
        parser turns a raw one into a newline even inside CDATA."""
        self.start(name, attributes)
        value = xml_text(value).replace("]]>", "]]]]><![CDATA[>")
        self.out.write("<![CDATA[" + value.replace("\r", "]]>&#13;<![CDATA[") + "]]>")
        self.end(name)


class _TextStream(io.TextIOBase):
    """A text stream over any object with ``write(str)`` (e.g. a management
    command's ``stdout``), so ``XMLGenerator`` writes to it directly."""

    def __init__(self, target):
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.target.write(text)
        return len(text)
