"""The comment package's own tables: a comment's earlier texts (kept when its
writer edits it) and reply notifications (who asked to hear about replies,
and which notices went out).

Imported at the end of :mod:`advice.models`, so they belong to the
``advice`` app and its one migration history. The rules that use them live
in :mod:`advice.comments.editing` and :mod:`advice.comments.notify`.

Privacy: a subscription holds an e-mail address and is used for nothing but
its notices. It is deleted, not kept, when it ends (unsubscribe, its comment
marked spam, ``COMMENTS_NOTIFY_RETENTION_DAYS`` without a reply, a
confirmation never given, a reader's erasure); its notices go with it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone


class CommentRevision(models.Model):
    """The text a comment had before its writer edited it, newest last; for
    moderators (read-only in the comment's admin page), never shown to
    readers."""

    comment = models.ForeignKey(
        "advice.Comment", on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField("earlier text")
    replaced_at = models.DateTimeField("replaced", default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self) -> str:
        return f"Earlier text of comment {self.comment_id}"


def subscription_key_new() -> str:
    """A new random subscription key (32 URL-safe characters): what the
    signed confirmation and unsubscribe links name."""
    return secrets.token_urlsafe(24)


class CommentSubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> CommentSubscriptionQuerySet:
        """Subscriptions whose address was confirmed (double opt-in)."""
        return self.filter(confirmed_at__isnull=False)

    def pending(self) -> CommentSubscriptionQuerySet:
        """Subscriptions still waiting for their address to be confirmed."""
        return self.filter(confirmed_at__isnull=True)

    def for_address(self, email: str) -> CommentSubscriptionQuerySet:
        """Subscriptions of ``email``, in any case."""
        return self.filter(email=email.strip().lower())

    def stale(self, *, now: datetime, retention_days: int, confirm_days: int):
        """Subscriptions that end on their own at ``now``: confirmed ones
        with no reply for ``retention_days`` days (counted from the last
        reply, else from confirmation), and pending ones older than
        ``confirm_days`` days (their link has expired)."""
        quiet = now - timedelta(days=retention_days)
        unconfirmed = now - timedelta(days=confirm_days)
        return self.filter(
            models.Q(confirmed_at__isnull=False, last_reply_at__isnull=True, confirmed_at__lt=quiet)
            | models.Q(last_reply_at__lt=quiet)
            | models.Q(confirmed_at__isnull=True, created_at__lt=unconfirmed)
        )


class CommentSubscription(models.Model):
    """A reader's wish to be e-mailed about replies to their comment (scope
    ``replies``) or about every new comment on its article (scope
    ``article``). Active once the address is confirmed (``confirmed_at``).
    ``key`` is random; the links in the e-mails carry it signed
    (:mod:`advice.comments.notify`)."""

    class Scope(models.TextChoices):
        REPLIES = "replies", "Replies to the comment"
        ARTICLE = "article", "All new comments on the article"

    comment = models.OneToOneField(
        "advice.Comment", on_delete=models.CASCADE, related_name="subscription"
    )
    article = models.ForeignKey(
        "advice.Article", on_delete=models.CASCADE, related_name="comment_subscriptions"
    )
    email = models.EmailField("e-mail", max_length=100, db_index=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.REPLIES)
    key = models.CharField(max_length=64, unique=True, default=subscription_key_new, editable=False)
    created_at = models.DateTimeField("asked", default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField("confirmed", null=True, blank=True)
    last_reply_at = models.DateTimeField("last reply", null=True, blank=True)

    objects = CommentSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "reply subscription"

    def __str__(self) -> str:
        # No address here: this is what the trail and the admin's log show.
        scope = self.get_scope_display().lower()
        return f"Subscription {self.pk} ({scope}, comment {self.comment_id})"


class ReplyNotice(models.Model):
    """One notice sent: ``subscription``'s reader was told about
    ``comment``. Keeps a comment from being announced twice (approved,
    removed, restored) and counts notices per hour
    (``COMMENTS_NOTIFY_MAX_PER_HOUR``). Deleted with its subscription."""

    subscription = models.ForeignKey(
        CommentSubscription, on_delete=models.CASCADE, related_name="notices"
    )
    comment = models.ForeignKey("advice.Comment", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "comment"], name="reply_notice_once_per_comment"
            )
        ]

    def __str__(self) -> str:
        return f"Notice of comment {self.comment_id} to subscription {self.subscription_id}"
