"""Moderators answer from the queue: approve a held comment and post the
columnist's reply under it, in one step (:func:`comment_approve_and_reply`).

The approval is the moderation action (:func:`advice.comments.moderation.comment_approve`,
written in the trail); the reply is an ordinary comment posted by the staff
member through :func:`advice.comments.submit.comment_submit`, so it is
approved at once, marked as the columnist's (:func:`advice.models.acts_as_columnist`)
and announced to subscribers like any other. Both happen or neither: a reply
refused (comments closed, the same reply already posted) leaves the comment
held.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from advice.comments.moderation import comment_approve
from advice.comments.submit import ClientInfo, CommentData, SubmitResult, comment_submit
from advice.models import Comment, acts_as_columnist
from advice.trail import ADDITION, trail_record

MSG_NOT_COLUMNIST = "Only staff can reply as the columnist."
MSG_REMOVED = "This comment was removed; restore it before replying."


def comment_approve_and_reply(
    *, comment: Comment, body: str, user, client: ClientInfo, now: datetime
) -> SubmitResult:
    """Approve ``comment`` (unless approved already) and post ``body``
    (cleaned plain text) as a reply to it by ``user`` (a staff user, who
    :func:`advice.models.acts_as_columnist`), from ``client`` at ``now``.

    Returns the reply's :class:`~advice.comments.submit.SubmitResult`:
    stored (201), or refused with its status and message, in which case the
    approval is rolled back too. A removed comment, or a user who does not
    act as the columnist, is refused (400 / 403) before anything changes."""
    if not acts_as_columnist(user):
        return SubmitResult(403, message=MSG_NOT_COLUMNIST)
    if comment.status == Comment.Status.REMOVED:
        return SubmitResult(400, message=MSG_REMOVED)
    with transaction.atomic():
        comment_approve(comments=[comment], by=user, source="approve and reply")
        result = comment_submit(
            article=comment.article,
            data=CommentData(name="", email="", url="", body=body, parent_id=comment.pk),
            user=user,
            client=client,
            now=now,
        )
        if not result.stored:
            transaction.set_rollback(True)
        else:
            trail_record(
                user=user,
                objects=[result.comment],
                message="Reply posted (approve and reply)",
                action_flag=ADDITION,
            )
    return result
