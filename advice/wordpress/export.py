"""Export the column as a WordPress export (WXR 1.2): ``manage.py export_wxr``.

:func:`wxr_export` writes every article, topic and comment in the elements
and namespaces WordPress's own exporter writes (see
:mod:`advice.wordpress.export_xml` for the format and the post content's
shape), so the file moves to WordPress's importer or back into this site
(``manage.py import_wxr``), which reads it as the same articles, comments,
threads, statuses and topics.

What goes out:

- **Articles** as ``post`` items: title (HTML-escaped, as WordPress titles
  are HTML), asker, question and answer as rendered here, author
  (``dc:creator`` and a ``wp:author`` block), dates (``pubDate``,
  ``wp:post_date`` in ``settings.TIME_ZONE``, ``wp:post_date_gmt``), status
  (``publish``; ``future`` when scheduled; ``draft``), comments open or
  closed (``wp:comment_status``), slug (``wp:post_name``), topics.
- **Old addresses**: an article imported from WordPress keeps its WordPress
  id as ``wp:post_id`` and its old path as ``<link>``, so the old links
  answer again wherever the file is imported. Ids: rows imported from the
  main source site (the one most articles came from) keep their WordPress
  ids; every other row gets the highest such id plus its own key, so ids
  never collide.
- **Topics** as tags (``wp:tag`` in the channel, ``category
  domain="post_tag"`` on items).
- **Comments** of every status (approved ``1``, held ``0``, ``spam``,
  removed ``trash``), threads (``wp:comment_parent``), dates, name, e-mail,
  website, and the IP address while it is kept (cleared ones go out
  empty). An imported comment's text is WordPress's HTML, written back as
  it came; a comment written here is plain text, written HTML-escaped.

Not exported: reply subscriptions and reply notices, comment revisions,
user agents, browser tokens, reader questions, note templates, and an
article's automatic close time (WordPress has no such field).

Memory stays bounded: articles come in chunks (``.iterator()`` with their
topics prefetched per chunk), comments in one ordered stream beside them,
and the XML is written as it goes. The file holds personal data (commenters'
e-mail and IP addresses): SECURITY.md says who may run it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from advice.models import Article, Comment, Topic, display_name
from advice.wordpress.export_xml import (
    COMMENT_APPROVED,
    WXR_VERSION,
    WXRWriter,
    post_content,
    rss_date,
    wp_date,
    wp_slug,
)
from config.site import site_url

CHUNK_SIZE = 500  # rows per fetch: articles (with their topics) and comments
_COMMENT_FIELDS = (
    "pk", "article_id", "wp_site", "wp_id", "parent_id", "parent__wp_site", "parent__wp_id",
    "author_name", "author_email", "author_url", "ip_address", "created_at", "body", "status",
    "user_id",
)  # fmt: skip


@dataclass
class ExportSummary:
    """What :func:`wxr_export` wrote: counts of articles, comments, topics
    and authors."""

    articles: int = 0
    comments: int = 0
    topics: int = 0
    authors: int = 0

    def line(self) -> str:
        return (
            f"Exported {self.articles} articles, {self.comments} comments, "
            f"{self.topics} topics and {self.authors} authors."
        )


class _Ids:
    """Exported WordPress ids (see the module docstring): ``site`` is the
    main source site, ``posts`` / ``comments`` the offsets for other rows."""

    def __init__(self) -> None:
        main = (
            Article.objects.exclude(wp_id=None)
            .values("wp_site")
            .annotate(n=Count("pk"))
            .order_by("-n", "wp_site")
            .first()
        )
        self.site = main["wp_site"] if main else None
        mine = {"wp_site": self.site, "wp_id__isnull": False}
        self.posts = Article.objects.filter(**mine).aggregate(m=Max("wp_id"))["m"] or 0
        self.comments = Comment.objects.filter(**mine).aggregate(m=Max("wp_id"))["m"] or 0

    def post(self, article: Article) -> int:
        if article.wp_id is not None and article.wp_site == self.site:
            return article.wp_id
        return self.posts + article.pk

    def comment(self, pk: int, wp_site: str, wp_id: int | None) -> int:
        if wp_id is not None and wp_site == self.site:
            return wp_id
        return self.comments + pk


def _channel(writer: WXRWriter, summary: ExportSummary) -> None:
    """The channel's header, its ``wp:author`` blocks and its ``wp:tag``s."""
    base = site_url("/").rstrip("/")
    writer.start("channel")
    for name, value in (
        ("title", settings.SITE_NAME),
        ("link", base),
        ("description", ""),
        ("pubDate", rss_date(timezone.now())),
        ("language", settings.LANGUAGE_CODE),
        ("wp:wxr_version", WXR_VERSION),
        ("wp:base_site_url", base),
        ("wp:base_blog_url", base),
    ):
        writer.newline(1)
        writer.text(name, value)
    authors = get_user_model().objects.filter(articles__isnull=False).distinct().order_by("pk")
    for user in authors.iterator(chunk_size=CHUNK_SIZE):
        writer.newline(1)
        writer.start("wp:author")
        writer.text("wp:author_id", str(user.pk))
        for name, value in (
            ("wp:author_login", user.get_username()),
            ("wp:author_email", user.email),
            ("wp:author_display_name", display_name(user)),
            ("wp:author_first_name", user.first_name),
            ("wp:author_last_name", user.last_name),
        ):
            writer.cdata(name, value)
        writer.end("wp:author")
        summary.authors += 1
    for topic in Topic.objects.order_by("slug").iterator(chunk_size=CHUNK_SIZE):
        writer.newline(1)
        writer.start("wp:tag")
        writer.text("wp:term_id", str(topic.pk))
        writer.cdata("wp:tag_slug", wp_slug(topic.slug))
        writer.cdata("wp:tag_name", html.escape(topic.name, quote=False))
        if topic.description:  # as WordPress: only when there is one
            writer.cdata("wp:tag_description", topic.description)
        writer.end("wp:tag")
        summary.topics += 1
    writer.newline(1)
    writer.text("generator", f"{base}/ (manage.py export_wxr)")


