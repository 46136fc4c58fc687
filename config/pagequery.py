"""One normal form for the page numbers a page reads from its query string
(``?page=`` on lists, ``?cpage=`` on an article's comments), used for the
cache key *and* for the render, so a cached fragment always means what the
page shows.

The rule (see SECURITY.md, "cache keys"):

- :func:`normal_page` reads a raw value the way a reader means it: ``"3"``,
  ``"+3"``, ``" 3"``, ``"03"`` are page 3; absent, empty, ``"0"``, negative or
  anything that is not a whole number is page 1; more than :data:`MAX_PAGE`
  is :data:`MAX_PAGE`.
- A page whose query string does not hold that normal form answers 301 to
  the URL that does (:func:`page_redirect`): page 1 has no parameter
  (``?cpage=1`` and ``?cpage=abc`` go to the plain URL), other pages have
  exactly one ``name=<digits>``. Other parameters are kept.
- A number beyond the last page answers a *temporary* redirect (302, never
  cached) to the last page: the page may exist tomorrow (a 51st comment), and
  a browser keeps a 301 for good. The view finds out while rendering
  (:class:`PageOutOfRange`), before anything is stored. Only the spelling
  normalisations above are permanent.
- :func:`page_path` is the page's path with only the page numbers the page
  itself reads (its ``names``) in normal form (no other parameter): the note
  drafter's way back, and its cache key.

Lives in ``config`` because ``advice`` and ``notes`` both use it and
``notes`` must never import ``advice``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import QueryDict
from django.utils.encoding import escape_uri_path

PAGE_PARAMS = ("page", "cpage")
MAX_PAGE = 100_000
_MAX_RAW = 32  # characters; longer values are never a page number
_MAX_ID_DIGITS = 18  # a larger id overflows the databases' 64-bit keys


class PageOutOfRange(Exception):  # noqa: N818 — a signal to redirect, not an error
    """Raised while rendering page ``number`` of ``last`` pages (number > last)."""

    def __init__(self, number: int, last: int):
        super().__init__(f"page {number} of {last}")
        self.number = number
        self.last = max(1, last)


def normal_page(raw: str | None) -> int:
    """The page number (1 to :data:`MAX_PAGE`) a raw query value stands for:
    a whole number as Python reads it (``"+3"``, ``" 3"``, ``"03"`` → 3),
    otherwise 1 (absent, empty, zero, negative, text)."""
    if not raw or len(raw) > _MAX_RAW:
        return 1
    try:
        number = int(raw)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def object_id(raw: str | None) -> int | None:
    """The id a raw query value such as ``?replytocom=`` names: ASCII digits
    only, at most 18 of them (larger overflows a 64-bit key); else ``None``.
    ``"07"`` is 7 (callers that key a cache on it compare ``str(id)`` with the
    raw value to keep one spelling)."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= _MAX_ID_DIGITS:
        return int(raw)
    return None


def normal_values(number: int) -> list[str]:
    """The query values of page ``number`` in normal form: none for page 1."""
    return [str(number)] if number > 1 else []


def page_query(query: QueryDict, name: str, number: int) -> str:
    """``query`` (a request's GET) encoded with parameter ``name`` set to page
    ``number`` in normal form; other parameters kept in their order. Returns
    ``"?..."`` or ``""``."""
    changed = query.copy()
    values = normal_values(number)
    if values:
        changed.setlist(name, values)
    else:
        changed.pop(name, None)
    encoded = changed.urlencode()
    return f"?{encoded}" if encoded else ""


def page_redirect(request, name: str, number: int) -> str | None:
    """The URL to answer 301 with when ``request``'s parameter ``name`` is not
    page ``number`` in normal form; None when it already is."""
    if request.GET.getlist(name) == normal_values(number):
        return None
    return escape_uri_path(request.path) + page_query(request.GET, name, number)


def requested_page(request, name: str) -> tuple[int, str | None]:
    """The page ``request`` asks for in its parameter ``name`` (normal form,
    :func:`normal_page`) and the URL to answer 301 with when the request did
    not spell it in normal form (None when it did). One URL, one cache key
    per page."""
    number = normal_page(request.GET.get(name))
    return number, page_redirect(request, name, number)


def page_path(request, names: Iterable[str]) -> str:
    """``request``'s path with only the page numbers named in ``names`` (the
    parameters the page reads, a subset of :data:`PAGE_PARAMS`) in normal
    form, e.g. ``/articles/x/?cpage=3``; every other parameter dropped, page
    parameters the page does not read too (``?page=`` on an article would
    otherwise give one cache key per number)."""
    query = QueryDict(mutable=True)
    for name in PAGE_PARAMS:
        if name not in names:
            continue
        if name in request.GET:
            values = normal_values(normal_page(request.GET.get(name)))
            if values:
                query.setlist(name, values)
    encoded = query.urlencode()
    return escape_uri_path(request.path) + (f"?{encoded}" if encoded else "")
