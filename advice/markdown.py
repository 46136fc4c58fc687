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
import logging
import re
import threading
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.http.request import validate_host

from advice.markdown_hardening import harden, limit_abbreviations, limit_unclosed_angles
from advice.markdown_ids import ID_TAGS, namespace_ids

logger = logging.getLogger(__name__)

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
_ATTRIBUTES_WITH_IDS = {
    tag: ALLOWED_ATTRIBUTES.get(tag, set()) | ({"id"} if tag in ID_TAGS else set())
    for tag in ALLOWED_TAGS
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
    Ids (footnotes, ``{#id}`` headings) are kept, namespaced with
    ``user-content-`` along with the ``#`` links to them
    (:func:`advice.markdown_ids.namespace_ids`).
    """
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=_ATTRIBUTES_WITH_IDS,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel=None,
        strip_comments=True,
    )
    return namespace_ids(_A_START_TAG.sub(_mark_external, cleaned))


# Links in reader comments carry Google's mark for user-generated content,
# as WordPress gives them (wp_rel_ugc), wherever they lead.
COMMENT_LINK_REL = "nofollow ugc"


def sanitize_comment_html(fragment: str) -> str:
    """Clean a reader comment's HTML (``str`` in and out) with the answers'
    allow-list (:data:`ALLOWED_TAGS`, no ids), every link marked
    ``rel="nofollow ugc"``. Used at import and again wherever stored comment
    HTML is shown, so a row written around the importer is still clean."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel=COMMENT_LINK_REL,
        strip_comments=True,
    )


# --- Hostile input: nesting, super-linear constructs, any other error ---------
#
# Python-Markdown parses nested blocks (lists, quotes) recursively and scans
# link text and URLs to the end of the text when a bracket never closes, so
# "1. " * 2000 raised RecursionError and "[a](" * 3000 took seconds. Three
# guards keep every render bounded and the per-thread instance healthy:
# :func:`limit_nesting` (a linear pre-pass, here), bounded bracket/parenthesis
# scans and a linear footnote numbering installed on the instance
# (:mod:`advice.markdown_hardening`), and a rebuilt instance after any error.

MAX_NESTING = 16  # lists, quotes and definitions inside one another (Markdown's own: none)
NESTING_MESSAGE = (
    "Lists, quotes and definitions are nested {depth} levels deep here (line {line}); the "
    "limit is {limit}. Flatten the deepest levels and save again."
)
# A list or quote marker, or a definition's ":" (the def_list extension).
_CONTAINER_MARKER = re.compile(r"(>|:|[-*+]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*")
_LEADING_SPACE = re.compile(r"[ \t]*")


def _indent_columns(space: str) -> int:
    """Columns of leading ``space``: a tab counts four."""
    return sum(4 if c == "\t" else 1 for c in space)


def _line_nesting(line: str) -> tuple[int, int, list[re.Match]]:
    """(depth, indentation levels, container markers) of one line: a level
    per four columns of indentation and per list, quote or definition marker."""
    space = _LEADING_SPACE.match(line).group(0)
    levels = _indent_columns(space) // 4
    markers = []
    pos = len(space)
    while match := _CONTAINER_MARKER.match(line, pos):
        markers.append(match)
        pos = match.end()
    return levels + len(markers), levels, markers


def _definition_prefix(line: str, markers: list[re.Match]) -> str | None:
    """The text before a line's definition marker ":", or ``None`` when it has none."""
    for match in markers:
        if match.group(1) == ":":
            return line[: match.start()]
    return None


def _nests_next(line: str, markers: list[re.Match], next_line: str) -> bool:
    """Whether the lines after ``line`` sit one definition level deeper.

    The def_list extension parses everything after a definition line whose
    next line is not indented ("a\n: b\na\n: b", lazy continuation) inside
    that definition, so each such ":" line nests the rest of its block one
    level deeper. Counted for every ":" line unless the next line is blank or
    another definition of the same term with the same prefix (": b\n: c"):
    counting too many is safe, too few is not."""
    prefix = _definition_prefix(line, markers)
    if prefix is None or not next_line.strip():
        return False
    return _definition_prefix(next_line, _line_nesting(next_line)[2]) != prefix


def _nesting_depths(lines: list[str]):
    """For each line: (depth, indentation levels, markers, definition levels
    above it). ``lines`` may be changed by the caller between steps (the
    next step reads the changed line). Linear in the lines' length."""
    definitions = 0
    for i, line in enumerate(lines):
        if not line.strip():
            definitions = 0  # a blank line ends every lazily continued block
        depth, levels, markers = _line_nesting(line)
        yield depth + definitions, levels, markers, definitions
        line = lines[i]  # as the caller left it
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _nests_next(line, _line_nesting(line)[2], following):
            definitions += 1


def nesting_problem(text: str, *, limit: int = MAX_NESTING) -> str | None:
    """A message for the editor when ``text`` (Markdown) nests lists, quotes,
    definitions or indentation deeper than ``limit`` levels on some line,
    else ``None``. Linear in ``len(text)``."""
    lines = _lines(text)
    for number, (depth, *_) in enumerate(_nesting_depths(lines), start=1):
        if depth > limit:
            return NESTING_MESSAGE.format(depth=depth, line=number, limit=limit)
    return None


def _lines(text: str) -> list[str]:
    """``text`` split into lines the way Python-Markdown does ("\r\n", "\r", "\n")."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _escape_marker(match: re.Match) -> str:
    """A list, quote or definition marker escaped so it shows as written:
    ``1.`` becomes ``1\\.``, ``-`` becomes ``\\-``, ``>`` becomes ``\\>``,
    ``:`` (not a Markdown escape) becomes ``&#58;``."""
    marker = match.group(1)
    if marker == ":":
        return "&#58;" + match.group(0)[1:]
    return marker[:-1] + "\\" + marker[-1] + match.group(0)[len(marker) :]


def limit_nesting(text: str, *, limit: int = MAX_NESTING) -> str:
    """``text`` (Markdown) with every line nested at most ``limit`` levels:
    indentation beyond the limit is cut and list / quote / definition markers
    beyond it are escaped, so they show as written text ("1. 1. 1. x" deeper
    than the limit reads "1. x" for its last levels; a definition's ":" too
    deep reads ":" in its paragraph, which ends the deeper nesting). Line
    endings become "\n" when a line is changed; lines within the limit are
    unchanged. Linear in ``len(text)``."""
    lines = _lines(text)
    changed = False
    for i, (depth, levels, markers, definitions) in enumerate(_nesting_depths(lines)):
        if depth <= limit:
            continue
        changed = True
        line = lines[i]
        space = _LEADING_SPACE.match(line).group(0)
        room = max(limit - definitions, 0)
        kept_levels = min(levels, room)
        keep = max(room - kept_levels, 0)
        rest = line[markers[keep].start() :] if len(markers) > keep else line[len(space) :]
        head = line[len(space) : markers[keep].start()] if len(markers) > keep else ""
        escaped = _CONTAINER_MARKER.sub(_escape_marker, rest)
        lines[i] = " " * (4 * kept_levels) + head.lstrip(" \t") + escaped
    return "\n".join(lines) if changed else text


def _plain_paragraphs(text: str) -> str:
    """The last resort: ``text`` escaped, one ``<p>`` per blank-line-separated run."""
    runs = [run.strip() for run in re.split(r"\n\s*\n", text) if run.strip()]
    return "".join(f"<p>{html.escape(run)}</p>" for run in runs)


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` (``str``, may be empty) to sanitised HTML.

    Python-Markdown with the "extra" (tables, fenced code, footnotes,
    definition lists, abbreviations) and "sane_lists" extensions, then
    :func:`sanitize_html`. Never raises on any string input, and its time
    grows linearly with the text's length: nesting beyond ``MAX_NESTING``
    levels is flattened (:func:`limit_nesting`; forms refuse it first with
    :func:`nesting_problem`), link scans are bounded, and after any error the
    thread's Markdown instance is rebuilt and the text shown escaped, as
    plain paragraphs.
    """
    if not text:
        return ""
    source = limit_abbreviations(limit_unclosed_angles(limit_nesting(text)))
    try:
        rendered = _markdown_instance().reset().convert(source)
    except Exception:  # RecursionError included: never a 500, never a broken instance
        _local.markdown = None
        logger.exception("Markdown rendering failed; text shown as plain paragraphs")
        rendered = _plain_paragraphs(text)
    return sanitize_html(rendered)


_local = threading.local()


def _markdown_instance() -> markdown_lib.Markdown:
    """One Python-Markdown instance per thread, reset between documents:
    building one loads every extension, which was most of a render's time.
    :func:`render_markdown` drops it after an error, so the next render
    builds a fresh one."""
    instance = getattr(_local, "markdown", None)
    if instance is None:
        instance = markdown_lib.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        harden(instance)
        _local.markdown = instance
    return instance
