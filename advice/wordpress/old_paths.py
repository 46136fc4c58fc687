"""Read an old WordPress address: which kind of page it named (pure logic).

:func:`read_old_path` takes a request path (percent-decoded, as Django's
``request.path_info``) and says what WordPress would have shown there, as an
:class:`OldPath`; :mod:`advice.wordpress.redirects` finds our page for it.
The shapes are WordPress's permalink structures and rewrite rules
(``WP_Rewrite``): the post links ``/%year%/%monthnum%/%postname%/``,
``/%year%/%monthnum%/%day%/%postname%/``, ``/%postname%/`` and
``/archives/%post_id%``, the category, tag and date archives, the site's
feeds, each with WordPress's endings (``feed/``, ``amp/``, ``embed/``,
``trackback/``, ``comment-page-<N>/``, ``page/<N>/``) and the
``/index.php/`` prefix of sites without URL rewriting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Feed names WordPress accepts after ``feed/`` (``WP_Rewrite::$feeds``).
FEED_NAMES = {"rss", "rss2", "atom", "rdf"}
_COMMENT_PAGE = re.compile(r"comment-page-([0-9]{1,9})\Z", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]{1,9}\Z")


@dataclass(frozen=True)
class OldPath:
    """What an old address named.

    ``kind`` is one of:

    - ``"post"``: a post; ``path`` is the address without its ending (for
      the stored ``Article.wp_path``), ``name`` its last segment (the post's
      name), ``year``/``month``/``day`` the date in it, when any;
    - ``"post_id"``: ``/archives/<id>``, the id in ``number``;
    - ``"category"``, ``"tag"``: a term archive, the term's slug in ``name``;
    - ``"month"``: a month or day archive (``year``, ``month``);
    - ``"home"``: the front page or the site's feed;
    - ``"comments"``: the site's comment feed (``/comments/feed/``).

    ``ending`` is ``""`` or one of ``"feed"``, ``"amp"``, ``"trackback"``,
    ``"comment_page"``, ``"page"`` (``number`` holds N for the last two);
    ``feed_name`` is the name after ``feed/`` (``"atom"``...), when given.
    """

    kind: str
    path: str = ""
    name: str = ""
    year: int = 0
    month: int = 0
    day: int = 0
    number: int = 0
    ending: str = ""
    feed_name: str = ""


def _split_ending(segments: list[str]) -> tuple[list[str], str, int, str]:
    """``segments`` without WordPress's ending, and the ending: (segments,
    ending, number, feed name)."""
    lowered = [s.lower() for s in segments]
    if len(segments) >= 2 and lowered[-2] == "feed" and lowered[-1] in FEED_NAMES:
        return segments[:-2], "feed", 0, lowered[-1]
    if len(segments) >= 2 and lowered[-2] == "page" and _NUMBER.match(segments[-1]):
        return segments[:-2], "page", int(segments[-1]), ""
    if segments and lowered[-1] in ("feed", "amp", "embed", "trackback"):
        ending = "amp" if lowered[-1] == "embed" else lowered[-1]
        return segments[:-1], ending, 0, ""
    if segments and (match := _COMMENT_PAGE.match(segments[-1])):
        return segments[:-1], "comment_page", int(match.group(1)), ""
    return segments, "", 0, ""


def _date(year: str, month: str, day: str = "01") -> tuple[int, int, int] | None:
    """(year, month, day) when the strings are a WordPress date archive's
    (four-digit year, two-digit month 01-12, two-digit day 01-31), else None."""
    if not (len(year) == 4 and len(month) == 2 and len(day) == 2):
        return None
    if not (year + month + day).isascii() or not (year + month + day).isdigit():
        return None
    y, m, d = int(year), int(month), int(day)
    if y < 1 or not 1 <= m <= 12 or not 1 <= d <= 31:
        return None
    return y, m, d


def read_old_path(path: str) -> OldPath | None:
    """What the old address ``path`` (a request path, e.g.
    ``/index.php/2014/05/12/thank-you-notes/comment-page-2/``) named, or None
    when it has no WordPress shape (an empty path, a control character)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None  # no stored path holds them; PostgreSQL refuses NUL
    segments = [s for s in path.split("/") if s]
    if segments and segments[0].lower() == "index.php":
        segments = segments[1:]
    segments, ending, number, feed_name = _split_ending(segments)
    if not segments and not ending and path.strip("/").lower() != "index.php":
        return None
    tail = {"ending": ending, "number": number, "feed_name": feed_name}
    lowered = [s.lower() for s in segments]
    if not segments:
        return OldPath("home", **tail)
    if lowered == ["comments"] and ending == "feed":
        return OldPath("comments", **tail)
    if len(segments) == 2 and lowered[0] == "archives" and _NUMBER.match(segments[1]):
        return OldPath("post_id", ending=ending, number=int(segments[1]), feed_name=feed_name)
    if len(segments) >= 2 and lowered[0] in ("category", "tag"):
        return OldPath(lowered[0], name=segments[-1], **tail)
    date = _date(*segments[:2]) if len(segments) >= 2 else None
    if date and len(segments) == 2:
        return OldPath("month", year=date[0], month=date[1], **tail)
    if date and len(segments) == 3 and (day := _date(*segments[:3])):
        return OldPath("month", year=day[0], month=day[1], **tail)
    stem = "/" + "/".join(segments) + "/"
    when = {}
    if date and len(segments) == 4 and (day := _date(*segments[:3])):
        when = {"year": day[0], "month": day[1], "day": day[2]}
    elif date and len(segments) == 3:
        when = {"year": date[0], "month": date[1]}
    return OldPath("post", path=stem, name=segments[-1], **when, **tail)
