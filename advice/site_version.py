"""The site version: one number that every change to what the public pages
show moves at once, which the whole-page cache's entries must match (models and services
layer; :mod:`advice.page_cache`, docs/architecture.md).

One row (:class:`SiteVersion`, primary key 1, made by migration
``0012_site_version``) holds a counter and the time it last moved.
:func:`site_version_bump` adds one in a single ``UPDATE ... SET number =
number + 1`` (atomic on SQLite and PostgreSQL; no read-modify-write race).
:func:`site_version_read` reads it in one query together with the latest
publish time already reached, so a scheduled article coming due changes
the version without anyone saving anything.

What bumps it, and where (each has a test in
``tests/advice/test_site_version.py``):

- an article saved or deleted, its topics changed from either side
  (receivers below: ``post_save``, ``post_delete``, ``m2m_changed``);
  the bulk paths that send no signal call it themselves:
  :func:`advice.publishing.articles_touch` (every comment change: approve,
  spam, remove, restore, an approved comment stored, an edit, an admin
  delete, erasure of personal data) and the bulk publish / open / close
  services, and the WordPress import once at its end;
- a comment saved, except a new one that is not approved (a held comment
  changes no public page), or deleted by any path (its article is touched
  too, for the comment tree's fragment);
- a topic saved (renamed) or deleted;
- a note template saved or deleted (connected here, by the model's label:
  ``notes`` never imports ``advice``);
- a user's name changed (``first_name``, ``last_name``, ``username``: the
  byline and the columnist's comments show it); a login (``last_login``
  alone) does not count; a user deleted (their articles lose the byline by
  an ``UPDATE`` that sends no signal).

Not here: flat pages (imported WordPress pages, the privacy page) are not
served through the page cache and no cached page lists them; an automatic
comment close time passing, which no write marks: the page cache ends an
article page's entry at that time instead (:mod:`advice.page_cache`).

The bump runs inside the caller's transaction: on PostgreSQL the row is
locked until that transaction ends, so writes that change public pages
take turns on it (they are short; comment posting already takes a lock
per article, :mod:`advice.limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, models, router
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

ROW_ID = 1  # the one row
NAME_FIELDS = frozenset({"first_name", "last_name", "username"})


class SiteVersion(models.Model):
    """The one row counting changes to public pages (see module docs)."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "site version"

    def __str__(self) -> str:
        return f"site version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


@dataclass(frozen=True)
class Version:
    """The site version as read by a request: ``number`` (the counter),
    ``changed_at`` (when it last moved; None before the first change) and
    ``due`` (the latest publish time at or before the moment of reading of a
    published article, None when there is none)."""

    number: int
    changed_at: datetime | None
    due: datetime | None

    @property
    def key(self) -> tuple:
        """A value that changes when anything the public pages show does."""
        return (self.number, self.due)

    @property
    def latest_change(self) -> datetime | None:
        """The later of ``changed_at`` and ``due``: a deletion moves the
        first, a scheduled article coming due the second."""
        return max((m for m in (self.changed_at, self.due) if m is not None), default=None)


def site_version_read(now: datetime) -> Version:
    """The :class:`Version` at ``now`` (aware), in one query while the row
    exists (always after ``migrate``; a missing row, as after a test's
    flush, is made again at a cost of two more).

    Every page-cache hit asks this, so the statement is written out once per
    database vendor (:func:`_read_sql`) rather than built by the ORM on each
    call (half the cost of a hit when profiled); it applies the same
    "published" rule as :func:`advice.models.published_q`."""
    from advice.models import Article

    connection = connections[router.db_for_read(SiteVersion)]
    params = (Article.Status.PUBLISHED, connection.ops.adapt_datetimefield_value(now), ROW_ID)
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(connection), params)
        row = cursor.fetchone()
    if row is None:
        _ensure_row()
        latest = Article.objects.published(now).aggregate(due=models.Max("published_at"))
        return Version(0, None, latest["due"])
    number, changed_at, due = row
    return Version(int(number), _aware(changed_at), _aware(due))


_READ_SQL: dict[str, str] = {}  # vendor -> the statement of site_version_read


