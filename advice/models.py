"""Articles (a reader's question and the columnist's answer), topics, comments
and reader questions.

Visibility and status rules live on the QuerySets (``Article.objects.published()``,
``scheduled()``, ``without_answer()``, ``with_approved_count()``;
``Comment.objects.visible()``, ``held()``), with ``published_q``,
``visible_comment_q`` and ``held_comment_q`` for reaching them through a
relation; every read path uses them (docs/architecture.md, "Where to put a
new rule").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Upper
from django.db.models.signals import m2m_changed
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from advice.content_changes import ContentChangeTracking, topics_changed
from advice.markdown import (
    nesting_problem,
    render_markdown,
    sanitize_comment_html,
    sanitize_html,
)
from advice.weblinks import web_url
from notes.markers import MARKER_SYNTAX, marker_line


def published_q(now: datetime | None = None, prefix: str = "") -> Q:
    """The one "published" rule as a ``Q``: status published and publish time
    at or before ``now``. ``prefix`` reaches it through a relation
    (``"articles__"``)."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": now})


def visible_comment_q(prefix: str = "") -> Q:
    """The one "a reader sees this comment" rule as a ``Q``: status approved.
    ``prefix`` reaches it through a relation (``"comments__"``)."""
    return Q(**{f"{prefix}status": Comment.Status.APPROVED})


def held_comment_q(prefix: str = "") -> Q:
    """The one "waiting for a moderator" rule as a ``Q``: status pending
    (shown as "Held"). ``prefix`` reaches it through a relation
    (``"comments__"``)."""
    return Q(**{f"{prefix}status": Comment.Status.PENDING})


# An answer of nothing but whitespace is no answer (the edit form refuses to
# publish it; bulk publishing skips it).
_NO_ANSWER = Q(answer__regex=r"^\s*$")


def acts_as_columnist(user) -> bool:
    """True when ``user`` (a request's user, anonymous or ``None``) speaks as
    the column: logged in, active and staff. Their comments are approved at
    once, marked ``by_columnist``, named from the account and not
    flood-limited; their comment form needs no name or e-mail."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def display_name(user) -> str:
    """The name the site shows for ``user`` (an article's author, the
    columnist commenting): the account's full name, else its username."""
    return user.get_full_name() or user.get_username()


class TopicQuerySet(models.QuerySet):
    def annotate_published_counts(self, now: datetime | None = None) -> TopicQuerySet:
        """Annotate ``article_count``: published articles in each topic (one query)."""
        return self.annotate(
            article_count=Count("articles", filter=published_q(now, "articles__"), distinct=True)
        )


