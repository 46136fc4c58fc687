"""RSS feeds of comments: one article's, ``/articles/<slug>/comments/feed/``,
and the whole site's, ``/comments/feed/`` (WordPress's address for it).

Only approved comments of published articles are in them (a draft, scheduled or
unknown article is 404). Commenters' e-mail addresses never appear. Text is
cleaned of the control characters XML 1.0 forbids (``advice.feeds.xml_safe``,
shared with the article feeds), so an odd byte in an
imported comment cannot break the feed (Django refuses to write them). Its
links are built from ``settings.SITE_URL`` (``advice.feeds.SiteFeed``), never
from the request's host; each item links to the comment's permalink
(``Comment.get_absolute_url()``, :mod:`advice.comments.permalinks`), which
finds the comment page holding it, never to ``#comment-<id>`` on page 1.
See docs/architecture.md ("``comments/``").
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse

from advice.feeds import SiteFeed, xml_safe
from advice.models import Article, Comment, published_q
from advice.templatetags.advice_tags import urlize_ugc

# Newest comments in the feed (WordPress: posts_per_rss, 10; threads here run longer).
COMMENT_FEED_ITEMS = 50


class ArticleCommentsFeed(SiteFeed):
    """The approved comments of one published article, newest first, as RSS
    2.0. Costs two queries whatever the number of comments."""

    def get_object(self, request, slug: str) -> Article:
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, obj: Article) -> str:
        return xml_safe(f"Comments on “{obj.title or '(no title)'}”")

    def site_link(self, obj: Article) -> str:
        return obj.get_absolute_url() + "#comments"

    def site_feed_url(self, obj: Article) -> str:
        return reverse("advice:comment_feed", kwargs={"slug": obj.slug})

    def description(self, obj: Article) -> str:
        return xml_safe(f"Readers' comments on “{obj.title or '(no title)'}”.")

    def items(self, obj: Article) -> list[Comment]:
        comments = list(obj.comments.visible().order_by("-created_at", "-id")[:COMMENT_FEED_ITEMS])
        for comment in comments:
            comment.article = obj  # every item's link uses it: no query per item
        return comments

    def item_title(self, item: Comment) -> str:
        return xml_safe(f"{item.author_name} on “{item.article.title or '(no title)'}”")

    def item_description(self, item: Comment) -> str:
        # As on the page: an imported comment's sanitised HTML, else the
        # plain-text body escaped and linked.
        if item.body_html:
            return xml_safe(item.body_shown_html)
        return xml_safe(linebreaks_filter(urlize_ugc(item.body)))

    def item_author_name(self, item: Comment) -> str:
        return xml_safe(item.author_name)

    def item_pubdate(self, item: Comment):
        return item.created_at


class SiteCommentsFeed(ArticleCommentsFeed):
    """The newest ``COMMENT_FEED_ITEMS`` approved comments on all published
    articles, newest first, as RSS 2.0 (WordPress: ``/comments/feed/``).
    Items read like :class:`ArticleCommentsFeed`'s. One query."""

    def get_object(self, request) -> None:
        return None

    def title(self, obj=None) -> str:
        return xml_safe(f"Comments on {settings.SITE_NAME}")

    def site_link(self, obj=None) -> str:
        return reverse("advice:home")

    def site_feed_url(self, obj=None) -> str:
        return reverse("advice:site_comment_feed")

    def description(self, obj=None) -> str:
        return xml_safe(f"Readers' newest comments on {settings.SITE_NAME}.")

    def items(self, obj=None) -> list[Comment]:
        return list(
            Comment.objects.visible()
            .filter(published_q(prefix="article__"))
            .select_related("article")
            .order_by("-created_at", "-id")[:COMMENT_FEED_ITEMS]
        )
