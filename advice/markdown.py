"""The one Markdown-to-HTML function: used on save, by the editor's live
preview and by the WordPress import.

Python-Markdown renders (raw HTML in the Markdown passes through it); nh3
(the ammonia sanitiser) then rebuilds the result from an allow-list, so no
``script``, ``style``, ``iframe``, SVG or MathML element, event attribute,
``style`` attribute or ``javascript:`` / ``vbscript:`` / ``data:`` URL
survives, whatever the Markdown or its inline HTML holds.

URLs are checked twice: by nh3's scheme allow-list, and again by
:func:`url_scheme`, which reads a URL the way a browser does (the WHATWG URL
standard removes tabs and newlines anywhere and control characters and spaces
at either end before it looks for the scheme), so ``jav&#x09;ascript:`` and
friends cannot slip through a difference between the two parsers.
"""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.http.request import validate_host

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Links may also open the mail client; images load over http(s) or from our
# own site (relative URLs, e.g. editor uploads under MEDIA_URL) only.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
IMAGE_URL_SCHEMES = {"http", "https"}
URL_ATTRIBUTES = {("a", "href"): ALLOWED_URL_SCHEMES, ("img", "src"): IMAGE_URL_SCHEMES}

EXTERNAL_LINK_REL = "nofollow noopener"
EXTENSIONS = ["extra", "sane_lists"]
# Table alignment as the ``align`` attribute: a ``style`` attribute would be
# stripped by the sanitiser (and refused by the CSP).
EXTENSION_CONFIGS = {"extra": {"tables": {"use_align_attribute": True}}}

# WHATWG URL standard, "basic URL parser": tab and newline are removed
# anywhere, C0 controls and space are trimmed from both ends, and a scheme is
# an ASCII letter followed by letters, digits, "+", "-" or "." up to a ":".
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(chr(c) for c in range(0x21))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# nh3 (html5ever) writes every attribute as name="value" with '"' escaped, so
# a start tag of ``a`` is matched exactly by this pattern.
_A_START_TAG = re.compile(r'<a((?:\s+[^\s"\'<>/=]+(?:="[^"]*")?)*)\s*>')
_HREF = re.compile(r'\shref="([^"]*)"')


def url_scheme(url: str) -> str:
    """The scheme a browser would find in ``url`` (``str``), lower-cased;
    ``""`` for a relative or protocol-relative URL. Entities must already be
    decoded (as an HTML parser does for attribute values)."""
    cleaned = _URL_IGNORED.sub("", url).strip(_URL_TRIMMED)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else ""


def _own_hosts() -> list[str]:
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    site_host = urlsplit(settings.SITE_URL).hostname
    if site_host:
        hosts.append(site_host)
    return hosts


def url_host(url: str) -> str | None:
    """The host a browser would contact for ``url`` (``str``, entities
    decoded), lower-cased, or ``None`` when the URL names no host (relative
    path, ``#fragment``, ``mailto:``...). Follows the WHATWG rules for http(s):
    backslashes count as slashes, any number of them may follow the scheme,
    user info before ``@`` and the port are not part of the host."""
    cleaned = _URL_IGNORED.sub("", url).strip(_URL_TRIMMED)
    scheme = url_scheme(cleaned)
    if scheme in ("http", "https"):
        rest = cleaned[len(scheme) + 1 :]
    elif scheme == "" and cleaned[:2].replace("\\", "/") == "//":
        rest = cleaned
    else:
        return None
    authority = re.split(r"[/\\?#]", rest.lstrip("/\\"), maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # IPv6 literal
        host = host.partition("]")[0] + "]"
    else:
        host = host.partition(":")[0]
    return host.lower()


def is_external_url(url: str) -> bool:
    """True when ``url`` (``str``, entities decoded) leads to another site: it
    names a host (:func:`url_host`) that is neither in ``ALLOWED_HOSTS`` (with
    Django's ``.example.com`` subdomain rule; ``*`` is ignored) nor
    ``SITE_URL``'s host. Relative, ``#fragment`` and ``mailto:`` URLs are not
    external."""
    host = url_host(url)
    if host is None:
        return False
    return not validate_host(host, _own_hosts())


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: drop a URL whose browser-read scheme is not allowed."""
    schemes = URL_ATTRIBUTES.get((tag, attribute))
    if schemes is None:
        return value
    scheme = url_scheme(value)
    if scheme and scheme not in schemes:
        return None
    return value


def _mark_external(match: re.Match) -> str:
    href = _HREF.search(match.group(1))
    if href and is_external_url(html.unescape(href.group(1))):
        return f'<a rel="{EXTERNAL_LINK_REL}"{match.group(1)}>'
    return match.group(0)


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment with the site's allow-list.

    Takes and returns ``str``. Tags outside ``ALLOWED_TAGS`` are removed (the
    contents of ``script`` and ``style`` with them, the text of others kept),
    attributes outside ``ALLOWED_ATTRIBUTES`` dropped, comments removed, link
    URLs limited to http, https, mailto and relative ones, image URLs to http,
    https and relative ones. Links to other sites (:func:`is_external_url`)
    get ``rel="nofollow noopener"``; links within the site get no ``rel``.
    """
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel=None,
        strip_comments=True,
    )
    return _A_START_TAG.sub(_mark_external, cleaned)


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` (``str``, may be empty) to sanitised HTML.

    Python-Markdown with the "extra" (tables, fenced code, footnotes,
    definition lists, abbreviations) and "sane_lists" extensions, then
    :func:`sanitize_html`. Never raises on any string input.
    """
    if not text:
        return ""
    return sanitize_html(_markdown_instance().reset().convert(text))


_local = threading.local()


def _markdown_instance() -> markdown_lib.Markdown:
    """One Python-Markdown instance per thread, reset between documents:
    building one loads every extension, which was most of a render's time."""
    instance = getattr(_local, "markdown", None)
    if instance is None:
        instance = markdown_lib.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        _local.markdown = instance
    return instance