class Topic(models.Model):
    """A subject readers browse by ("Interviews", "Résumés"). WordPress
    categories and tags both become topics on import."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("advice:topic_detail", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> ArticleQuerySet:
        """Articles a reader may see: status published and publish time not in
        the future (a future time means scheduled)."""
        return self.filter(published_q(now))

    def visible_to(self, user, now: datetime | None = None) -> ArticleQuerySet:
        """Published articles for the public; every article for staff (who see
        drafts and scheduled articles with a banner)."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published(now)

    def scheduled(self, now: datetime | None = None) -> ArticleQuerySet:
        """Articles that will appear on their own: status published and a
        publish time after ``now`` (default: now)."""
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=now)

    def drafts(self) -> ArticleQuerySet:
        """Articles whose status is not published, whatever their publish time."""
        return self.exclude(status=Article.Status.PUBLISHED)

    def without_answer(self) -> ArticleQuerySet:
        """Articles with no answer yet: an empty or whitespace-only answer.
        Publishing skips them."""
        return self.filter(_NO_ANSWER)

    def with_answer(self) -> ArticleQuerySet:
        """Articles with an answer: the complement of :meth:`without_answer`."""
        return self.exclude(_NO_ANSWER)

    def embedding_note(self, slug: str) -> ArticleQuerySet:
        """Articles whose answer embeds note template ``slug`` (a marker
        paragraph in the rendered answer, :data:`notes.markers.MARKER_PARAGRAPH`)."""
        return self.filter(answer_html__contains=f"<p>{marker_line(slug)}</p>")

    def with_approved_count(self) -> ArticleQuerySet:
        """Annotate ``approved_comment_count``: the article's approved
        comments (those readers see), counted in the same query.

        A correlated count per row (one lookup in the comment index on
        article and status), not a join grouped over every comment: under
        a LIMIT only the rows of the page are counted, so a list page costs
        the same on a site of 50 articles as on one of 5,000 with 57,000
        comments (issue 14)."""
        approved = (
            Comment.objects.filter(visible_comment_q(), article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(approved_comment_count=Coalesce(Subquery(approved), 0))

    def with_held_count(self) -> ArticleQuerySet:
        """Annotate ``held_comment_count``: the article's comments waiting for
        a moderator, counted in the same query."""
        return self.annotate(
            held_comment_count=Count("comments", filter=held_comment_q("comments__"))
        )

    def for_listing(self) -> ArticleQuerySet:
        """The shape of a list page: author joined and the approved-comment
        count annotated (:meth:`with_approved_count`), so a page of articles
        costs one query. A summary shows no topics, so none are fetched."""
        return self.select_related("author").with_approved_count().order_by("-published_at", "-id")


# Field limits, checked by Article.clean() (the admin form) so an editor
# keeps the text and sees why. Rendering time grows linearly with length
# (about 30-80 µs per character of dense markup), so these bound every save.
ARTICLE_QUESTION_MAX_CHARS = 10_000
ARTICLE_ANSWER_MAX_CHARS = 20_000


class Article(ContentChangeTracking, models.Model):
    """A reader's question and the columnist's answer.

    ``question`` and ``answer`` are Markdown; ``question_html`` and
    ``answer_html`` are rendered once on save by :func:`render_markdown`
    (sanitised with nh3), never at request time.

    Two times of change: ``updated_at`` moves with anything on the page,
    comments included (the page caches and ``Last-Modified`` key on it);
    ``content_changed_at`` only when the article's own content changes
    (``CONTENT_FIELDS`` through :meth:`save`, wherever it is called from,
    and its topics through :func:`advice.content_changes.topics_changed`).
    Feeds, the sitemap and JSON-LD give :attr:`modified_at`.
    """

    # What readers' tools are told changed: the article's own words and who
    # wrote them (advice.content_changes).
    CONTENT_FIELDS = ("title", "asker", "question", "answer", "author_id")

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class CommentStatus(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The article's address: /articles/this-slug/. Letters of any script work.",
    )
    asker = models.CharField(
        max_length=200, blank=True, help_text='Who asked, as shown ("Bianca asks:"). May be blank.'
    )
    question = models.TextField(blank=True, help_text="The reader's question, in Markdown.")
    answer = MarkdownxField(
        help_text=(
            f"The columnist's answer, in Markdown. A line {MARKER_SYNTAX} embeds "
            "that note template's drafter at that place."
        )
    )
    question_html = models.TextField(blank=True, editable=False)
    answer_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="A time in the future schedules the article.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    content_changed_at = models.DateTimeField(
        "content changed",
        default=timezone.now,
        editable=False,
        help_text="When the title, asker, question, answer, author or topics last changed.",
    )
    comment_status = models.CharField(
        "comments",
        max_length=10,
        choices=CommentStatus.choices,
        default=CommentStatus.OPEN,
    )
    comments_close_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Comments close automatically at this time (leave blank for no fixed time).",
    )
    wp_site = models.CharField(max_length=200, blank=True, editable=False)
    wp_id = models.BigIntegerField(null=True, blank=True, editable=False)
    wp_path = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    # When the WordPress import last wrote the article (advice.wordpress.importer).
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wp_site", "wp_id"],
                condition=Q(wp_id__isnull=False),
                name="article_unique_wordpress_id",
            )
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.question_html = render_markdown(self.question)
        self.answer_html = render_markdown(self.answer)
        for shown in ("question_shown_html", "answer_shown_html"):
            self.__dict__.pop(shown, None)  # cleaned again from the new HTML
        self.content_change_mark(kwargs)
        super().save(*args, **kwargs)
        self.content_change_saved()

    def get_absolute_url(self) -> str:
        return reverse("advice:article_detail", kwargs={"slug": self.slug})

    @cached_property
    def question_shown_html(self) -> str:
        """``question_html`` cleaned again with the site's allow-list
        (:func:`advice.markdown.sanitize_html`) for display: a row written
        around ``save()`` (a shell, a data migration) never shows unsafe
        markup or a ``javascript:`` link. Every page and feed reads this;
        worked out once per instance (a page reads it for the body, the
        description and JSON-LD), again after ``save()``."""
        return sanitize_html(self.question_html)

    @cached_property
    def answer_shown_html(self) -> str:
        """``answer_html`` cleaned again for display, as
        :attr:`question_shown_html`."""
        return sanitize_html(self.answer_html)

    @property
    def modified_at(self) -> datetime:
        """The article's last change as feeds, the sitemap and JSON-LD give
        it: ``content_changed_at``, never earlier than the publish time (a
        draft written last week and published today changed today for its
        readers). Comments never move it."""
        return max(self.content_changed_at, self.published_at)

    def clean(self) -> None:
        """Refuse (``ValidationError`` per field, the text kept in the form) a
        question longer than ``ARTICLE_QUESTION_MAX_CHARS`` or an answer
        longer than ``ARTICLE_ANSWER_MAX_CHARS`` characters, and Markdown
        nesting lists or quotes deeper than ``advice.markdown.MAX_NESTING``
        levels (which :func:`render_markdown` would flatten)."""
        super().clean()
        errors = {}
        for field, limit in (
            ("question", ARTICLE_QUESTION_MAX_CHARS),
            ("answer", ARTICLE_ANSWER_MAX_CHARS),
        ):
            text = getattr(self, field) or ""
            if len(text) > limit:
                errors[field] = (
                    f"This is {len(text):,} characters long; the limit is {limit:,}. "
                    "Shorten it or split the article."
                )
            elif problem := nesting_problem(text):
                errors[field] = problem
        if errors:
            raise ValidationError(errors)

    def is_published(self, now: datetime | None = None) -> bool:
        """True when readers can see the article at ``now`` (default: now)."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.published_at <= now

    def comments_close_time(self) -> datetime | None:
        """When comments close on their own: the explicit close time, else
        publish time + ``COMMENTS_CLOSE_AFTER_DAYS`` when that setting is set,
        else ``None`` (never)."""
        times = []
        if self.comments_close_at:
            times.append(self.comments_close_at)
        days = getattr(settings, "COMMENTS_CLOSE_AFTER_DAYS", None)
        if days:
            times.append(self.published_at + timedelta(days=days))
        return min(times) if times else None

    def comments_open(self, now: datetime | None = None) -> bool:
        """True while a comment may be posted: published, comments open, and
        the close time (see :meth:`comments_close_time`) not yet reached."""
        now = now or timezone.now()
        if not self.is_published(now) or self.comment_status != self.CommentStatus.OPEN:
            return False
        close = self.comments_close_time()
        return close is None or now < close


class CommentQuerySet(models.QuerySet):
    def visible(self) -> CommentQuerySet:
        """Comments every reader sees: approved ones (:func:`visible_comment_q`)."""
        return self.filter(visible_comment_q())

    def held(self) -> CommentQuerySet:
        """Comments waiting for a moderator (:func:`held_comment_q`)."""
        return self.filter(held_comment_q())

    def for_tree(self) -> CommentQuerySet:
        """The shape of a comment thread: oldest first, user joined."""
        return self.select_related("user").order_by("created_at", "id")


class Comment(models.Model):
    """A reader's comment on an article, or a reply to another comment of the
    same article. The body is plain text (shown escaped, links made safe).
    Removal is soft: status ``removed``; the row stays."""

    class Status(models.TextChoices):
        PENDING = "pending", "Held"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    author_name = models.CharField("name", max_length=245)
    author_email = models.EmailField("e-mail", max_length=100, blank=True)
    author_url = models.URLField("website", max_length=200, blank=True)
    body = models.TextField("comment", max_length=65525)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    by_columnist = models.BooleanField(default=False)
    # A hash of a random token kept in the commenter's browser, so they alone
    # see their own held comment.
    browser_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Set when the writer last edited the comment (advice.comments.editing);
    # readers see "edited".
    edited_at = models.DateTimeField("edited", null=True, blank=True, editable=False)
    wp_site = models.CharField(max_length=200, blank=True, editable=False)
    wp_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # Imported comments: WordPress's HTML stays in ``body``; this is its
    # sanitised rendering, made once at import (empty for comments written here).
    body_html = models.TextField(blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("can_moderate", "Can moderate comments")]
        constraints = [
            models.UniqueConstraint(
                fields=["wp_site", "wp_id"],
                condition=Q(wp_id__isnull=False),
                name="comment_unique_wordpress_id",
            )
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["author_email", "created_at"]),
            models.Index(fields=["ip_address", "created_at"]),
            # The duplicate and first-comment checks (comments/submit.py).
            models.Index(fields=["article", "author_name"], name="comment_article_author_name"),
            models.Index(Upper("author_email"), "article", name="comment_email_upper_article"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.article_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        """The comment's permalink, ``/articles/<slug>/comments/<id>/``: it
        answers 302 to the comment page that holds the comment now (links
        within the page use ``#comment-<id>``)."""
        return reverse(
            "advice:comment_permalink", kwargs={"slug": self.article.slug, "pk": self.pk}
        )

    @property
    def body_shown_html(self) -> str:
        """An imported comment's ``body_html`` cleaned again for display
        (:func:`advice.markdown.sanitize_comment_html`: links ``nofollow
        ugc``), however the row was written; ``""`` for comments written
        here, which are shown from ``body`` as plain text."""
        return sanitize_comment_html(self.body_html) if self.body_html else ""

    @property
    def website(self) -> str:
        """The commenter's website as a link target, or ``""`` when
        ``author_url`` is not an http or https address, however it reached
        the database (:func:`advice.weblinks.web_url`). Every place that
        links it (page, e-mail, admin) reads this, never ``author_url``."""
        return web_url(self.author_url)


# Topics are content too: a change from either side sets content_changed_at.
m2m_changed.connect(topics_changed, sender=Article.topics.through)


class ReaderQuestion(models.Model):
    """A question a reader sent through the Ask form, waiting in the editors'
    queue until an article answers it (or it is declined)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    name = models.CharField(max_length=200, blank=True, help_text='Blank shows as "Anonymous".')
    email = models.EmailField("e-mail", max_length=100)
    question = models.TextField(max_length=5000)
    consent_to_publish = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="reader_questions"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.question[:50]}"

    @property
    def display_name(self) -> str:
        return self.name or "Anonymous"


# The comment package's own tables (earlier texts, reply subscriptions).
from advice.comments.models import (  # noqa: E402, F401
    CommentRevision,
    CommentSubscription,
    ReplyNotice,
)

# An article's old slugs (renames answer 301; advice.slug_history).
from advice.slug_history import ArticleOldSlug  # noqa: E402, F401


class RelatedArticle(models.Model):
    """One entry of an article's stored related list (:mod:`advice.related`):
    ``related`` is shown under ``article`` at ``position`` (0 first).
    ``shared_topics`` is how many topics the two share, ``similar`` whether
    the entry came from text similarity (no shared topic). Worked out when
    content changes, never per request."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_entries")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="listed_in")
    position = models.PositiveSmallIntegerField()
    shared_topics = models.PositiveSmallIntegerField(default=0)
    similar = models.BooleanField(default=False)

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="related_article_position")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.related_id} (#{self.position})"


class RelatedList(models.Model):
    """The state of an article's stored related list (:mod:`advice.related`):
    ``stale_since`` is when a content change last made it out of date (None:
    current), ``by_similarity`` whether it was filled by text similarity
    (too few articles share a topic), so any new article may enter it."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stale_since = models.DateTimeField(null=True, blank=True, default=timezone.now)
    by_similarity = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"related list of {self.article_id}"


# The site version, the whole-page cache's key, and the receivers that move
# it on every change a public page shows (advice.site_version).
from advice.site_version import SiteVersion, connect_receivers  # noqa: E402, F401

connect_receivers()
