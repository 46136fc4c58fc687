"""Reading a WordPress export (WXR, "WordPress eXtended RSS") as plain values.

A WXR file is RSS 2.0 with WordPress's own elements in the ``wp:`` namespace
(``http://wordpress.org/export/1.0/``, ``1.1/`` or ``1.2/``; WordPress.com
writes the same names under ``https://``). It is read in two streaming passes,
so memory stays bounded whatever the file's size:

1. :func:`validate_wxr` checks the whole file is well-formed XML and safe
   (no entity declarations, so no entity-expansion bomb, no external entity;
   the defusedxml parser refuses them) and returns the channel's facts and
   the number of items. Nothing is imported from a file that fails here.
2. :func:`iter_wxr` yields :class:`Term` (channel-level categories and tags),
   :class:`Author` and :class:`Item` (posts, pages, attachments... with their
   :class:`WPComment` list) one at a time, dropping each element once read.

Text is returned exactly as the XML parser gives it (CDATA and character
references resolved by the parser, nothing else unescaped or trimmed), except
where a field's docstring says otherwise. This module touches no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

# WordPress's export namespaces: http or https, any version ("1.0", "1.1", "1.2").
_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/excerpt/$")
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_DC_NS = "http://purl.org/dc/elements/1.1/"

CHUNK_BYTES = 1 << 20  # the validation pass reads the file 1 MiB at a time


class WXRError(ValueError):
    """The file cannot be imported: not well-formed XML, unsafe XML (entity
    declarations, external entities) or not a WordPress export.

    ``line`` and ``column`` locate the problem as expat counts them (line from
    1, column from 0) when it has a place in the file, else ``None``.
    ``str(error)`` is a complete message for a person.
    """

    def __init__(self, reason: str, line: int | None = None, column: int | None = None):
        self.reason = reason
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{reason}{where}")


@dataclass(frozen=True)
class Channel:
    """The export's site facts (``<channel>`` children) and its item count."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    item_count: int = 0

    @property
    def site(self) -> str:
        """The source site's identity, used with WordPress ids to recognise
        rows already imported: ``base_blog_url``, else ``link``, else
        ``base_site_url``, without a trailing ``/``. (The blog URL comes first
        because WordPress.com exports give every blog the same
        ``base_site_url``, ``https://wordpress.com/``.)"""
        for value in (self.base_blog_url, self.link, self.base_site_url):
            if value.strip():
                return value.strip().rstrip("/")
        return ""


@dataclass(frozen=True)
class Term:
    """A channel-level ``<wp:category>``, ``<wp:tag>`` or ``<wp:term>``.

    ``taxonomy`` is ``"category"``, ``"post_tag"`` or, for ``<wp:term>``, the
    file's ``term_taxonomy`` (``"nav_menu"``, ``"post_format"``...). ``slug``
    is the raw nicename (may be percent-encoded); ``name`` as in the file
    (WordPress sometimes leaves HTML entities in it).
    """

    taxonomy: str
    slug: str
    name: str
    description: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Author:
    """A channel-level ``<wp:author>``: ``login`` (what items' ``dc:creator``
    names), ``email``, ``display_name``, ``first_name``, ``last_name``."""

    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class ItemTerm:
    """An item's ``<category domain=... nicename=...>name</category>``.
    ``domain`` is ``""`` for WXR 1.0's bare duplicates; ``nicename`` may be
    ``""``."""

    domain: str
    nicename: str
    name: str


@dataclass
class WPComment:
    """One ``<wp:comment>``. Ids are ``None`` when missing or not a number;
    dates are WordPress's ``"YYYY-MM-DD HH:MM:SS"`` strings (the ``_gmt`` one
    may be ``"0000-00-00 00:00:00"``)."""

    id: int | None
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""
    type: str = ""
    parent: int | None = None
    user_id: int | None = None


@dataclass
class Item:
    """One ``<item>``: a post, page, attachment, menu item or custom type,
    with its terms and comments. Fields hold the file's text; ``post_id`` and
    ``post_parent`` are ``None`` when missing or not a number."""

    title: str = ""
    link: str = ""
    pub_date: str = ""
    creator: str = ""
    guid: str = ""
    content: str = ""
    excerpt: str = ""
    post_id: int | None = None
    post_date: str = ""
    post_date_gmt: str = ""
    comment_status: str = ""
    ping_status: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: int | None = None
    post_type: str = ""
    post_password: str = ""
    is_sticky: bool = False
    terms: list[ItemTerm] = field(default_factory=list)
    comments: list[WPComment] = field(default_factory=list)
    old_slugs: list[str] = field(default_factory=list)  # postmeta _wp_old_slug