def _status(article: Article, now) -> str:
    if article.status != Article.Status.PUBLISHED:
        return "draft"
    return "future" if article.published_at > now else "publish"


def _link(article: Article, post_id: int) -> str:
    """Where the article answers on this site: its old WordPress path when it
    has one, else WordPress's short link when it kept its WordPress id, else
    its address here. The importer keeps this path as the old path."""
    if article.wp_path:
        return site_url(quote(article.wp_path, safe="/"))
    if article.wp_id is not None and article.wp_id == post_id:
        return site_url(f"/?p={post_id}")
    return site_url(article.get_absolute_url())


def _item(writer: WXRWriter, article: Article, post_id: int, zone: ZoneInfo, now) -> None:
    """An article's ``<item>`` up to its comments (left open)."""
    writer.newline(1)
    writer.start("item")
    published = article.published_at
    fields = (
        ("title", "text", html.escape(article.title, quote=False)),
        ("link", "text", _link(article, post_id)),
        ("pubDate", "text", rss_date(published)),
        ("dc:creator", "cdata", article.author.get_username() if article.author else ""),
    )
    for name, kind, value in fields:
        writer.newline(2)
        getattr(writer, kind)(name, value)
    writer.newline(2)
    writer.text("guid", site_url(f"/?p={post_id}"), {"isPermaLink": "false"})
    writer.newline(2)
    writer.text("description", "")
    content = post_content(article.asker, article.question_html, article.answer_html)
    for name, kind, value in (
        ("content:encoded", "cdata", content),
        ("excerpt:encoded", "cdata", ""),
        ("wp:post_id", "text", str(post_id)),
        ("wp:post_date", "cdata", wp_date(published, zone)),
        ("wp:post_date_gmt", "cdata", wp_date(published)),
        ("wp:comment_status", "cdata", article.comment_status),
        ("wp:ping_status", "cdata", "closed"),
        ("wp:post_name", "cdata", wp_slug(article.slug)),
        ("wp:status", "cdata", _status(article, now)),
        ("wp:post_parent", "text", "0"),
        ("wp:menu_order", "text", "0"),
        ("wp:post_type", "cdata", "post"),
        ("wp:post_password", "cdata", ""),
        ("wp:is_sticky", "text", "0"),
    ):
        writer.newline(2)
        getattr(writer, kind)(name, value)
    for topic in article.topics.all():
        writer.newline(2)
        writer.cdata(
            "category",
            html.escape(topic.name, quote=False),
            {"domain": "post_tag", "nicename": wp_slug(topic.slug)},
        )


