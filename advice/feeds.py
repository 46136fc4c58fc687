"""Article feeds: RSS 2.0 at ``/feed/``, Atom at ``/feed/atom/`` and RSS per
topic at ``/topics/<slug>/feed/``.

Each item carries the article's full question and answer HTML (already
sanitised on save). Every string is passed through :func:`xml_safe` first:
Django's feed writer refuses the control characters XML 1.0 forbids (a 500),
and an imported article may well contain one.

Dates: an item's publish time is the article's; its Atom ``<updated>``, and
so the feed's ``<updated>`` and RSS ``<lastBuildDate>``, is the content's
last change (``Article.modified_at``), never comment activity.

Every link in a feed (channel, self, items) is absolute and built from
``settings.SITE_URL`` (:class:`SiteFeed`): Django's ``Feed`` would otherwise
take the host and scheme from the request, and a feed is public and cached.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from advice.models import Article, Topic, display_name
from advice.search.highlight import plain_text
from config.shared_pages import shared_page
from config.site import site_url

FEED_ITEMS = 20  # latest articles in a feed (WordPress: posts_per_rss 10)

# XML 1.0 (section 2.2, "Char"): tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and
# U+10000-U+10FFFF. Everything else (C0 controls such as U+000B and U+001F,
# lone surrogates, U+FFFE, U+FFFF) must go.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """``text`` (any value; non-strings go through ``str()``) without the
    characters XML 1.0 does not allow (see ``_XML_ILLEGAL``); ``None`` gives
    ``""``. Everything else, emoji and right-to-left text included, is kept.
    The one cleaner for every feed (articles, topics, an article's comments):
    Django's feed writer refuses these characters with a 500."""
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def article_feed_html(article: Article) -> str:
    """The full item HTML: who asks, the question, then the answer. Built
    from the stored, sanitised HTML; the asker's name is escaped."""
    parts = []
    if article.asker:
        parts.append(f"<p><strong>{escape(article.asker)}</strong> asks:</p>")
    if article.question_html:
        parts.append(f"<blockquote>{article.question_shown_html}</blockquote>")
    parts.append(article.answer_shown_html)
    return xml_safe("\n".join(parts))


def _author_name(article: Article) -> str | None:
    if article.author is None:
        return None
    return xml_safe(display_name(article.author))


class SiteFeed(Feed):
    """A feed whose links never come from the request: ``link``,
    ``feed_url`` and ``item_link`` are turned into absolute URLs with
    :func:`config.site.site_url` (Django's writer leaves absolute URLs
    as they are). Subclasses return paths from ``site_link``,
    ``site_feed_url`` and ``site_item_link``. A feed is the same for every
    reader without state, so it is answered from the whole-page cache
    (:func:`config.shared_pages.shared_page`; no query parameter counts)."""

    def __call__(self, request, *args, **kwargs):
        return _feed_page(request, *args, feed=self, **kwargs)

    def site_link(self, obj) -> str:
        raise NotImplementedError

    def site_feed_url(self, obj) -> str:
        raise NotImplementedError

    def site_item_link(self, item) -> str:
        return item.get_absolute_url()

    def link(self, obj=None) -> str:
        return site_url(self.site_link(obj))

    def feed_url(self, obj=None) -> str:
        return site_url(self.site_feed_url(obj))

    def item_link(self, item) -> str:
        return site_url(self.site_item_link(item))


@shared_page()
def _feed_page(request, *args, feed: Feed, **kwargs):
    """``feed``'s own answer (Django's ``Feed.__call__``) to ``request``."""
    return Feed.__call__(feed, request, *args, **kwargs)


class LatestArticlesFeed(SiteFeed):
    """RSS 2.0: the latest ``FEED_ITEMS`` published articles, full HTML.
    One query for the articles and their authors, one for their topics."""

    description_template = None
    feed_url_name = "advice:feed"

    def title(self, obj=None) -> str:
        return xml_safe(settings.SITE_NAME)

    def description(self, obj=None) -> str:
        return "Reader questions, answered by the columnist."

    def site_link(self, obj=None) -> str:
        return reverse("advice:home")

    def site_feed_url(self, obj=None) -> str:
        return reverse(self.feed_url_name)

    def articles(self, obj=None):
        return Article.objects.published().select_related("author").prefetch_related("topics")

    def items(self, obj=None):
        return self.articles(obj).order_by("-published_at", "-id")[:FEED_ITEMS]

    def item_title(self, item: Article) -> str:
        return xml_safe(item.title or "(no title)")

    def item_description(self, item: Article) -> str:
        return article_feed_html(item)

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        # The content's last change, not comment activity (Article.modified_at);
        # Django's writer also takes the channel's <updated> / <lastBuildDate>
        # from the latest of these and the publish times.
        return item.modified_at

    def item_author_name(self, item: Article) -> str | None:
        return _author_name(item)

    def item_categories(self, item: Article) -> list[str]:
        return [xml_safe(topic.name) for topic in item.topics.all()]


class AtomWithContent(Atom1Feed):
    """Atom 1.0 whose entries carry the full HTML in ``<content>`` (Django's
    writer only has ``<summary>``); pass it as the item's ``content_html``."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestArticlesAtomFeed(LatestArticlesFeed):
    """Atom 1.0 of the same articles: a plain-text summary (the question) and
    the full HTML as ``<content>``."""

    feed_type = AtomWithContent
    feed_url_name = "advice:feed_atom"

    def subtitle(self, obj=None) -> str:
        return self.description(obj)

    def item_description(self, item: Article) -> str:
        return xml_safe(plain_text(item.question_shown_html)[:500])

    def item_extra_kwargs(self, item: Article) -> dict:
        return {"content_html": article_feed_html(item)}


class TopicArticlesFeed(LatestArticlesFeed):
    """RSS 2.0 of one topic's latest published articles; an unknown topic is 404."""

    def get_object(self, request, slug: str) -> Topic:
        if "\x00" in slug:  # PostgreSQL refuses NUL in text: no such topic
            raise Http404("No such topic.")
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj: Topic = None) -> str:
        return xml_safe(f"{obj.name} — {settings.SITE_NAME}")

    def description(self, obj: Topic = None) -> str:
        return xml_safe(obj.description or f"Answers about {obj.name}.")

    def site_link(self, obj: Topic = None) -> str:
        return obj.get_absolute_url()

    def site_feed_url(self, obj: Topic = None) -> str:
        return reverse("advice:topic_feed", kwargs={"slug": obj.slug})

    def articles(self, obj: Topic = None):
        return super().articles(obj).filter(topics=obj)