def _read_sql(connection) -> str:
    """``SELECT number, changed_at, <latest publish time reached>`` of the
    version row, for ``connection``'s vendor; params: the published status,
    now (adapted for the database) and the row's id."""
    if connection.vendor not in _READ_SQL:
        from advice.models import Article

        quote = connection.ops.quote_name
        article = quote(Article._meta.db_table)
        status = quote(Article._meta.get_field("status").column)
        published_at = quote(Article._meta.get_field("published_at").column)
        _READ_SQL[connection.vendor] = (
            f"SELECT v.{quote('number')}, v.{quote('changed_at')}, "
            f"(SELECT a.{published_at} FROM {article} a "
            f"WHERE a.{status} = %s AND a.{published_at} <= %s "
            f"ORDER BY a.{published_at} DESC LIMIT 1) "
            f"FROM {quote(SiteVersion._meta.db_table)} v WHERE v.{quote('id')} = %s"
        )
    return _READ_SQL[connection.vendor]


def _aware(value) -> datetime | None:
    """A datetime column as read by a raw cursor: PostgreSQL gives an aware
    datetime; SQLite the text Django stored (UTC, no offset), parsed here."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def site_version_bump(*, now: datetime | None = None) -> None:
    """Move the site version on: ``number + 1`` and ``changed_at = now``
    (aware; default: now) in one UPDATE, making the row when it is missing.
    Call it from any write that changes a public page and sends no model
    signal (``QuerySet.update()``, ``bulk_create``)."""
    now = now or timezone.now()
    if not SiteVersion.objects.filter(pk=ROW_ID).update(number=F("number") + 1, changed_at=now):
        _, made = SiteVersion.objects.get_or_create(
            pk=ROW_ID, defaults={"number": 1, "changed_at": now}
        )
        if not made:  # made by another process in between
            SiteVersion.objects.filter(pk=ROW_ID).update(number=F("number") + 1, changed_at=now)


def _ensure_row() -> None:
    SiteVersion.objects.get_or_create(pk=ROW_ID)


# --- Receivers: the writes that send model signals ----------------------------------


def _bump(**kwargs) -> None:
    site_version_bump()


def _comment_saved(sender, instance, created, **kwargs) -> None:
    """A new comment that is not approved (held, spam) shows nowhere yet."""
    if created and instance.status != instance.Status.APPROVED:
        return
    site_version_bump()


def _comment_deleted(sender, instance, **kwargs) -> None:
    """A comment deleted by any path (the shell too): its article is touched
    (the comment tree's fragment keys on ``updated_at``), which bumps."""
    from advice.publishing import articles_touch

    articles_touch(article_ids=[instance.article_id])


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """Only a save that may change the shown name (every field, or a name field)."""
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    site_version_bump()


def _topics_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        site_version_bump()


def _row_after_migrate(sender, app_config=None, **kwargs) -> None:
    """After ``migrate`` (and a test's ``flush``): the row exists."""
    if app_config is not None and app_config.label == "advice":
        _ensure_row()


def connect_receivers() -> None:
    """Connect the receivers above (called once, at the end of
    ``advice/models.py``; each has a ``dispatch_uid``, so calling again adds
    nothing)."""
    from advice.models import Article, Comment, Topic

    for model in (Article, Topic):
        post_save.connect(_bump, sender=model, dispatch_uid=f"site_version_save_{model.__name__}")
    for model in (Article, Topic, "notes.NoteTemplate"):
        name = model if isinstance(model, str) else model.__name__
        post_delete.connect(_bump, sender=model, dispatch_uid=f"site_version_delete_{name}")
    post_save.connect(_bump, sender="notes.NoteTemplate", dispatch_uid="site_version_save_note")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="site_version_save_comment")
    post_delete.connect(
        _comment_deleted, sender=Comment, dispatch_uid="site_version_delete_comment"
    )
    post_save.connect(
        _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="site_version_save_user"
    )
    # A deleted author's articles lose their byline by an UPDATE (SET_NULL)
    # that sends no signal of its own.
    post_delete.connect(_bump, sender=settings.AUTH_USER_MODEL, dispatch_uid="site_version_user")
    m2m_changed.connect(
        _topics_changed, sender=Article.topics.through, dispatch_uid="site_version_topics"
    )
    post_migrate.connect(_row_after_migrate, dispatch_uid="site_version_row")