def _comment(writer: WXRWriter, row: dict, ids: _Ids, zone: ZoneInfo) -> None:
    """One ``<wp:comment>`` from a row of ``_COMMENT_FIELDS``."""
    parent = 0
    if row["parent_id"] is not None:
        parent = ids.comment(row["parent_id"], row["parent__wp_site"], row["parent__wp_id"])
    body = row["body"] if row["wp_id"] is not None else html.escape(row["body"], quote=False)
    created = row["created_at"]
    writer.newline(2)
    writer.start("wp:comment")
    for name, kind, value in (
        ("wp:comment_id", "text", str(ids.comment(row["pk"], row["wp_site"], row["wp_id"]))),
        ("wp:comment_author", "cdata", html.escape(row["author_name"], quote=False)),
        ("wp:comment_author_email", "cdata", row["author_email"]),
        ("wp:comment_author_url", "text", row["author_url"]),
        ("wp:comment_author_IP", "cdata", row["ip_address"] or ""),
        ("wp:comment_date", "cdata", wp_date(created, zone)),
        ("wp:comment_date_gmt", "cdata", wp_date(created)),
        ("wp:comment_content", "cdata", body),
        ("wp:comment_approved", "cdata", COMMENT_APPROVED.get(row["status"], "0")),
        ("wp:comment_type", "cdata", "comment"),
        ("wp:comment_parent", "text", str(parent)),
        ("wp:comment_user_id", "text", str(row["user_id"] or 0)),
    ):
        writer.newline(3)
        getattr(writer, kind)(name, value)
    writer.newline(2)
    writer.end("wp:comment")


def _comment_rows() -> Iterator[dict]:
    """Every comment as a dict of ``_COMMENT_FIELDS``, by article (key order),
    then oldest first, fetched ``CHUNK_SIZE`` at a time."""
    return (
        Comment.objects.order_by("article_id", "created_at", "pk")
        .values(*_COMMENT_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def wxr_export(out: TextIO) -> ExportSummary:
    """Write the whole column as WXR 1.2 to ``out`` (a text stream, or any
    object with ``write(str)``; the XML declares UTF-8, so a file must be
    opened with that encoding). Returns an :class:`ExportSummary`. Raises
    only what writing to ``out`` raises (``OSError``). Read-only: it changes
    no row. See the module docstring for what goes out."""
    summary = ExportSummary()
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    ids = _Ids()
    writer = WXRWriter(out)
    writer.start_document(
        "A WordPress eXtended RSS (WXR 1.2) export of this site's articles, topics and "
        "comments, written by manage.py export_wxr. It holds commenters' e-mail and IP "
        "addresses: personal data."
    )
    _channel(writer, summary)
    articles = (
        Article.objects.order_by("pk")
        .select_related("author")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("slug")))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    rows = _comment_rows()
    row = next(rows, None)
    for article in articles:
        _item(writer, article, ids.post(article), zone, now)
        while row is not None and row["article_id"] <= article.pk:
            if row["article_id"] == article.pk:
                _comment(writer, row, ids, zone)
                summary.comments += 1
            row = next(rows, None)
        writer.newline(1)
        writer.end("item")
        summary.articles += 1
    writer.newline(0)
    writer.end("channel")
    writer.end_document()
    return summary
