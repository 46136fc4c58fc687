"""Import a WordPress export (WXR) into articles, topics and comments.

:func:`wxr_import` is the workflow behind ``manage.py import_wxr``:

1. :func:`advice.wordpress.wxr.validate_wxr` reads the whole file once, streaming; a
   file that is not well-formed or not safe raises :class:`WXRError` before
   anything is written.
2. :func:`advice.wordpress.wxr.iter_wxr` reads it again, and every ``batch_size`` items
   are written in one transaction (``bulk_create`` for new rows), so memory
   holds one batch, not the file.

Rules (WordPress's own importer is the model where it has one):

- **Items**: ``post`` items become articles. Pages, attachments, menu items
  and any other type are skipped and counted by type. A second item with the
  same WordPress id in one file is skipped and counted. Status: ``publish`` ->
  published; ``future`` -> published at its future time (scheduled);
  ``draft``, ``pending``, ``private``, any other status and any
  password-protected post -> draft; ``trash`` and ``auto-draft`` -> skipped.
- **Text**: titles and comment bodies are stored exactly as the XML parser
  returns them. PostgreSQL cannot store the NUL character; well-formed XML
  1.0 cannot carry one either, but should one reach the importer it is
  removed and counted. A value longer than its column is cut to the column's
  length and counted, never silently.
- **Content**: :func:`advice.wordpress.autop.wordpress_to_article` turns the post into
  asker, question and answer Markdown; the HTML is rendered with
  :func:`advice.markdown.render_markdown` as ``Article.save()`` would.
- **Slugs**: from ``post_name`` (percent-decoded, then Django's
  ``slugify(allow_unicode=True)``, so non-Latin titles stay readable), else
  from the title, else ``post-<wp id>``; ``-2``, ``-3``... when another
  article has it.
- **Topics**: categories and tags (channel-level and on items) become topics,
  matched by slug (the nicename, percent-decoded and slugified); the name is
  HTML-unescaped. An existing topic with the slug is reused as it is.
- **Comments**: pingbacks, trackbacks and other non-comment types are
  skipped and counted. Status ``1`` approved, ``0`` pending, ``spam`` spam,
  ``trash``/``post-trashed`` removed, anything else pending. A reply whose
  parent is not among the same post's imported comments becomes top-level
  (counted). The website is kept only when it is an http/https URL; an IP
  address only when valid.
- **Dates**: ``*_date_gmt`` read as UTC; when it is ``0000-00-00 00:00:00``
  the local ``*_date`` is read in ``settings.TIME_ZONE``; then the item's
  ``pubDate``; then now.
- **Re-import**: articles and comments keep their WordPress id and the
  source site (:attr:`advice.wordpress.wxr.Channel.site`). Running the same file again
  adds nothing: an article already imported is updated only where the file
  differs from it (title, asker, question, answer, status, publish time,
  comment state, old path; topics are added, never removed), and a comment
  already imported is left as it is (its moderation may have changed).
- **Dry run**: the import runs in one transaction that is rolled back, so
  the summary is exactly what a real run would report and nothing stays.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from itertools import islice
from os import PathLike
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify

from advice.markdown import render_markdown
from advice.models import Article, Comment, Topic
from advice.wordpress.autop import wordpress_to_article
from advice.wordpress.wxr import Channel, Item, ItemTerm, Term, WPComment, iter_wxr, validate_wxr

BATCH_SIZE = 100  # items per transaction

_COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
_DRAFT_STATUSES = {"draft", "pending", "private"}
_SKIPPED_STATUSES = {"trash", "auto-draft"}
_TOPIC_DOMAINS = {"category": "category", "post_tag": "post_tag", "tag": "post_tag", "": "category"}
_ARTICLE_FIELDS = (
    "title", "asker", "question", "answer", "status", "published_at", "comment_status", "wp_path",
)  # fmt: skip


def _is_web_url(url: str) -> bool:
    """True for an absolute http or https URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do).

    Counters are keyed by a reason a person can read ("page", "pingback",
    "comment name"...). ``lines()`` renders the summary as text.
    """

    path: str
    site: str = ""
    wxr_version: str = ""
    dry_run: bool = False
    items: int = 0
    articles_imported: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    published: int = 0
    scheduled: int = 0
    drafts: Counter = field(default_factory=Counter)
    items_skipped: Counter = field(default_factory=Counter)
    comments_imported: int = 0
    comments_existing: int = 0
    comments_skipped: Counter = field(default_factory=Counter)
    replies_made_top_level: int = 0
    topics_created: int = 0
    topics_existing: int = 0
    terms_skipped: Counter = field(default_factory=Counter)
    truncated: Counter = field(default_factory=Counter)
    cleaned: Counter = field(default_factory=Counter)

    @property
    def articles(self) -> int:
        """Articles the file holds that were imported, updated or found unchanged."""
        return self.articles_imported + self.articles_updated + self.articles_unchanged

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""

        def counts(counter: Counter) -> str:
            parts = [f"{n} {reason}" for reason, n in sorted(counter.items()) if n]
            return ", ".join(parts) or "none"

        lines = [
            f"WordPress export {self.path} (WXR {self.wxr_version or '?'}, site {self.site})",
            f"Items read: {self.items}",
            f"Articles: {self.articles_imported} imported, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged "
            f"({self.published} published, {self.scheduled} scheduled, "
            f"{sum(self.drafts.values())} draft: {counts(self.drafts)})",
            f"Items skipped: {sum(self.items_skipped.values())} ({counts(self.items_skipped)})",
            f"Comments: {self.comments_imported} imported, {self.comments_existing} already "
            f"imported, {self.replies_made_top_level} replies made top-level (parent missing); "
            f"skipped: {sum(self.comments_skipped.values())} ({counts(self.comments_skipped)})",
            f"Topics: {self.topics_created} created, {self.topics_existing} already present; "
            f"terms skipped: {counts(self.terms_skipped)}",
        ]
        if self.truncated:
            lines.append(f"Cut to the field's length: {counts(self.truncated)}")
        if self.cleaned:
            lines.append(f"Cleaned: {counts(self.cleaned)}")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


def _batches(values: Iterable, size: int) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


class _Importer:
    """One import run: the summary, the topic cache and the ids seen so far
    (one ``int`` per post and comment, so repeated ids in a file are caught
    across batches)."""

    def __init__(self, channel: Channel, summary: ImportSummary):
        self.site = channel.site[: _limit(Article, "wp_site")]
        self.summary = summary
        self.topics: dict[str, int] = {}  # slug -> Topic id
        self.seen_posts: set[int] = set()
        self.seen_comments: set[int] = set()
        # Slugs "<stem>-<n>" in use, per stem that collided, and the next n to try.
        self.suffixed: dict[str, tuple[set[str], int]] = {}
        self.local_tz = ZoneInfo(settings.TIME_ZONE)

    # -- values ------------------------------------------------------------

    def clean(self, value: str) -> str:
        """Remove NUL characters (PostgreSQL cannot store them), counted."""
        if "\x00" in value:
            self.summary.cleaned["NUL characters removed"] += value.count("\x00")
            value = value.replace("\x00", "")
        return value

    def fit(self, value: str, model, name: str, label: str) -> str:
        """Cut ``value`` to the column's ``max_length``, counting it under ``label``."""
        limit = _limit(model, name)
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

    # -- topics ------------------------------------------------------------

    def topic_slug(self, nicename: str, name: str) -> str:
        slug = slugify(unquote(nicename), allow_unicode=True)
        if not slug:
            slug = slugify(unescape(name), allow_unicode=True)
        return slug[: _limit(Topic, "slug")].strip("-")

    def ensure_topics(self, wanted: dict[str, str]) -> None:
        """Make sure a topic exists for each ``slug -> name``; fills the cache."""
        missing = {slug: name for slug, name in wanted.items() if slug not in self.topics}
        if not missing:
            return
        found = dict(Topic.objects.filter(slug__in=missing).values_list("slug", "id"))
        self.summary.topics_existing += len(found)
        new = [
            Topic(slug=slug, name=self.fit(name, Topic, "name", "topic name"))
            for slug, name in missing.items()
            if slug not in found
        ]
        if new:
            Topic.objects.bulk_create(new)
            self.summary.topics_created += len(new)
            found.update(
                Topic.objects.filter(slug__in=[t.slug for t in new]).values_list("slug", "id")
            )
        self.topics.update(found)

    def terms(self, terms: list[Term]) -> None:
        wanted: dict[str, str] = {}
        for term in terms:
            if term.taxonomy not in ("category", "post_tag"):
                self.summary.terms_skipped[term.taxonomy or "(no taxonomy)"] += 1
                continue
            slug = self.topic_slug(term.slug, term.name)
            if not slug:
                self.summary.terms_skipped["no usable slug"] += 1
                continue
            name = unescape(self.clean(term.name)).strip() or slug
            wanted.setdefault(slug, name)
        self.ensure_topics(wanted)

    def item_topics(self, terms: list[ItemTerm]) -> dict[str, str]:
        wanted: dict[str, str] = {}
        for term in terms:
            if term.domain not in _TOPIC_DOMAINS:
                continue
            slug = self.topic_slug(term.nicename, term.name)
            if slug:
                wanted.setdefault(slug, unescape(self.clean(term.name)).strip() or slug)
        return wanted

    # -- articles ----------------------------------------------------------

    def status(self, item: Item) -> str | None:
        """The article status for ``item``, counting it; ``None`` to skip."""
        if item.status in _SKIPPED_STATUSES:
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
        self.summary.drafts[item.status if item.status in _DRAFT_STATUSES else "other"] += 1
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
            "title": self.fit(self.clean(item.title), Article, "title", "article title"),
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
        limit = _limit(Article, "slug")
        slug = slugify(unquote(self.clean(item.post_name)), allow_unicode=True)
        slug = slug or slugify(title, allow_unicode=True) or f"post-{item.post_id}"
        return slug[:limit].strip("-") or f"post-{item.post_id}"

    def unique_slug(self, base: str, taken: set[str]) -> str:
        """``base``, or ``base-2``, ``base-3``... whichever is not in ``taken``
        (the batch's slugs and stored slugs equal to a base) nor stored.
        The stored ``<stem>-<n>`` slugs are read once per stem and run."""
        if base not in taken:
            return base
        stem = base[: _limit(Article, "slug") - 6]
        if stem not in self.suffixed:
            self.suffixed[stem] = (
                set(
                    Article.objects.filter(slug__startswith=f"{stem}-").values_list(
                        "slug", flat=True
                    )
                ),
                2,
            )
        used, n = self.suffixed[stem]
        while (
            f"{stem}-{n}" in used
            or f"{stem}-{n}" in taken
            or Article.objects.filter(slug=f"{stem}-{n}").exists()  # set since the read
        ):
            n += 1
        used.add(f"{stem}-{n}")
        self.suffixed[stem] = (used, n + 1)
        return f"{stem}-{n}"

    def skip_comments(self, item: Item) -> None:
        if item.comments:
            self.summary.comments_skipped["on a skipped item"] += len(item.comments)

    def posts(self, items: list[Item]) -> list[tuple[Item, Article]]:
        """Create or update the batch's articles; returns (item, article) for
        every post kept, so its comments can follow."""
        chosen: list[tuple[Item, dict, dict[str, str]]] = []
        for item in items:
            if item.post_type != "post":
                self.summary.items_skipped[item.post_type or "(no type)"] += 1
                self.skip_comments(item)
                continue
            if item.post_id is None or item.post_id in self.seen_posts:
                reason = "no WordPress id" if item.post_id is None else "repeated WordPress id"
                self.summary.items_skipped[reason] += 1
                self.skip_comments(item)
                continue
            self.seen_posts.add(item.post_id)
            values = self.article_values(item)
            if values is None:
                self.skip_comments(item)
                continue
            chosen.append((item, values, self.item_topics(item.terms)))
        if not chosen:
            return []

        self.ensure_topics({s: n for _, _, topics in chosen for s, n in topics.items()})
        existing = {
            article.wp_id: article
            for article in Article.objects.filter(
                wp_site=self.site, wp_id__in=[item.post_id for item, _, _ in chosen]
            )
        }
        new: list[Article] = []
        bases = {
            item.post_id: self.base_slug(item, values["title"])
            for item, values, _ in chosen
            if item.post_id not in existing
        }
        taken = set(
            Article.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True)
        )
        links: list[tuple[int, list[int]]] = []  # (wp id, topic ids)
        for item, values, topics in chosen:
            topic_ids = [self.topics[slug] for slug in topics if slug in self.topics]
            article = existing.get(item.post_id)
            if article is None:
                slug = self.unique_slug(bases[item.post_id], taken)
                taken.add(slug)
                new.append(
                    Article(
                        slug=slug,
                        wp_site=self.site,
                        wp_id=item.post_id,
                        question_html=render_markdown(values["question"]),
                        answer_html=render_markdown(values["answer"]),
                        **values,
                    )
                )
            else:
                changed = [
                    name for name in _ARTICLE_FIELDS if getattr(article, name) != values[name]
                ]
                if changed:
                    for name in changed:
                        setattr(article, name, values[name])
                    article.save()  # renders question_html / answer_html
                    self.summary.articles_updated += 1
                else:
                    self.summary.articles_unchanged += 1
            links.append((item.post_id, topic_ids))

        if new:
            Article.objects.bulk_create(new)
            self.summary.articles_imported += len(new)
        articles = {
            article.wp_id: article
            for article in Article.objects.filter(
                wp_site=self.site, wp_id__in=[item.post_id for item, _, _ in chosen]
            )
        }
        Through = Article.topics.through
        Through.objects.bulk_create(
            [
                Through(article_id=articles[wp_id].pk, topic_id=topic_id)
                for wp_id, topic_ids in links
                for topic_id in topic_ids
            ],
            ignore_conflicts=True,
        )
        return [(item, articles[item.post_id]) for item, _, _ in chosen]

    # -- comments ----------------------------------------------------------

    def comment_row(self, comment: WPComment, article: Article) -> Comment:
        url = self.clean(comment.author_url).strip()
        if url and not _is_web_url(url):
            self.summary.cleaned["website not http/https, dropped"] += 1
            url = ""
        ip = comment.author_ip.strip()
        if ip:
            try:
                # A scoped IPv6 address ("fe80::1%eth0") fits no database column.
                ip = "" if "%" in ip else str(ipaddress.ip_address(ip))
            except ValueError:
                ip = ""
            if not ip:
                self.summary.cleaned["IP address not valid, dropped"] += 1
        return Comment(
            article=article,
            wp_site=self.site,
            wp_id=comment.id,
            author_name=self.fit(
                self.clean(comment.author), Comment, "author_name", "comment name"
            ),
            author_email=self.fit(
                self.clean(comment.author_email).strip(), Comment, "author_email", "comment e-mail"
            ),
            author_url=self.fit(url, Comment, "author_url", "comment website"),
            body=self.fit(self.clean(comment.content), Comment, "body", "comment body"),
            status=_COMMENT_STATUS.get(comment.approved.lower(), Comment.Status.PENDING),
            created_at=self.when(comment.date_gmt, comment.date) or article.published_at,
            ip_address=ip or None,
        )

    def comments(self, posts: list[tuple[Item, Article]]) -> None:
        ids = [c.id for item, _ in posts for c in item.comments if c.id is not None]
        existing = set(
            Comment.objects.filter(wp_site=self.site, wp_id__in=ids).values_list("wp_id", flat=True)
        )
        new: list[Comment] = []
        parents: list[tuple[int, int, set[int]]] = []  # (wp id, parent wp id, ids kept on post)
        for item, article in posts:
            kept: set[int] = set()
            wanted: list[WPComment] = []
            for comment in item.comments:
                kind = comment.type.lower()
                if kind in ("pingback", "trackback"):
                    self.summary.comments_skipped[kind] += 1
                elif kind not in ("", "comment"):
                    self.summary.comments_skipped[f"type {kind}"] += 1
                elif comment.id is None:
                    self.summary.comments_skipped["no WordPress id"] += 1
                elif comment.id in self.seen_comments:
                    self.summary.comments_skipped["repeated WordPress id"] += 1
                else:
                    self.seen_comments.add(comment.id)
                    kept.add(comment.id)
                    if comment.id in existing:
                        self.summary.comments_existing += 1
                    else:
                        wanted.append(comment)
            for comment in wanted:
                new.append(self.comment_row(comment, article))
                if comment.parent:
                    parents.append((comment.id, comment.parent, kept))
        if not new:
            return
        Comment.objects.bulk_create(new)
        self.summary.comments_imported += len(new)
        if not parents:
            return
        pks = dict(
            Comment.objects.filter(
                wp_site=self.site,
                wp_id__in={wp_id for wp_id, _, _ in parents} | {parent for _, parent, _ in parents},
            ).values_list("wp_id", "pk")
        )
        replies = []
        for wp_id, parent, kept in parents:
            if parent in kept and parent != wp_id and parent in pks:
                replies.append(Comment(pk=pks[wp_id], parent_id=pks[parent]))
            else:
                self.summary.replies_made_top_level += 1
        Comment.objects.bulk_update(replies, ["parent"])

    # -- a batch -------------------------------------------------------------

    def batch(self, values: list[Term | Item]) -> None:
        terms = [value for value in values if isinstance(value, Term)]
        items = [value for value in values if isinstance(value, Item)]
        self.summary.items += len(items)
        if terms:
            self.terms(terms)
        if items:
            self.comments(self.posts(items))


