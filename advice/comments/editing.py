"""A writer edits or removes their own comment, for a while.

Who may: the browser that posted the comment, proved by the same token that
shows a writer their held comment (``Comment.browser_key``, the SHA-256 of a
random token in a signed cookie, :mod:`advice.comments.cookies`), within
``COMMENTS_EDIT_MINUTES`` (10) of posting, on a comment written here (an
imported comment, one with a WordPress id, has no writer's browser and is
never editable), still approved or held (a comment stored as spam looks held
to its writer, so it may be edited too, and stays spam). Everyone else, a
guessed id, another browser's token, a late edit, is refused with
:data:`MSG_NOT_YOURS` and HTTP 403. The cookie authenticates these requests,
so the views also need Django's CSRF token.

An edit keeps the earlier text (:class:`advice.comments.models.CommentRevision`,
shown read-only to moderators), sets ``Comment.edited_at`` (readers see
"edited") and runs the moderation rules again
(:func:`advice.comments.rules.moderation_status`): an edit may hold an
approved comment (a link added), never approve a held one or free a spam
one. A removal is the soft one moderators use
(:func:`advice.comments.moderation.comment_remove`): the row stays, replies
keep their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare

from advice.comments.moderation import comment_held_notify, comment_remove
from advice.comments.rules import count_links, find_listed_word, moderation_status
from advice.models import Comment, CommentRevision
from advice.publishing import articles_touch

MSG_NOT_YOURS = (
    "This comment can't be changed from here: a comment can be edited or removed "
    "only from the browser that posted it, and only within {minutes} minutes of "
    "posting. Your text is kept below, so you can copy it."
)

# A writer's change may make a comment stricter, never more lenient.
_SEVERITY = {Comment.Status.APPROVED: 0, Comment.Status.PENDING: 1, Comment.Status.SPAM: 2}


def edit_window_open(created_at: datetime, now: datetime, minutes: int) -> bool:
    """Whether a comment posted at ``created_at`` may still be changed at
    ``now``: no more than ``minutes`` minutes later (second 600 of a
    10-minute window is the last one), and not before it was posted."""
    seconds = (now - created_at).total_seconds()
    return 0 <= seconds <= minutes * 60


def edit_refusal_message() -> str:
    """:data:`MSG_NOT_YOURS` with the window's length filled in."""
    return MSG_NOT_YOURS.format(minutes=settings.COMMENTS_EDIT_MINUTES)


def comment_editable(comment: Comment, *, browser_key: str, now: datetime) -> bool:
    """Whether the browser whose token hashes to ``browser_key`` (a
    :func:`advice.comments.cookies.browser_key_hash`, "" for none) may edit or
    remove ``comment`` at ``now`` (the rules in this module's docstring)."""
    return bool(
        browser_key
        and comment.browser_key
        and comment.wp_id is None
        and comment.status in _SEVERITY
        and constant_time_compare(comment.browser_key, browser_key)
        and edit_window_open(comment.created_at, now, settings.COMMENTS_EDIT_MINUTES)
    )


def own_comments(article, *, browser_key: str, now: datetime) -> tuple[list[Comment], set[int]]:
    """What this browser (``browser_key``, "" for none) wrote on ``article``
    that the public page does not show it, in one query (none without a
    key): its held comments in thread order (spam included, as
    :func:`advice.comments.cookies.own_held_comments`), and the ids of its
    comments it may still edit at ``now`` (:func:`comment_editable`)."""
    if not browser_key:
        return [], set()
    window_start = now - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    hidden = [Comment.Status.PENDING, Comment.Status.SPAM]
    rows = list(
        article.comments.filter(browser_key=browser_key)
        .filter(
            Q(status__in=hidden) | Q(status=Comment.Status.APPROVED, created_at__gte=window_start)
        )
        .for_tree()
    )
    held = [c for c in rows if c.status in hidden]
    editable = {c.pk for c in rows if comment_editable(c, browser_key=browser_key, now=now)}
    return held, editable


