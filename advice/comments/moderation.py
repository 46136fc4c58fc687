"""Comment moderation: the workflow and the actions, written once.

How a comment moves
-------------------
Posting (``advice.comments.submit``) stores each new comment with one of three
statuses: *approved* (staff, or a commenter who passes every rule), *held*
(``pending``: first-time commenter, too many links, a hold word) or *spam* (a
spam word). A held comment waits for a moderator, and
:func:`comment_held_notify` e-mails the article's author about it (or
``MANAGERS`` when the author has no address).

Moderators work in the admin: the Comment list opens on the held queue and
shows how many comments wait. They select comments and run one bulk action:

=========  ================================  =========
action     from                              to
=========  ================================  =========
approve    held, spam, removed               approved
spam       held, approved, removed           spam
remove     held, approved, spam              removed
restore    removed, spam                     approved
=========  ================================  =========

Removal is soft: the row stays with status ``removed`` and can be restored.
*Restore* undoes a moderator's decision (removed or spam) and puts the comment
back on the page as approved; it leaves held comments alone, so a comment
nobody has looked at is never approved by a "restore". Only approved comments
are shown to readers (``Comment.objects.visible()``).

Every action is a keyword-only function taking a QuerySet or any iterable of
comments. It changes only the comments not already in the target status, in
one UPDATE, returns how many changed, and touches ``Article.updated_at`` of
the affected articles in one more UPDATE: the article page's caches and its
``Last-Modified`` key on that time. Admin actions and views call these
functions; nothing moderates from signals or ``save()``.

Articles have two bulk helpers for the admin: :func:`articles_publish` and
:func:`articles_set_comment_status` (open / close comments).

Privacy: :func:`comments_ip_clear` (run daily by ``manage.py
clear_comment_ips``) blanks the IP address and user agent of comments older
than ``COMMENTS_IP_RETENTION_DAYS`` (90).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from advice.models import Article, Comment

logger = logging.getLogger(__name__)

# Seconds to wait for the mail server when settings.EMAIL_TIMEOUT is unset, so
# a dead SMTP server cannot hang a reader's comment POST for minutes.
NOTIFY_SMTP_TIMEOUT = 10


@dataclass(frozen=True)
class Transition:
    """One moderation action: comments in ``sources`` move to ``target``."""

    name: str
    sources: frozenset[str]
    target: str

    def result(self, status: str) -> str | None:
        """The status a comment in ``status`` ends in, or ``None`` when the
        action leaves it alone."""
        return self.target if status in self.sources else None


HELD, APPROVED = Comment.Status.PENDING, Comment.Status.APPROVED
SPAMMED, REMOVED = Comment.Status.SPAM, Comment.Status.REMOVED

APPROVE = Transition("approve", frozenset({HELD, SPAMMED, REMOVED}), APPROVED)
SPAM = Transition("spam", frozenset({HELD, APPROVED, REMOVED}), SPAMMED)
REMOVE = Transition("remove", frozenset({HELD, APPROVED, SPAMMED}), REMOVED)
RESTORE = Transition("restore", frozenset({REMOVED, SPAMMED}), APPROVED)


def _comments_queryset(comments: QuerySet | Iterable[Comment]) -> QuerySet:
    """A fresh Comment QuerySet over ``comments`` (a QuerySet is used as a
    subquery; other iterables are reduced to their primary keys)."""
    if isinstance(comments, QuerySet):
        return Comment.objects.filter(pk__in=comments.order_by().values("pk"))
    return Comment.objects.filter(pk__in=[c.pk for c in comments])


def articles_touch(*, article_ids: Iterable[int] | QuerySet, now: datetime | None = None) -> int:
    """Set ``updated_at`` of the given articles to ``now`` (default: now) in
    one UPDATE, so caches keyed on it see the change. ``article_ids`` is an
    iterable of primary keys or a ``values("...")`` QuerySet of them. Returns
    the number of articles touched."""
    return Article.objects.filter(pk__in=article_ids).update(updated_at=now or timezone.now())


def _apply(transition: Transition, comments, by) -> int:
    targets = _comments_queryset(comments).filter(status__in=transition.sources)
    with transaction.atomic():
        # Touch the articles first, while ``targets`` still matches the rows.
        articles_touch(article_ids=targets.values("article_id"))
        changed = targets.update(status=transition.target)
    if changed:
        logger.info("%s: %d comment(s) by %s", transition.name, changed, by or "system")
    return changed


def comment_approve(*, comments: QuerySet | Iterable[Comment], by=None) -> int:
    """Approve ``comments`` (held, spam or removed ones become approved and
    visible). ``by`` is the acting user, for the log. Returns how many changed."""
    return _apply(APPROVE, comments, by)


def comment_spam(*, comments: QuerySet | Iterable[Comment], by=None) -> int:
    """Mark ``comments`` as spam (hidden). Returns how many changed."""
    return _apply(SPAM, comments, by)


def comment_remove(*, comments: QuerySet | Iterable[Comment], by=None) -> int:
    """Remove ``comments``: soft, the row stays with status ``removed`` and
    can be restored. Returns how many changed."""
    return _apply(REMOVE, comments, by)


def comment_restore(*, comments: QuerySet | Iterable[Comment], by=None) -> int:
    """Undo removal or a spam mark: removed and spam comments become
    approved; held and approved ones are left alone. Returns how many changed."""
    return _apply(RESTORE, comments, by)


def held_notify_recipients(author_email: str | None, managers) -> list[str]:
    """Who hears about a held comment: ``[author_email]`` when the article's
    author has an address, else the addresses of ``managers`` (Django's
    ``MANAGERS`` shape: ``[(name, address), ...]`` or plain addresses)."""
    if author_email and author_email.strip():
        return [author_email.strip()]
    return [m[1] if isinstance(m, (tuple, list)) else m for m in managers or []]


def _one_line(text: str) -> str:
    """``text`` fit for a mail header: line breaks and control characters
    become spaces (a newline in a subject is refused as header injection)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _absolute(path: str, request=None) -> str:
    """``path`` made absolute with ``settings.SITE_URL`` (or with ``request``
    when SITE_URL is empty)."""
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not base and request is not None:
        return request.build_absolute_uri(path)
    return base + path