def _split(tag: str) -> tuple[str, str]:
    """``"{ns}local"`` -> (kind, local); kind is ``"wp"``, ``"excerpt"``,
    ``"content"``, ``"dc"``, ``""`` (no namespace) or ``"other"``."""
    if not tag.startswith("{"):
        return "", tag
    ns, _, local = tag[1:].partition("}")
    if _WP_NS.match(ns):
        return "wp", local
    if _EXCERPT_NS.match(ns):
        return "excerpt", local
    if ns == _CONTENT_NS:
        return "content", local
    if ns == _DC_NS:
        return "dc", local
    return "other", local


def _text(element: Element) -> str:
    return "".join(element.itertext())


def _int(value: str) -> int | None:
    """A WordPress id: a non-negative ASCII number that fits a 64-bit
    signed column, else ``None``."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number < 2**63 else None


# ---------------------------------------------------------------------------
# Pass 1: validation


class _Validator:
    """Parser target for the validation pass: tracks depth, counts items and
    keeps the few ``<channel>`` facts; builds no tree."""

    _CHANNEL_FACTS = {
        ("", "title"): "title",
        ("", "link"): "link",
        ("wp", "base_site_url"): "base_site_url",
        ("wp", "base_blog_url"): "base_blog_url",
        ("wp", "wxr_version"): "wxr_version",
    }

    def __init__(self) -> None:
        self.depth = 0
        self.root = ""
        self.channels = 0
        self.items = 0
        self.saw_wp = False
        self.facts: dict[str, list[str]] = {}
        self._collecting: str | None = None

    def start(self, tag: str, attrib: dict) -> None:
        self.depth += 1
        kind, local = _split(tag)
        if kind == "wp":
            self.saw_wp = True
        if self.depth == 1:
            self.root = local if kind == "" else tag
        elif self.depth == 2 and (kind, local) == ("", "channel"):
            self.channels += 1
        elif self.depth == 3 and self.channels:
            if (kind, local) == ("", "item"):
                self.items += 1
            name = self._CHANNEL_FACTS.get((kind, local))
            if name and name not in self.facts:
                self._collecting = name
                self.facts[name] = []

    def end(self, tag: str) -> None:
        if self.depth == 3:
            self._collecting = None
        self.depth -= 1

    def data(self, text: str) -> None:
        if self._collecting is not None:
            self.facts[self._collecting].append(text)

    def close(self) -> None:
        return None


def validate_wxr(path: str | PathLike) -> Channel:
    """First pass: check that the file at ``path`` is a well-formed, safe WXR
    export, reading it in 1 MiB chunks (memory stays bounded).

    Returns the :class:`Channel` facts with ``item_count``. Raises
    :class:`WXRError` naming the line and column for XML that is not
    well-formed (expat's message, e.g. "mismatched tag"), for any entity
    declaration (entity-expansion bombs, external entities) or external
    reference (refused by defusedxml), and, without a place, for a
    well-formed file that is not a WordPress export (no ``<rss><channel>``,
    no ``wp:`` elements). ``OSError`` passes through for an unreadable file.
    """
    target = _Validator()
    parser = DefusedXMLParser(target=target, forbid_dtd=False)
    expat = parser.parser
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                parser.feed(chunk)
        parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line ")[0]
        raise WXRError(f"The file is not well-formed XML: {reason}", line, column) from None
    except DefusedXmlException as exc:
        raise WXRError(
            f"The file declares entities or refers to external ones, which are refused "
            f"for safety ({type(exc).__name__})",
            expat.CurrentLineNumber,
            expat.CurrentColumnNumber,
        ) from None
    if target.root != "rss" or target.channels != 1:
        raise WXRError("Not a WordPress export: expected one <channel> inside <rss>.")
    if not target.saw_wp:
        raise WXRError(
            "Not a WordPress export: no elements in the WordPress (wp:) namespace "
            "(http or https://wordpress.org/export/1.x/)."
        )
    facts = {name: "".join(parts).strip() for name, parts in target.facts.items()}
    return Channel(item_count=target.items, **facts)


# ---------------------------------------------------------------------------
# Pass 2: items and terms


def _term(element: Element, local: str) -> Term:
    values = {_split(child.tag)[1]: _text(child) for child in element}
    if local == "category":
        return Term(
            taxonomy="category",
            slug=values.get("category_nicename", ""),
            name=values.get("cat_name", ""),
            description=values.get("category_description", ""),
            parent=values.get("category_parent", ""),
        )
    if local == "tag":
        return Term(
            taxonomy="post_tag",
            slug=values.get("tag_slug", ""),
            name=values.get("tag_name", ""),
            description=values.get("tag_description", ""),
        )
    return Term(
        taxonomy=values.get("term_taxonomy", ""),
        slug=values.get("term_slug", ""),
        name=values.get("term_name", ""),
        description=values.get("term_description", ""),
        parent=values.get("term_parent", ""),
    )


def _comment(element: Element) -> WPComment:
    values = {}
    for child in element:
        kind, local = _split(child.tag)
        if kind == "wp":
            values[local] = _text(child)
    return WPComment(
        id=_int(values.get("comment_id", "")),
        author=values.get("comment_author", ""),
        author_email=values.get("comment_author_email", ""),
        author_url=values.get("comment_author_url", ""),
        author_ip=values.get("comment_author_IP", ""),
        date=values.get("comment_date", ""),
        date_gmt=values.get("comment_date_gmt", ""),
        content=values.get("comment_content", ""),
        approved=values.get("comment_approved", "").strip(),
        type=values.get("comment_type", "").strip(),
        parent=_int(values.get("comment_parent", "")),
        user_id=_int(values.get("comment_user_id", "")),
    )


def _item(element: Element) -> Item:
    item = Item()
    wp: dict[str, str] = {}
    for child in element:
        kind, local = _split(child.tag)
        if kind == "wp" and local == "comment":
            item.comments.append(_comment(child))
        elif kind == "wp" and local == "postmeta":
            meta = {_split(part.tag)[1]: _text(part) for part in child}
            if meta.get("meta_key") == "_wp_old_slug" and meta.get("meta_value", "").strip():
                item.old_slugs.append(meta["meta_value"].strip())
        elif kind == "wp":
            wp[local] = _text(child)
        elif kind == "" and local == "category":
            item.terms.append(
                ItemTerm(
                    domain=child.get("domain", ""),
                    nicename=child.get("nicename", ""),
                    name=_text(child),
                )
            )
        elif kind == "" and local in ("title", "link", "guid"):
            setattr(item, local, _text(child))
        elif kind == "" and local == "pubDate":
            item.pub_date = _text(child)
        elif kind == "dc" and local == "creator":
            item.creator = _text(child)
        elif kind == "content" and local == "encoded":
            item.content = _text(child)
        elif kind == "excerpt" and local == "encoded":
            item.excerpt = _text(child)
    item.post_id = _int(wp.get("post_id", ""))
    item.post_parent = _int(wp.get("post_parent", ""))
    item.post_date = wp.get("post_date", "")
    item.post_date_gmt = wp.get("post_date_gmt", "")
    item.comment_status = wp.get("comment_status", "").strip()
    item.ping_status = wp.get("ping_status", "").strip()
    item.post_name = wp.get("post_name", "")
    item.status = wp.get("status", "").strip()
    item.post_type = wp.get("post_type", "").strip()
    item.post_password = wp.get("post_password", "")
    item.is_sticky = wp.get("is_sticky", "").strip() == "1"
    return item


def _author(element: Element) -> Author:
    values = {_split(child.tag)[1].removeprefix("author_"): _text(child) for child in element}
    return Author(**{name: values.get(name, "").strip() for name in Author.__dataclass_fields__})


def iter_wxr(path: str | PathLike) -> Iterator[Term | Author | Item]:
    """Second pass: yield the export's channel-level :class:`Term` and
    :class:`Author` values and its :class:`Item` values in file order, one
    element in memory at a time.

    Call :func:`validate_wxr` first; this pass raises the same
    :class:`WXRError` on bad XML but may already have yielded values.
    """
    depth = 0
    channel: Element | None = None
    try:
        for event, element in iterparse(path, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                depth += 1
                if depth == 2 and element.tag == "channel":
                    channel = element
                continue
            if depth == 3 and channel is not None:
                kind, local = _split(element.tag)
                if (kind, local) == ("", "item"):
                    yield _item(element)
                    channel.remove(element)
                elif kind == "wp" and local in ("category", "tag", "term", "author"):
                    yield _author(element) if local == "author" else _term(element, local)
                    channel.remove(element)
            depth -= 1
    except ParseError as exc:
        line, column = exc.position
        raise WXRError("The file is not well-formed XML", line, column) from None
    except DefusedXmlException as exc:
        raise WXRError(f"Unsafe XML refused ({type(exc).__name__})") from None