@dataclass(frozen=True)
class EditResult:
    """What :func:`comment_edit` or :func:`comment_withdraw` did:
    ``status_code`` 200 (done; ``comment`` as it is now, ``held`` when the
    edit holds it for a moderator) or 403 with the reader-facing
    ``message``."""

    status_code: int
    comment: Comment | None = None
    message: str = ""
    held: bool = False

    @property
    def done(self) -> bool:
        return self.status_code == 200


def _own_comment(article, comment_id: int, browser_key: str, now: datetime) -> Comment | None:
    """The comment ``comment_id`` of ``article``, locked for this
    transaction, when this browser may change it; else ``None``."""
    comment = article.comments.select_for_update().filter(pk=comment_id).first()
    if comment is None or not comment_editable(comment, browser_key=browser_key, now=now):
        return None
    return comment


def _status_after_edit(comment: Comment, body: str) -> str:
    """The moderation rules run on the edited text, never more lenient than
    the comment's status now."""
    first_time = comment.status != Comment.Status.APPROVED and not (
        comment.author_email
        and Comment.objects.visible()
        .filter(author_email__iexact=comment.author_email)
        .exclude(pk=comment.pk)
        .exists()
    )
    listed = (
        comment.author_name,
        comment.author_email,
        comment.author_url,
        body,
        comment.ip_address or "",
        comment.user_agent,
    )
    status, _reason = moderation_status(
        is_staff=comment.by_columnist,
        spam_word=find_listed_word(settings.COMMENTS_SPAM_WORDS, *listed),
        hold_word=find_listed_word(settings.COMMENTS_HOLD_WORDS, *listed),
        link_count=count_links(body),
        max_links=settings.COMMENTS_MAX_LINKS,
        first_time=first_time,
        hold_first_time=settings.COMMENTS_HOLD_FIRST_TIME,
    )
    return max(status, comment.status, key=_SEVERITY.__getitem__)


def comment_edit(
    *, article, comment_id: int, browser_key: str, body: str, now: datetime
) -> EditResult:
    """Replace the text of comment ``comment_id`` of ``article`` with
    ``body`` (cleaned plain text, at most 65,525 characters) for the browser
    whose token hashes to ``browser_key``, at ``now``.

    Refused (403, :func:`edit_refusal_message`, nothing changed) unless
    :func:`comment_editable`. An unchanged text changes nothing. Otherwise,
    in one transaction: the earlier text is kept as a
    :class:`CommentRevision`, the text replaced, ``edited_at`` set, the
    status set by the moderation rules (never more lenient) and the article
    touched for the caches. When the edit holds an approved comment,
    moderators get the held-comment e-mail after the commit."""
    with transaction.atomic():
        comment = _own_comment(article, comment_id, browser_key, now)
        if comment is None:
            return EditResult(403, message=edit_refusal_message())
        if body == comment.body:
            return EditResult(200, comment=comment, held=comment.status != Comment.Status.APPROVED)
        before = comment.status
        CommentRevision.objects.create(comment=comment, body=comment.body, replaced_at=now)
        comment.status = _status_after_edit(comment, body)
        comment.body, comment.edited_at = body, now
        comment.save(update_fields=["body", "edited_at", "status"])
        articles_touch(article_ids=[comment.article_id], now=now)
    if comment.status == Comment.Status.PENDING and before == Comment.Status.APPROVED:
        transaction.on_commit(lambda: comment_held_notify(comment=comment))
    return EditResult(200, comment=comment, held=comment.status != Comment.Status.APPROVED)


def comment_withdraw(*, article, comment_id: int, browser_key: str, now: datetime) -> EditResult:
    """Remove comment ``comment_id`` of ``article`` for the browser whose
    token hashes to ``browser_key``, at ``now``: the soft removal moderators
    use (:func:`advice.comments.moderation.comment_remove`; replies stay).
    Refused (403) as :func:`comment_edit` is."""
    with transaction.atomic():
        comment = _own_comment(article, comment_id, browser_key, now)
        if comment is None:
            return EditResult(403, message=edit_refusal_message())
        comment_remove(comments=[comment], source="by its writer")
        comment.status = Comment.Status.REMOVED
    return EditResult(200, comment=comment)
