"""Import a WordPress export (WXR) into articles, topics and comments.

:func:`wxr_import` is the workflow behind ``manage.py import_wxr``; this
module runs it in batches and writes the rows. The value rules below live in
:mod:`advice.wordpress.records`, topics in :mod:`advice.wordpress.topics`,
the counters in :mod:`advice.wordpress.summary` (docs/architecture.md,
``wordpress/``).

1. :func:`advice.wordpress.wxr.validate_wxr` reads the whole file once, streaming; a
   file that is not well-formed or not safe raises :class:`WXRError` before
   anything is written.
2. :func:`advice.wordpress.wxr.iter_wxr` reads it again, and every ``batch_size`` items
   are written in one transaction (``bulk_create`` for new rows), so memory
   holds one batch, not the file.

Rules (WordPress's own importer is the model where it has one):

- **Items**: ``post`` items become articles; published ``page`` items flat
  pages (:mod:`advice.wordpress.pages`; other pages skipped and counted).
  Attachments, menu items and any other type are skipped and counted by type. A second item with the
  same WordPress id in one file is skipped and counted. Status: ``publish`` ->
  published; ``future`` -> published at its future time (scheduled);
  ``draft``, ``pending``, ``private``, any other status and any
  password-protected post -> draft; ``trash`` and ``auto-draft`` -> skipped.
- **Text**: titles and comment author names are HTML in a WXR; they are
  stored as the plain text WordPress showed (tags removed, entities decoded:
  :func:`advice.wordpress.records.html_to_text`) and escaped wherever shown.
  A comment body is stored exactly as the XML parser returns it (WordPress's
  HTML, the source an export writes back), with its sanitised rendering in
  ``Comment.body_html`` (:func:`advice.wordpress.records.comment_body_html`:
  autop, then the answers' allow-list, links ``rel="nofollow ugc"``).
  Backslashes, emoji and right-to-left text stay byte-exact. An empty title
  stays empty (readers see "(no title)"). PostgreSQL cannot store the NUL character; well-formed XML
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
  WordPress's default category (``uncategorized``) is not made a topic.
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
  Editors' work is kept: an article whose content changed here after its
  import (``content_changed_at`` later than ``imported_at``), or imported
  before import times were recorded, is left alone, topics included, and
  counted as kept; ``update=True`` (``--update``) overwrites it. The import
  itself sets both times to the same instant, so it never counts as an
  editor's change (its topic links bypass the m2m signal).
- **Bylines**: a post's ``dc:creator`` (an author's login) becomes its
  author, an account made or reused by :mod:`advice.wordpress.authors`.
- **Images**: ``media`` (:class:`advice.wordpress.media.MediaLinks`, given
  by ``manage.py import_wxr``) lists or brings the old site's uploads and
  rewrites their links in the question and answer.
- **Report**: the summary lists each article's old and new address and the
  articles whose answer quotes a fill-in-the-blanks note
  (:func:`advice.quoted_notes.extract.extract_note`).
- **Dry run**: the import runs in one transaction that is rolled back, so
  the summary is exactly what a real run would report and nothing stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from itertools import islice
from os import PathLike

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import F
from django.utils import timezone

from advice.markdown import render_markdown
from advice.models import Article, Comment
from advice.quoted_notes.extract import extract_note
from advice.site_version import site_version_bump
from advice.slug_history import ArticleOldSlug, article_old_slugs_record
from advice.slugs import SUFFIX_ROOM, free_slug
from advice.wordpress.authors import AuthorAccounts
from advice.wordpress.pages import import_page
from advice.wordpress.records import (
    RecordMapper,
    edited_here,
    max_length,
    own_export_refuse,
    status_word,
)
from advice.wordpress.summary import AddressRow, ImportSummary
from advice.wordpress.topics import TopicCache
from advice.wordpress.wxr import Author, Channel, Item, Term, WPComment, iter_wxr, validate_wxr

BATCH_SIZE = 100  # items per transaction
_ARTICLE_FIELDS = (
    "title", "asker", "question", "answer", "status", "published_at", "comment_status", "wp_path",
    "author_id",
)  # fmt: skip


def _batches(values: Iterable, size: int) -> Iterator[list]:
    """``values`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


class _Importer:
    """One import run: the summary, the topic cache and the ids seen so far
    (one ``int`` per post and comment, so repeated ids in a file are caught
    across batches)."""

    def __init__(
        self, channel: Channel, summary: ImportSummary, *, update: bool = False, media=None
    ):
        self.update = update
        self.media = media  # (markdown, base site URL, summary) -> markdown, or None
        self.base_site_url = channel.base_site_url or channel.link
        self.authors = AuthorAccounts(summary)
        self.site = channel.site[: max_length(Article, "wp_site")]
        self.summary = summary
        self.records = RecordMapper(self.site, summary)
        self.topics = TopicCache(self.records, summary)
        self.seen_posts: set[int] = set()
        self.seen_comments: set[int] = set()
        # Stored slugs "<stem>-<n>", read once per stem that collided.
        self.suffixed: dict[str, set[str]] = {}

    # -- articles ----------------------------------------------------------

    def unique_slug(self, base: str, taken: set[str]) -> str:
        """``base``, or ``base-2``, ``base-3``... (:func:`advice.slugs.free_slug`)
        whichever is not in ``taken`` (the batch's slugs and stored slugs
        equal to a base) nor stored. The stored ``<stem>-<n>`` slugs are read
        once per stem and run."""
        if base not in taken:
            return base
        limit = max_length(Article, "slug")
        stem = base[: limit - SUFFIX_ROOM]
        if stem not in self.suffixed:
            self.suffixed[stem] = set(
                Article.objects.filter(slug__startswith=f"{stem}-").values_list("slug", flat=True)
            )
        used = self.suffixed[stem]

        def is_taken(slug: str) -> bool:
            return (
                slug in taken
                or slug in used
                or Article.objects.filter(slug=slug).exists()  # set since the read
            )

        slug = free_slug(base, is_taken, max_length=limit)
        used.add(slug)
        return slug

    def skip_comments(self, item: Item) -> None:
        """Count the comments of a skipped item as skipped."""
        if item.comments:
            self.summary.comments_skipped["on a skipped item"] += len(item.comments)

    def posts(self, items: list[Item]) -> list[tuple[Item, Article]]:
        """Create or update the batch's articles; returns (item, article) for
        every post kept, so its comments can follow."""
        chosen: list[tuple[Item, dict, dict[str, str]]] = []
        for item in items:
            if item.post_type == "page":
                import_page(item, self.summary)
                self.skip_comments(item)
                continue
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
            values = self.records.article_values(item)
            if values is None:
                self.skip_comments(item)
                continue
            values["author_id"] = self.authors.user_id(item.creator)
            if self.media is not None:
                for name in ("question", "answer"):
                    values[name] = self.media(values[name], self.base_site_url, self.summary)
            chosen.append((item, values, self.topics.item_topics(item.terms)))
        if not chosen:
            return []

        self.topics.ensure_topics({s: n for _, _, topics in chosen for s, n in topics.items()})
        existing = {
            article.wp_id: article
            for article in Article.objects.filter(
                wp_site=self.site, wp_id__in=[item.post_id for item, _, _ in chosen]
            )
        }
        new: list[Article] = []
        stamp = timezone.now()  # the import time of every article this batch writes
        outcomes: dict[int, str] = {}  # wp id -> what the import did
        bases = {
            item.post_id: self.records.base_slug(item, values["title"])
            for item, values, _ in chosen
            if item.post_id not in existing
        }
        taken = set(
            Article.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True)
        )
        links: list[tuple[int, list[int]]] = []  # (wp id, topic ids)
        for item, values, topics in chosen:
            topic_ids = [self.topics.ids[slug] for slug in topics if slug in self.topics.ids]
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
                        content_changed_at=stamp,
                        imported_at=stamp,
                        **values,
                    )
                )
                outcomes[item.post_id] = "imported"
            elif (reason := edited_here(article)) and not self.update:
                self.summary.articles_kept[reason] += 1
                outcomes[item.post_id] = "kept"
                continue  # neither its fields nor its topics
            else:
                outcomes[item.post_id] = self.refresh(article, values)
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
        self.report(chosen, articles, outcomes)
        # A live slug is no old one (bulk_create sent no signal); WordPress's
        # earlier slugs (_wp_old_slug) keep answering 301.
        live = [articles[item.post_id].slug for item, _, _ in chosen]
        ArticleOldSlug.objects.filter(slug__in=live).delete()
        for item, _, _ in chosen:
            if item.old_slugs:
                article_old_slugs_record(articles[item.post_id], item.old_slugs)
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

    def refresh(self, article: Article, values: dict) -> str:
        """Bring an imported ``article`` to the file's ``values``; returns
        ``"updated"`` or ``"unchanged"``. Its import time becomes its content
        time, so what the import wrote never counts as an editor's change."""
        changed = [name for name in _ARTICLE_FIELDS if getattr(article, name) != values[name]]
        if changed:
            for name in changed:
                setattr(article, name, values[name])
            article.save()  # renders question_html / answer_html
            self.summary.articles_updated += 1
        else:
            self.summary.articles_unchanged += 1
        if changed or article.imported_at != article.content_changed_at:
            Article.objects.filter(pk=article.pk).update(imported_at=F("content_changed_at"))
        return "updated" if changed else "unchanged"

    def report(
        self,
        chosen: list[tuple[Item, dict, dict[str, str]]],
        articles: dict[int, Article],
        outcomes: dict[int, str],
    ) -> None:
        """Add the batch's articles to the summary's addresses, and those
        whose answer quotes a fill-in-the-blanks note to its note candidates."""
        now = timezone.now()
        site_url = settings.SITE_URL.rstrip("/")
        for item, _, _ in chosen:
            article = articles[item.post_id]
            row = AddressRow(
                old_address=item.link.strip(),
                new_address=site_url + article.get_absolute_url(),
                title=article.title,
                status=status_word(article, now),
                outcome=outcomes[item.post_id],
            )
            self.summary.addresses.append(row)
            if extract_note(article.answer, slug="note") is not None:
                self.summary.note_candidates.append(row)

    # -- comments ----------------------------------------------------------

    def comments(self, posts: list[tuple[Item, Article]]) -> None:
        """Store the new comments of ``posts`` ((item, article) pairs from
        :meth:`posts`), then link replies to parents kept on the same post."""
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
                new.append(self.records.comment_row(comment, article))
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
        """Import one batch of channel terms and items (one transaction)."""
        for author in values:
            if isinstance(author, Author):
                self.authors.add(author)
        terms = [value for value in values if isinstance(value, Term)]
        items = [value for value in values if isinstance(value, Item)]
        self.summary.items += len(items)
        if terms:
            self.topics.terms(terms)
        if items:
            self.comments(self.posts(items))


class _DryRunRollback(Exception):
    pass


def wxr_import(
    path: str | PathLike,
    *,
    dry_run: bool = False,
    update: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    media: Callable[[str, str, ImportSummary], str] | None = None,
) -> ImportSummary:
    """Import the WordPress export at ``path``; see the module docstring.

    ``update`` overwrites articles changed here since their import (else
    they are kept and counted). ``progress(done, total)`` is called once validation has counted the
    items (``done`` 0) and after each batch, with the number of items read so
    far and the file's item count. ``media`` rewrites the question and answer
    Markdown (see the module docstring, "Images"). ``dry_run`` runs the same
    import inside a transaction that is rolled back. Returns an
    :class:`ImportSummary`. Raises :class:`advice.wordpress.wxr.WXRError` (nothing
    written) for a file that is not well-formed, unsafe or not WXR, and
    ``OSError`` for an unreadable one, and this site's own export where it
    would copy everything (:func:`records.own_export_refuse`). A database error raises after the
    batches before it were committed; running the import again completes it.
    """
    channel = validate_wxr(path)
    own_export_refuse(channel.site)
    summary = ImportSummary(
        path=str(path), site=channel.site, wxr_version=channel.wxr_version, dry_run=dry_run
    )
    importer = _Importer(channel, summary, update=update, media=media)
    if progress is not None:
        progress(0, channel.item_count)
    try:
        with transaction.atomic() if dry_run else nullcontext():
            done = 0
            for values in _batches(iter_wxr(path), batch_size):
                with transaction.atomic():
                    importer.batch(values)
                    # bulk_create sends no signal: the page cache's version here.
                    site_version_bump()
                reset_queries()  # with DEBUG on, Django's query log would hold each batch's SQL
                done = summary.items
                if progress is not None:
                    progress(done, channel.item_count)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return summary
