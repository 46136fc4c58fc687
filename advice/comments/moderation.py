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
the affected articles in one more UPDATE
(:func:`advice.publishing.articles_touch`): the article page's caches and its
``Last-Modified`` key on that time. Admin actions and views call these
functions; nothing moderates from signals or ``save()``.
Given ``by`` (the acting
user), each changed comment also gets a trail entry (:mod:`advice.trail`).

Publishing articles and opening or closing their comments are not
moderation of comments: they live in :mod:`advice.publishing`.

Privacy: :func:`comments_ip_clear` (run daily by ``manage.py
clear_comment_ips``) blanks the IP address and user agent of comments older
than ``COMMENTS_IP_RETENTION_DAYS`` (90). See docs/architecture.md
("``comments/``").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from advice.comments.notify import comments_approved_notify, subscriptions_end_for_comments
from advice.mail import mail_send
from advice.models import Comment
from advice.publishing import articles_touch
from advice.trail import trail_record
from config.site import site_url

logger = logging.getLogger(__name__)


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


# What each action writes in the trail (advice.trail), per comment.
TRAIL_MESSAGES = {
    "approve": "Approved",
    "spam": "Marked as spam",
    "remove": "Removed",
    "restore": "Restored",
}


def _apply(transition: Transition, comments, by, source: str) -> int:
    targets = _comments_queryset(comments).filter(status__in=transition.sources)
    with transaction.atomic():
        if by is not None:
            # The rows that change, fixed (and locked) first: one trail entry each.
            ids = list(targets.select_for_update().values_list("pk", flat=True))
            targets = Comment.objects.filter(pk__in=ids)
            message = TRAIL_MESSAGES[transition.name] + (f" ({source})" if source else "")
            trail_record(user=by, objects=targets, message=message)
        # Touch the articles first, while ``targets`` still matches the rows.
        articles_touch(article_ids=targets.values("article_id"))
        if transition.target == APPROVED:  # reply notices (advice.comments.notify)
            comments_approved_notify(comment_ids=targets.values_list("pk", flat=True))
        elif transition.target == SPAMMED:  # a spam comment's subscription ends
            subscriptions_end_for_comments(comments=targets)
        changed = targets.update(status=transition.target)
    if changed:
        logger.info("%s: %d comment(s) by %s", transition.name, changed, by or "system")
    return changed


def comment_approve(*, comments: QuerySet | Iterable[Comment], by=None, source: str = "") -> int:
    """Approve ``comments`` (held, spam or removed ones become approved and
    visible). ``by`` is the acting user: each changed comment gets a trail
    entry (:func:`advice.trail.trail_record`) "Approved", followed by
    `` (source)`` when ``source`` names where ("bulk action"); the other
    actions take the same two. Returns how many changed."""
    return _apply(APPROVE, comments, by, source)


def comment_spam(*, comments: QuerySet | Iterable[Comment], by=None, source: str = "") -> int:
    """Mark ``comments`` as spam (hidden). Returns how many changed."""
    return _apply(SPAM, comments, by, source)


def comment_remove(*, comments: QuerySet | Iterable[Comment], by=None, source: str = "") -> int:
    """Remove ``comments``: soft, the row stays with status ``removed`` and
    can be restored. Returns how many changed."""
    return _apply(REMOVE, comments, by, source)


def comment_restore(*, comments: QuerySet | Iterable[Comment], by=None, source: str = "") -> int:
    """Undo removal or a spam mark: removed and spam comments become
    approved; held and approved ones are left alone. Returns how many changed."""
    return _apply(RESTORE, comments, by, source)


def held_notify_recipients(author_email: str | None, managers) -> list[str]:
    """Who hears about a held comment: ``[author_email]`` when the article's
    author has an address, else the addresses of ``managers`` (Django's
    ``MANAGERS`` shape: ``[(name, address), ...]`` or plain addresses)."""
    if author_email and author_email.strip():
        return [author_email.strip()]
    return [m[1] if isinstance(m, (tuple, list)) else m for m in managers or []]


def comment_held_notify(*, comment: Comment) -> bool:
    """E-mail the article's author that ``comment`` is held, with a link to
    it in the admin; ``MANAGERS`` get it when the author has no address.
    The message is ``templates/advice/email/comment_held*.txt``, its links
    from ``SITE_URL``, sent by :func:`advice.mail.mail_send`.

    Call it in the transaction that stores the comment: the message is
    queued with the commit (:func:`advice.mailqueue.task_enqueue_on_commit`),
    so it leaves only once the comment, and the link, exist. Never raises
    for a mail failure (logged, answered ``False``), so the reader's request
    never fails because of it. Returns ``True`` when the message was queued.
    """
    try:
        article = comment.article
        author = article.author
        recipients = held_notify_recipients(author.email if author else None, settings.MANAGERS)
        context = {
            "comment": comment,
            "article": article,
            "site_name": settings.SITE_NAME,
            "admin_url": site_url(reverse("admin:advice_comment_change", args=[comment.pk])),
            "queue_url": site_url(reverse("admin:advice_comment_changelist")),
            "comment_url": site_url(comment.get_absolute_url()),  # answers once approved
        }
    except Exception:  # any data failure must not reach the reader
        logger.exception("Could not send the held-comment e-mail for comment %s", comment.pk)
        return False
    if not recipients:
        logger.warning("Held comment %s: no author e-mail and no MANAGERS", comment.pk)
        return False
    return mail_send(
        template="advice/email/comment_held",
        context=context,
        to=recipients,
        label=f"the held-comment e-mail for comment {comment.pk}",
    )


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
