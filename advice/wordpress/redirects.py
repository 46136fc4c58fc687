"""Old WordPress addresses answer 301 to our page for them (web layer).

Three ways in (docs/architecture.md, ``wordpress/``; the table of shapes is
docs/wordpress-links.md):

- the home page asks :func:`home_old_link` for ``/?p=<wp id>`` (the short
  link, ``Article.wp_id``) and ``/?s=<words>`` (WordPress's search);
- the article page asks :func:`old_slug_redirect` before its 404, for a slug
  the article had before (:mod:`advice.slug_history`);
- :class:`OldLinkFallbackMiddleware`, on a GET or HEAD answered 404, sends
  any address under an old slug (``/articles/<old>/comments/<id>/``, the
  comment feed, ...) to the same address under the slug now
  (:func:`old_slug_address_redirect`), and looks any other old path up only
  when no URL pattern matched the request and ``CommonMiddleware`` did not
  redirect it to the address with a final slash. So no URL pattern is
  shadowed by old links, and ``/search`` still answers 301 to ``/search/``.

The fallback asks each function of :data:`LINK_SHAPES` in turn; a shape
takes the request's path and query and returns a 301 or None. Only
published articles are found; anything else stays the site's 404 (which
already says the article may have moved: the importer keeps no record of
the items it skipped, so their old ids get that page too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify

from advice.comments.permalinks import comment_page_url
from advice.comments.threads import thread_order
from advice.flatpages import flatpage_response
from advice.middleware import DatabaseUnavailableMiddleware
from advice.models import Article, Topic
from advice.slug_history import article_for_old_slug
from advice.wordpress.old_paths import OldPath, read_old_path

logger = logging.getLogger(__name__)

# How many path segments deep an article's own address may be looked for.
_ARTICLE_PREFIX_SEGMENTS = 4

# WordPress's comment pages: ``comments_per_page`` 50 top-level comments
# (with their replies, threading on), page 1 the oldest.
WP_COMMENTS_PER_PAGE = 50


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


def home_old_link(query: QueryDict) -> HttpResponsePermanentRedirect | None:
    """For the home page's query: the short link ``?p=<wp id>``
    (:func:`short_link_redirect`, Http404 for an unknown id), else
    WordPress's search ``?s=<words>``: 301 to ``/search/?q=<words>``. None
    when the query holds neither (the home page is shown)."""
    short_link = short_link_redirect(query.get("p", ""))
    if short_link is not None:
        return short_link
    if "s" in query:
        words = query.get("s", "")
        target = reverse("advice:search") + ("?" + urlencode({"q": words}) if words else "")
        return HttpResponsePermanentRedirect(target)
    return None


def old_slug_redirect(slug: str, articles, query_string: str = "") -> HttpResponsePermanentRedirect:
    """For the article page's unknown ``slug``: 301 to the article among
    ``articles`` (a QuerySet: what the reader may see) that had that slug
    before, keeping ``query_string`` (``cpage=2``). Raises Http404 when no
    such article is among them."""
    article = article_for_old_slug(slug, articles)
    if article is None:
        raise Http404("No article has that address.")
    return HttpResponsePermanentRedirect(
        article.get_absolute_url() + ("?" + query_string if query_string else "")
    )


def _article_address_prefix(path: str, urlconf=None) -> tuple[str, str] | None:
    """The start of ``path`` (a request's ``path_info``) that is an article's
    own address by the URLconf (``advice:article_detail``,
    ``/articles/<slug>/``) and that slug; None when no start of it is."""
    end = 0
    for _ in range(_ARTICLE_PREFIX_SEGMENTS):
        end = path.find("/", end + 1)
        if end < 0:
            return None
        try:
            match = resolve(path[: end + 1], urlconf)
        except Resolver404:
            continue
        if match.view_name == "advice:article_detail":
            return path[: end + 1], match.kwargs["slug"]
    return None


def old_slug_address_redirect(
    path: str, query_string: str = "", urlconf=None
) -> HttpResponsePermanentRedirect | None:
    """For ``path`` (a request's ``path_info``) under an article's address,
    ``/articles/<slug>/...``, where ``<slug>`` is an old slug of a published
    article (:func:`advice.slug_history.article_for_old_slug`) and no article
    has it now: 301 to the same address under the article's slug now, keeping
    ``query_string`` (raw, as the request sent it). None otherwise. Used for
    every address a 404 answered (the comment permalinks of sent e-mails, the
    comment feed), so no view needs its own rule. At most three queries."""
    found = _article_address_prefix(path, urlconf)
    if found is None:
        return None
    prefix, slug = found
    if _has_control_characters(slug) or Article.objects.filter(slug=slug).exists():
        return None  # the live article wins (advice.slug_history)
    article = article_for_old_slug(slug, Article.objects.published())
    if article is None:
        return None
    target = article.get_absolute_url() + escape_uri_path(path[len(prefix) :])
    return HttpResponsePermanentRedirect(target + ("?" + query_string if query_string else ""))


def _has_control_characters(path: str) -> bool:
    # No stored path holds them, and PostgreSQL refuses NUL in a query value.
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)


def permalink_redirect(path: str, query: QueryDict | None = None) -> HttpResponse | None:
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


def _old_post(old: OldPath) -> Article | None:
    """The published article an old post address names: its stored old path
    in any letter case; else its name as the end of a stored old path, as
    our slug or as an old slug (a date in the address picks among several)."""
    articles = Article.objects.published()
    stem = old.path.rstrip("/")
    article = articles.filter(Q(wp_path__iexact=stem + "/") | Q(wp_path__iexact=stem)).first()
    if article is not None or not old.name:
        return article
    name = old.name
    candidates = list(
        articles.filter(
            Q(slug__iexact=name)
            | Q(wp_path__iendswith=f"/{name}/")
            | Q(wp_path__iendswith=f"/{name}")
        )[:20]
    )
    if not candidates:
        return article_for_old_slug(slugify(name, allow_unicode=True) or name, articles)
    if old.year:
        dated = [
            a
            for a in candidates
            if (a.published_at.year, a.published_at.month) == (old.year, old.month)
        ]
        candidates = dated or candidates
    return candidates[0]


def _comment_page_target(article: Article, wp_page: int) -> str:
    """Our address for WordPress's comment page ``wp_page`` of ``article``:
    the comment page holding the first top-level comment of that page
    (WordPress numbers pages from the oldest, :data:`WP_COMMENTS_PER_PAGE`
    threads each), at that comment; the article when there is no such
    comment now (removed since, or a site that paged differently)."""
    rows = article.comments.visible().for_tree().select_related(None).only("pk", "parent_id")
    thread = thread_order(rows, settings.COMMENTS_MAX_DEPTH)
    roots = [entry.comment for entry in thread if entry.depth == 1]
    index = (wp_page - 1) * WP_COMMENTS_PER_PAGE
    if wp_page < 1 or index >= len(roots):
        return article.get_absolute_url()
    return comment_page_url(article, roots[index].pk, thread)


def _article_target(article: Article, old: OldPath) -> str:
    if old.ending == "feed":
        return reverse("advice:comment_feed", kwargs={"slug": article.slug})
    if old.ending == "comment_page":
        return _comment_page_target(article, old.number)
    return article.get_absolute_url()


def _listing_target(path: str, old: OldPath) -> str:
    return path + (f"?page={old.number}" if old.ending == "page" and old.number > 1 else "")


def wordpress_shape_redirect(path: str, query: QueryDict | None = None) -> HttpResponse | None:
    """Shape "WordPress": ``path`` read by
    :func:`advice.wordpress.old_paths.read_old_path` and answered with a 301
    to our page for it (the table in docs/wordpress-links.md): a post (its
    endings: comment feed, comment page, AMP, trackback) → the article;
    ``/archives/<id>`` → the article imported with that id; a category or
    tag → the topic; a month or day → the month archive; the front page's
    feeds and pages → ours; ``/index.php`` with ``query`` → what the home
    page answers to it (:func:`home_old_link`).
    None when nothing published matches."""
    old = read_old_path(path)
    if old is None:
        return None
    target = None
    if old.kind == "home":
        if old.ending == "feed":
            target = reverse("advice:feed_atom" if old.feed_name == "atom" else "advice:feed")
        else:
            try:  # /index.php?p=<id>, ?s=<words>: as the home page answers them
                link = home_old_link(query) if query and not old.ending else None
            except Http404:
                return None
            target = link.url if link else _listing_target(reverse("advice:home"), old)
    elif old.kind == "comments":
        target = reverse("advice:site_comment_feed")
    elif old.kind in ("post", "post_id"):
        if old.kind == "post_id":
            article = Article.objects.published().filter(wp_id=old.number).first()
        else:
            article = _old_post(old)
        target = _article_target(article, old) if article is not None else None
    elif old.kind in ("category", "tag"):
        topic = Topic.objects.filter(slug=slugify(old.name, allow_unicode=True)).first()
        if topic is not None and old.ending == "feed":
            target = reverse("advice:topic_feed", kwargs={"slug": topic.slug})
        elif topic is not None:
            target = _listing_target(topic.get_absolute_url(), old)
    elif old.kind == "month":
        month = {"year": f"{old.year:04d}", "month": f"{old.month:02d}"}
        target = _listing_target(reverse("advice:archive_month", kwargs=month), old)
    return HttpResponsePermanentRedirect(target) if target else None


# The shapes of old link, asked in this order; the first answer wins.
LINK_SHAPES: list[Callable[[str, QueryDict | None], HttpResponse | None]] = [
    permalink_redirect,
    wordpress_shape_redirect,
]


def old_link_response(path: str, query: QueryDict | None = None) -> HttpResponse | None:
    """The first answer of :data:`LINK_SHAPES` for ``path`` (a request path)
    and ``query`` (its query, when any), or None when no shape knows it.
    Database errors propagate."""
    for shape in LINK_SHAPES:
        response = shape(path, query)
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
    """On a 404 to a GET or HEAD, answer with a 301 when the path is under an
    article's old slug (:func:`old_slug_address_redirect`, whichever view
    answered 404) or, when no URL pattern matched, when
    :func:`old_link_response` knows it; otherwise the 404 stands. POSTs are
    never redirected. Modelled on ``django.contrib.flatpages``' fallback.

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
            or request.path_info.startswith(_never_old_links())
        ):
            return response
        path = request.path_info
        try:
            moved = old_slug_address_redirect(
                path, request.META.get("QUERY_STRING", ""), getattr(request, "urlconf", None)
            )
            if moved is not None:
                return moved
            if getattr(request, "resolver_match", None) is not None:  # a view answered 404
                return response
            # An imported WordPress page (a flat page) at its old path.
            return flatpage_response(request) or old_link_response(path, request.GET) or response
        except Exception as error:  # a 404 must not become a 500
            outage = self._outage.process_exception(request, error)
            if outage is not None:
                return outage
            logger.exception("Old-link lookup failed for %s", request.path_info)
            return response
