"""Old WordPress links of imported articles answer 301 to the article.

Two kinds of old link (see docs/architecture.md, ``wordpress/``):

- the short link ``/?p=<wp id>``, stored as ``Article.wp_id``, asked of the
  home page (:func:`short_link_redirect`);
- any other old path, looked up by :class:`OldLinkFallbackMiddleware` only
  when no URL pattern matched the request and ``CommonMiddleware`` did not
  redirect it to the address with a final slash. So no URL pattern is
  shadowed by old links, and ``/search`` still answers 301 to ``/search/``.

The fallback asks each function of :data:`LINK_SHAPES` in turn; a shape
takes the request's path and returns a 301 or None. Today there is one:
the permalink path stored as ``Article.wp_path`` (``/2014/05/thank-you-notes/``,
matched with or without its final slash). Only published articles are
found; anything else stays the site's 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from advice.middleware import DatabaseUnavailableMiddleware
from advice.models import Article

logger = logging.getLogger(__name__)


def short_link_redirect(wp_id: str) -> HttpResponsePermanentRedirect | None:
    """For the value of ``?p=`` on the home page: None when it is not an
    ASCII number (the home page is shown), else 301 to the published article
    imported with that WordPress id. Raises Http404 when there is none."""
    if not (wp_id.isascii() and wp_id.isdigit()):  # "²".isdigit() is True, int("²") fails
        return None
    article = Article.objects.published().filter(wp_id=int(wp_id)).first()
    if article is None:
        raise Http404("No article has that old WordPress id.")
    return HttpResponsePermanentRedirect(article.get_absolute_url())


def _has_control_characters(path: str) -> bool:
    # No stored path holds them, and PostgreSQL refuses NUL in a query value.
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)


def permalink_redirect(path: str) -> HttpResponsePermanentRedirect | None:
    """Shape "permalink": ``path`` (the request's path, e.g.
    ``/2014/05/thank-you-notes``) is a published article's old WordPress
    path (``Article.wp_path``), with or without its final slash: 301 to the
    article. None otherwise. A path with nothing but slashes (``//``,
    ``///``) names no article, even one imported with an empty ``wp_path``."""
    stem = path.strip("/")
    if not stem or _has_control_characters(stem):
        return None
    wanted = "/" + stem + "/"
    article = (
        Article.objects.published()
        .exclude(wp_path="")
        .filter(wp_path__in=[wanted, wanted.rstrip("/")])
        .first()
    )
    if article is None:
        return None
    return HttpResponsePermanentRedirect(article.get_absolute_url())


# The shapes of old link, asked in this order; the first answer wins.
LINK_SHAPES: list[Callable[[str], HttpResponse | None]] = [permalink_redirect]


def old_link_response(path: str) -> HttpResponse | None:
    """The first answer of :data:`LINK_SHAPES` for ``path`` (a request path),
    or None when no shape knows it. Database errors propagate."""
    for shape in LINK_SHAPES:
        response = shape(path)
        if response is not None:
            return response
    return None


def _never_old_links() -> tuple[str, ...]:
    """Path prefixes that never hold an old link: the admin, static files and
    uploads."""
    return tuple(
        prefix
        for prefix in (reverse("admin:index"), settings.STATIC_URL, settings.MEDIA_URL)
        if prefix and prefix.startswith("/") and prefix != "/"
    )


class OldLinkFallbackMiddleware:
    """On a 404 to a GET or HEAD that no URL pattern matched, answer with
    :func:`old_link_response` when it knows the path (a 301); otherwise the
    404 stands. Modelled on ``django.contrib.flatpages``' fallback.

    List it before ``CommonMiddleware`` in ``MIDDLEWARE``, so that its
    ``process_response`` runs after the slash redirect. Never answers for
    the admin, static files or uploads. A database outage during the lookup
    gets the same 503 as one in a view (:mod:`advice.middleware`); any other
    error is logged and the 404 stands."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._outage = DatabaseUnavailableMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 404
            or request.method not in ("GET", "HEAD")
            or getattr(request, "resolver_match", None) is not None  # a view answered 404
            or request.path_info.startswith(_never_old_links())
        ):
            return response
        try:
            return old_link_response(request.path_info) or response
        except Exception as error:  # a 404 must not become a 500
            outage = self._outage.process_exception(request, error)
            if outage is not None:
                return outage
            logger.exception("Old-link lookup failed for %s", request.path_info)
            return response
