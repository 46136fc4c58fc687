"""WXR records -> field values of articles, comments and topics.

:class:`RecordMapper` holds the value rules of the import (see the rules in
:mod:`advice.wordpress.importer`'s docstring: status, text, dates, slugs,
comment websites and IP addresses) and counts, in the run's
:class:`~advice.wordpress.summary.ImportSummary`, every value it cleans,
cuts or skips. It builds unsaved model instances at most; it runs no query.
See docs/architecture.md, ``wordpress/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from advice.client import valid_ip
from advice.markdown import render_markdown, sanitize_comment_html
from advice.models import Article, Comment, Topic
from advice.wordpress.autop import autop_to_markdown, wordpress_to_article
from advice.wordpress.summary import ImportSummary
from advice.wordpress.wxr import Item, WPComment, WXRError
from config.site import site_url

COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
DRAFT_STATUSES = {"draft", "pending", "private"}
SKIPPED_STATUSES = {"trash", "auto-draft"}


def is_web_url(url: str) -> bool:
    """True for an absolute http or https URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def html_to_text(value: str) -> str:
    """A WordPress title or comment author name (HTML as WordPress stores
    it: entities, now and then a tag) as the plain text WordPress showed:
    tags removed, then entities decoded (``"what&#8217;s &quot;fair&quot;"``
    -> ``'what’s "fair"'``). Anything else (backslashes, emoji, right-to-left
    text and marks) is kept exactly. The result is stored as is and escaped
    wherever it is shown."""
    return unescape(strip_tags(value)) if "<" in value or "&" in value else value


def comment_body_html(source: str) -> str:
    """The sanitised HTML of an imported comment's ``source`` (WordPress's
    comment HTML, ``str``), rendered once at import: WordPress's autop rules
    (:func:`advice.wordpress.autop.autop_to_markdown`: blank lines make
    paragraphs, a newline a line break), then the site's one Markdown
    renderer and sanitiser (:func:`advice.markdown.render_markdown`: the
    answers' allow-list, no ``script``, event attributes or unsafe URLs),
    then every link marked ``rel="nofollow ugc"``. Text Markdown would read
    as syntax is escaped by autop, so the comment shows as written. Returns
    ``""`` for an empty source."""
    if not source.strip():
        return ""
    return sanitize_comment_html(render_markdown(autop_to_markdown(source)))


def max_length(model, name: str) -> int:
    """The ``max_length`` of ``model``'s field ``name`` (characters)."""
    return model._meta.get_field(name).max_length


def edited_here(article: Article) -> str | None:
    """Why a re-import must leave ``article`` alone, or ``None`` when it may
    overwrite it: ``"changed here since import"`` when its content changed
    after the import wrote it, ``"imported before import times were
    recorded"`` when it has no import time."""
    if article.imported_at is None:
        return "imported before import times were recorded"
    if article.content_changed_at > article.imported_at:
        return "changed here since import"
    return None


def status_word(article: Article, now: datetime) -> str:
    """``published``, ``scheduled`` (published, its time after ``now``) or ``draft``."""
    if article.status != Article.Status.PUBLISHED:
        return "draft"
    return "scheduled" if article.published_at > now else "published"


