"""Old WordPress links of imported articles answer 301 to the article.

Two shapes of old link (see docs/architecture.md, ``wordpress/``): the
permalink path stored as ``Article.wp_path`` (``/2014/05/thank-you-notes/``,
matched with or without its final slash, by the catch-all URL pattern) and
the short link ``/?p=<wp id>`` stored as ``Article.wp_id`` (asked of the
home page). Only published articles are found; anything else is 404.
"""

from __future__ import annotations

from django.http import Http404, HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

from advice.models import Article


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


@require_safe
def wordpress_redirect(request, path: str):
    """Any other path: if it is an imported article's old WordPress path,
    answer 301 to the article; otherwise 404. A path with nothing but
    slashes (``//``, ``///``) names no article, even one imported with an
    empty ``wp_path``."""
    stem = path.strip("/")
    if not stem:
        raise Http404("No page here.")
    wanted = "/" + stem + "/"
    article = (
        Article.objects.published()
        .exclude(wp_path="")
        .filter(wp_path__in=[wanted, wanted.rstrip("/")])
        .first()
    )
    if article is None:
        raise Http404("No page here.")
    return HttpResponsePermanentRedirect(article.get_absolute_url())
