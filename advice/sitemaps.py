"""The sitemap (``/sitemap.xml``): a sitemap index naming one section file
per kind of page (``/sitemap-articles.xml``, ``/sitemap-topics.xml``), each
at most 50,000 URLs (the sitemaps.org limit; a bigger section is split
into pages, ``?p=2``...), and every file served from the cache.

A section is rendered by Django's sitemap view and stored whole under the
site version (:class:`advice.caching.SiteState`: any article saved,
touched or deleted, or a scheduled one coming due, gives a new key), so a
crawler reading 5,000 articles' URLs costs one version query and one cache
lookup, not a render of every URL (issue 14). Topic renames reach it at
``FRAGMENT_CACHE_TIMEOUT`` at the latest, as the home page's lists.

Every ``<loc>`` comes from ``settings.SITE_URL`` (:mod:`config.site`),
never from the request's ``Host`` or scheme: the answer is public and
cached, so it must not depend on anything the request says.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advice import caching
from advice.models import Article, Topic, published_q
from advice.site_version import site_version_read
from config.methods import allow_methods
from config.pagequery import normal_page
from config.site import site_origin, site_url

SECTION_URLS = 50_000  # sitemaps.org: at most 50,000 URLs per sitemap file
CONTENT_TYPE = "application/xml; charset=utf-8"
X_ROBOTS_TAG = "noindex, noodp, noarchive"  # as Django's own sitemap views


class SiteSitemap(Sitemap):
    """A sitemap whose ``<loc>`` URLs use ``settings.SITE_URL``'s scheme and
    host, whatever ``Host`` the request carried (Django's sitemap view would
    otherwise use ``RequestSite``, i.e. the request's ``Host``); at most
    :data:`SECTION_URLS` URLs per page."""

    limit = SECTION_URLS

    def get_protocol(self, protocol=None) -> str:
        return site_origin()[0]

    def get_domain(self, site=None) -> str:
        return site_origin()[1]


class ArticleSitemap(SiteSitemap):
    """Every published article; last modified = its content's last change
    (``Article.modified_at``: comments do not move it)."""

    changefreq = "monthly"

    def items(self):
        fields = ("slug", "published_at", "content_changed_at")
        return Article.objects.published().only(*fields).order_by("-published_at", "-id")

    def lastmod(self, item: Article):
        return item.modified_at


class TopicSitemap(SiteSitemap):
    """Topics with at least one published article; last modified = the
    newest content change among those articles (``Article.modified_at``,
    one query)."""

    changefreq = "weekly"

    def items(self):
        return (
            Topic.objects.annotate(
                last_change=Max(
                    Greatest("articles__content_changed_at", "articles__published_at"),
                    filter=published_q(prefix="articles__"),
                )
            )
            .filter(last_change__isnull=False)
            .order_by("name", "id")
        )

    def lastmod(self, item: Topic):
        return item.last_change


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap}


def _cached(name: str, parts: tuple, render) -> str:
    """``render()`` (XML text), stored under fragment ``name``, ``parts`` and
    the site version (:func:`advice.site_version.site_version_read`: one
    query; every content change and a scheduled article coming due move it);
    simply rendered with the fragment cache off."""
    if not caching.enabled():
        return render()
    version = site_version_read(timezone.now())
    key = caching.fragment_key(name, *parts, version.key)
    return str(caching.cached_fragment(key, render, caching.default_timeout()))


def _xml(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=CONTENT_TYPE)
    response.headers["X-Robots-Tag"] = X_ROBOTS_TAG
    return response


def section_pages() -> list[tuple[str, int]]:
    """``(section, page)`` of every sitemap file the index names: each
    section's pages of at most :data:`SECTION_URLS` URLs (one query per
    section)."""
    return [
        (section, page)
        for section, sitemap_class in SITEMAPS.items()
        for page in range(1, sitemap_class().paginator.num_pages + 1)
    ]


def section_url(section: str, page: int = 1) -> str:
    """The absolute URL of a section's ``page``, from ``settings.SITE_URL``."""
    url = site_url(reverse("sitemap_section", kwargs={"section": section}))
    return url if page == 1 else f"{url}?p={page}"


@allow_methods("GET", "HEAD")
def sitemap_index(request):
    """``/sitemap.xml``: the sitemap index (sitemaps.org), one ``<sitemap>``
    per section page; from the cache."""

    def render() -> str:
        items = [SitemapIndexItem(section_url(s, p)) for s, p in section_pages()]
        return render_to_string("sitemap_index.xml", {"sitemaps": items})

    return _xml(_cached("sitemap-index", (), render))


@allow_methods("GET", "HEAD")
def sitemap_section(request, section: str):
    """``/sitemap-<section>.xml[?p=N]``: one section's URLs, at most
    :data:`SECTION_URLS` per page; from the cache. 404 for an unknown
    section or a page beyond the last (Django's view decides)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap section.")
    page = normal_page(request.GET.get("p"))

    def render() -> str:
        request.GET = QueryDict(f"p={page}")  # what the key says, in normal form
        response = django_sitemap(request, SITEMAPS, section=section)
        return response.render().content.decode()

    return _xml(_cached("sitemap", (section, page), render))