def comment_admin_url(comment: Comment, request=None) -> str:
    """The absolute address of ``comment``'s admin change page, built from
    ``settings.SITE_URL`` (or from ``request`` when SITE_URL is empty)."""
    return _absolute(reverse("admin:advice_comment_change", args=[comment.pk]), request)


def comment_held_notify(*, comment: Comment, request=None) -> bool:
    """E-mail the article's author that ``comment`` is held, with a link to
    it in the admin; ``MANAGERS`` get it when the author has no address.

    Call it after the comment is committed (``transaction.on_commit``), so
    the link works. Never raises: a mail failure is logged and answered
    ``False``, so the reader's request never fails because of it. Returns
    ``True`` when the message was handed to the mail backend.
    """
    try:
        article = comment.article
        author = article.author
        recipients = held_notify_recipients(author.email if author else None, settings.MANAGERS)
        if not recipients:
            logger.warning("Held comment %s: no author e-mail and no MANAGERS", comment.pk)
            return False
        admin_url = comment_admin_url(comment, request)
        queue_url = _absolute(reverse("admin:advice_comment_changelist"), request)
        site = getattr(settings, "SITE_NAME", "")
        subject = _one_line(f"[{site}] Comment waiting for moderation: {article.title}")
        body = (
            f"A comment on “{article.title}” is waiting for moderation.\n\n"
            f"Author: {comment.author_name}\n"
            f"E-mail: {comment.author_email or '-'}\n"
            f"Website: {comment.author_url or '-'}\n"
            f"IP address: {comment.ip_address or '-'}\n\n"
            f"{comment.body}\n\n"
            f"Approve, mark as spam or remove it here:\n{admin_url}\n\n"
            f"All held comments:\n{queue_url}\n"
        )
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or NOTIFY_SMTP_TIMEOUT
        sent = send_mail(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            connection=get_connection(timeout=timeout),
        )
        return bool(sent)
    except Exception:  # any mail (or data) failure must not reach the reader
        logger.exception("Could not send the held-comment e-mail for comment %s", comment.pk)
        return False


def comments_ip_clear(*, older_than_days: int, now: datetime) -> int:
    """Blank ``ip_address`` and ``user_agent`` of comments created more than
    ``older_than_days`` days before ``now`` (one UPDATE). Returns how many
    comments were cleared. Raises ``ValueError`` for a negative day count."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be zero or more")
    cutoff = now - timedelta(days=older_than_days)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
        .update(ip_address=None, user_agent="")
    )


def _articles_queryset(articles: QuerySet | Iterable[Article]) -> QuerySet:
    if isinstance(articles, QuerySet):
        return Article.objects.filter(pk__in=articles.order_by().values("pk"))
    return Article.objects.filter(pk__in=[a.pk for a in articles])


def articles_set_comment_status(
    *, articles: QuerySet | Iterable[Article], status: str, now: datetime | None = None
) -> int:
    """Open or close comments on ``articles`` in one UPDATE. ``status`` is an
    ``Article.CommentStatus`` value (``"open"`` / ``"closed"``), else
    ``ValueError``. Opening also clears an explicit close time already passed
    at ``now`` (else the article would stay closed); a close time still ahead
    is kept, and ``COMMENTS_CLOSE_AFTER_DAYS`` still applies. Returns how many
    articles changed."""
    if status not in Article.CommentStatus.values:
        raise ValueError(f"unknown comment status {status!r}")
    now = now or timezone.now()
    qs = _articles_queryset(articles)
    if status == Article.CommentStatus.CLOSED:
        return qs.exclude(comment_status=status).update(comment_status=status, updated_at=now)
    return qs.filter(~Q(comment_status=status) | Q(comments_close_at__lte=now)).update(
        comment_status=status,
        comments_close_at=Case(
            When(comments_close_at__lte=now, then=Value(None)), default=F("comments_close_at")
        ),
        updated_at=now,
    )


def articles_publish(*, articles: QuerySet | Iterable[Article], now: datetime | None = None) -> int:
    """Publish the drafts among ``articles`` in one UPDATE. A publish time
    already past becomes ``now`` (the article is new today, as WordPress does
    for an undated draft); a future time is kept, so the article is scheduled.
    A draft with no answer yet is left a draft (the edit form refuses it
    too). Returns how many articles changed."""
    now = now or timezone.now()
    return (
        _articles_queryset(articles)
        .exclude(status=Article.Status.PUBLISHED)
        .exclude(answer__regex=r"^\s*$")
        .update(
            status=Article.Status.PUBLISHED,
            published_at=Case(
                When(published_at__lt=now, then=Value(now)), default=F("published_at")
            ),
            updated_at=now,
        )
    )