class RecordMapper:
    """The value rules of one import run: ``site`` is the source site as
    stored (``wp_site``), ``summary`` the run's counters."""

    def __init__(self, site: str, summary: ImportSummary):
        self.site = site
        self.summary = summary
        self.local_tz = ZoneInfo(settings.TIME_ZONE)

    def clean(self, value: str) -> str:
        """Remove NUL characters (PostgreSQL cannot store them), counted."""
        if "\x00" in value:
            self.summary.cleaned["NUL characters removed"] += value.count("\x00")
            value = value.replace("\x00", "")
        return value

    def fit(self, value: str, model, name: str, label: str) -> str:
        """Cut ``value`` to the column's ``max_length``, counting it under ``label``."""
        limit = max_length(model, name)
        if len(value) > limit:
            self.summary.truncated[label] += 1
            return value[:limit]
        return value

    def when(self, gmt: str, local: str, fallback: str = "") -> datetime | None:
        """A WordPress date pair as an aware datetime (see module docstring)."""
        for value, tz in ((gmt, UTC), (local, self.local_tz)):
            try:
                parsed = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
            return parsed.replace(tzinfo=tz)
        if fallback.strip():
            try:
                parsed = parsedate_to_datetime(fallback.strip())
            except (TypeError, ValueError, IndexError):
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return None

    def topic_slug(self, nicename: str, name: str) -> str:
        """A topic slug from a term's nicename (percent-decoded, slugified,
        Unicode kept), else from its HTML-unescaped name; cut to the column;
        "" when neither gives one."""
        slug = slugify(unquote(nicename), allow_unicode=True)
        if not slug:
            slug = slugify(unescape(name), allow_unicode=True)
        return slug[: max_length(Topic, "slug")].strip("-")

    def status(self, item: Item) -> str | None:
        """The article status for ``item``, counting it; ``None`` to skip."""
        if item.status in SKIPPED_STATUSES:
            self.summary.items_skipped[f"status {item.status}"] += 1
            return None
        if item.post_password:
            self.summary.drafts["password-protected"] += 1
            return Article.Status.DRAFT
        if item.status == "publish":
            self.summary.published += 1
            return Article.Status.PUBLISHED
        if item.status == "future":
            self.summary.scheduled += 1
            return Article.Status.PUBLISHED
        self.summary.drafts[item.status if item.status in DRAFT_STATUSES else "other"] += 1
        return Article.Status.DRAFT

    def article_values(self, item: Item) -> dict | None:
        """The article fields for a post item, or ``None`` when it is skipped."""
        published_at = (
            self.when(item.post_date_gmt, item.post_date, item.pub_date) or timezone.now()
        )
        status = self.status(item)
        if status is None:
            return None
        post = wordpress_to_article(self.clean(item.content))
        try:
            path = unquote(urlsplit(item.link.strip()).path)
        except ValueError:  # e.g. "http://[broken"
            path = ""
        return {
            "title": self.fit(
                html_to_text(self.clean(item.title)), Article, "title", "article title"
            ),
            "asker": self.fit(post.asker, Article, "asker", "article asker"),
            "question": post.question,
            "answer": post.answer,
            "status": status,
            "published_at": published_at,
            "comment_status": (
                Article.CommentStatus.CLOSED
                if item.comment_status == "closed"
                else Article.CommentStatus.OPEN
            ),
            "wp_path": self.fit(path if path != "/" else "", Article, "wp_path", "old path"),
        }

    def base_slug(self, item: Item, title: str) -> str:
        """The slug an article would like: from ``post_name``, else ``title``,
        else ``post-<wp id>``, cut to the column (before any ``-2`` suffix)."""
        limit = max_length(Article, "slug")
        slug = slugify(unquote(self.clean(item.post_name)), allow_unicode=True)
        slug = slug or slugify(title, allow_unicode=True) or f"post-{item.post_id}"
        return slug[:limit].strip("-") or f"post-{item.post_id}"

    def comment_row(self, comment: WPComment, article: Article) -> Comment:
        """An unsaved :class:`Comment` on ``article`` for a WXR comment: text
        cleaned and cut, website kept only when http/https, IP address only
        when valid (each drop counted), status from ``COMMENT_STATUS``
        (else held), date as :meth:`when` reads it (else the article's).
        The name is read as plain text (:func:`html_to_text`); the body is
        kept as WordPress's HTML source, with its sanitised rendering in
        ``body_html`` (:func:`comment_body_html`)."""
        url = self.clean(comment.author_url).strip()
        if url and not is_web_url(url):
            self.summary.cleaned["website not http/https, dropped"] += 1
            url = ""
        ip = comment.author_ip.strip()
        if ip:
            # Normalised; a scoped IPv6 address ("fe80::1%eth0") fits no column.
            ip = valid_ip(ip) or ""
            if not ip:
                self.summary.cleaned["IP address not valid, dropped"] += 1
        body = self.fit(self.clean(comment.content), Comment, "body", "comment body")
        return Comment(
            article=article,
            wp_site=self.site,
            wp_id=comment.id,
            author_name=self.fit(
                html_to_text(self.clean(comment.author)), Comment, "author_name", "comment name"
            ),
            author_email=self.fit(
                self.clean(comment.author_email).strip(), Comment, "author_email", "comment e-mail"
            ),
            author_url=self.fit(url, Comment, "author_url", "comment website"),
            body=body,
            body_html=comment_body_html(body),
            status=COMMENT_STATUS.get(comment.approved.lower(), Comment.Status.PENDING),
            created_at=self.when(comment.date_gmt, comment.date) or article.published_at,
            ip_address=ip or None,
        )


def own_export_refuse(file_site: str) -> None:
    """Refuse this site's own export (``file_site``, the file's
    ``base_site_url``, equal to ``SITE_URL``'s origin) while the site holds
    articles from anywhere else: their ids would not match and importing
    would copy every article and comment. Into an empty site (moving, or a
    restore) and again after that, it imports as any file does. Raises
    :class:`advice.wordpress.wxr.WXRError` (nothing written)."""
    own = site_url("/").rstrip("/")
    if file_site == own and Article.objects.exclude(wp_site=own).exists():
        raise WXRError(
            f"This file is this site's own export ({own}): importing it here would copy "
            "every article and comment. Import it into an empty site; nothing was written"
        )