class _DryRunRollback(Exception):
    pass


def wxr_import(
    path: str | PathLike,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import the WordPress export at ``path``; see the module docstring.

    ``progress(done, total)`` is called once validation has counted the
    items (``done`` 0) and after each batch, with the number of items read so
    far and the file's item count. ``dry_run`` runs the same
    import inside a transaction that is rolled back. Returns an
    :class:`ImportSummary`. Raises :class:`advice.wordpress.wxr.WXRError` (nothing
    written) for a file that is not well-formed, unsafe or not WXR, and
    ``OSError`` for an unreadable one. A database error raises after the
    batches before it were committed; running the import again completes it.
    """
    channel = validate_wxr(path)
    summary = ImportSummary(
        path=str(path), site=channel.site, wxr_version=channel.wxr_version, dry_run=dry_run
    )
    importer = _Importer(channel, summary)
    if progress is not None:
        progress(0, channel.item_count)
    try:
        with transaction.atomic() if dry_run else nullcontext():
            done = 0
            for values in _batches(iter_wxr(path), batch_size):
                with transaction.atomic():
                    importer.batch(values)
                reset_queries()  # with DEBUG on, Django's query log would hold each batch's SQL
                done = summary.items
                if progress is not None:
                    progress(done, channel.item_count)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return summary
