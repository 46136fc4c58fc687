"""Publishing articles and opening or closing their comments, in bulk, and
:func:`articles_touch`, the one way to tell caches that articles changed.

Each is a keyword-only service taking a QuerySet or any iterable of
articles, changing them in one UPDATE and returning how many changed; the
article admin's bulk actions and the comment moderation actions call them.
Every change sets ``Article.updated_at``, the version the article page's
caches and its ``Last-Modified`` key on (:mod:`advice.caching`). See
docs/architecture.md ("``publishing.py``").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from advice.models import Article
from advice.site_version import site_version_bump
from advice.trail import trail_record


def articles_touch(*, article_ids: Iterable[int] | QuerySet, now: datetime | None = None) -> int:
    """Set ``updated_at`` of the given articles to ``now`` (default: now) in
    one UPDATE, so caches keyed on it see the change. ``article_ids`` is an
    iterable of primary keys or a ``values("...")`` QuerySet of them. Returns
    the number of articles touched. The site version moves too
    (:func:`advice.site_version.site_version_bump`: the whole-page cache)."""
    site_version_bump()
    return Article.objects.filter(pk__in=article_ids).update(updated_at=now or timezone.now())


def _articles_queryset(articles: QuerySet | Iterable[Article]) -> QuerySet:
    """A fresh Article QuerySet over ``articles`` (a QuerySet is used as a
    subquery; other iterables are reduced to their primary keys)."""
    if isinstance(articles, QuerySet):
        return Article.objects.filter(pk__in=articles.order_by().values("pk"))
    return Article.objects.filter(pk__in=[a.pk for a in articles])


def _update_recorded(targets: QuerySet, *, by, message: str, source: str, **values) -> int:
    """``targets.update(**values)``; given ``by`` (the acting user), the rows
    that change are fixed (and locked) first and each gets a trail entry
    ``message`` (`` (source)`` appended when given). The site version
    moves (the whole-page cache)."""
    site_version_bump()
    if by is None:
        return targets.update(**values)
    with transaction.atomic():
        targets = Article.objects.filter(
            pk__in=list(targets.select_for_update().values_list("pk", flat=True))
        )
        trail_record(user=by, objects=targets, message=message + (f" ({source})" if source else ""))
        return targets.update(**values)


def articles_set_comment_status(
    *,
    articles: QuerySet | Iterable[Article],
    status: str,
    now: datetime | None = None,
    by=None,
    source: str = "",
) -> int:
    """Open or close comments on ``articles`` in one UPDATE. ``status`` is an
    ``Article.CommentStatus`` value (``"open"`` / ``"closed"``), else
    ``ValueError``. Opening also clears an explicit close time already passed
    at ``now`` (else the article would stay closed); a close time still ahead
    is kept, and ``COMMENTS_CLOSE_AFTER_DAYS`` still applies. ``by`` (the
    acting user) and ``source`` ("bulk action") write a trail entry per
    changed article ("Comments opened" / "Comments closed"). Returns how many
    articles changed."""
    if status not in Article.CommentStatus.values:
        raise ValueError(f"unknown comment status {status!r}")
    now = now or timezone.now()
    qs = _articles_queryset(articles)
    if status == Article.CommentStatus.CLOSED:
        return _update_recorded(
            qs.exclude(comment_status=status),
            by=by,
            message="Comments closed",
            source=source,
            comment_status=status,
            updated_at=now,
        )
    return _update_recorded(
        qs.filter(~Q(comment_status=status) | Q(comments_close_at__lte=now)),
        by=by,
        message="Comments opened",
        source=source,
        comment_status=status,
        comments_close_at=Case(
            When(comments_close_at__lte=now, then=Value(None)), default=F("comments_close_at")
        ),
        updated_at=now,
    )


def articles_publish(
    *,
    articles: QuerySet | Iterable[Article],
    now: datetime | None = None,
    by=None,
    source: str = "",
) -> int:
    """Publish the drafts among ``articles`` in one UPDATE. A publish time
    already past becomes ``now`` (the article is new today, as WordPress does
    for an undated draft); a future time is kept, so the article is scheduled.
    A draft with no answer yet is left a draft (the edit form refuses it
    too). ``by`` (the acting user) and ``source`` ("bulk action") write a
    trail entry "Published" per changed article. Returns how many articles
    changed."""
    now = now or timezone.now()
    return _update_recorded(
        _articles_queryset(articles).drafts().with_answer(),
        by=by,
        message="Published",
        source=source,
        status=Article.Status.PUBLISHED,
        published_at=Case(When(published_at__lt=now, then=Value(now)), default=F("published_at")),
        updated_at=now,
    )
