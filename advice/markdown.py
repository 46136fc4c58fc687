"""The one Markdown-to-HTML function: used on save, by the editor's live
preview and by the WordPress import.

Python-Markdown renders; nh3 (ammonia) sanitises with an allow-list, so no
``script``, ``style``, event attribute or ``javascript:`` / ``data:`` URL can
survive whatever the Markdown or its inline HTML holds.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings

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
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists"]

_ANCHOR = re.compile(r'<a href="([^"]*)"')


def _is_external(href: str) -> bool:
    parts = urlsplit(href.replace("&amp;", "&"))
    if parts.scheme not in ("http", "https"):
        return False
    own_hosts = {h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"}
    own_hosts.add(urlsplit(settings.SITE_URL).hostname or "")
    return (parts.hostname or "") not in own_hosts


def _add_rel(match: re.Match) -> str:
    href = match.group(1)
    if _is_external(href):
        return f'<a rel="nofollow noopener" href="{href}"'
    return match.group(0)


def sanitize_html(html: str) -> str:
    """Clean an HTML fragment with the site's allow-list.

    Takes and returns ``str``. Tags outside ``ALLOWED_TAGS`` are removed (the
    contents of ``script`` and ``style`` with them), attributes outside
    ``ALLOWED_ATTRIBUTES`` dropped, URLs limited to http, https, mailto and
    relative ones; external links get ``rel="nofollow noopener"``.
    """
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return _ANCHOR.sub(_add_rel, cleaned)


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` (``str``, may be empty) to sanitised HTML.

    Python-Markdown with the "extra" and "sane_lists" extensions, then
    :func:`sanitize_html`. Never raises on any string input.
    """
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
    return sanitize_html(html)
