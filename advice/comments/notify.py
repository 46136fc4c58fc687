"""Reply notifications: opt-in, double opt-in, one-click unsubscribe.

How it goes (docs/architecture.md, "``comments/``"):

1. A writer ticks "E-mail me when someone replies" (or "... all new
   comments on this article") on the comment form. ``comment_submit``
   queues the request with the comment, in its transaction
   (:func:`subscription_request_queue`: one task row, so asking costs the
   reader's POST almost nothing); the worker's
   :data:`comment_subscription_request` then runs :func:`subscription_request`,
   which stores a :class:`~advice.comments.models.CommentSubscription`.
   No subscription is made for a comment stored (or by then marked) as
   spam or without an address. The first time for an address it waits for confirmation: one
   e-mail with a signed link that expires after ``COMMENTS_NOTIFY_CONFIRM_DAYS``
   (:func:`confirm_token`, ``django.core.signing.TimestampSigner``), at most
   one a day per address, so the form cannot flood someone's inbox. An
   address with a confirmed subscription is confirmed at once.
2. Confirming (:func:`subscriptions_confirm`, a POST from the page the link
   opens) activates every subscription of that address waiting for it.
3. When a comment becomes approved (on posting, or by a moderator's approve
   or restore: :func:`comments_approved_notify`, called from those two
   places only), a task (:data:`comment_notify_subscribers`) runs after the
   commit and e-mails each confirmed subscriber whose comment it answers
   (or whose article it is on), once per address: never for a held or spam
   comment (the task reads the status when it runs), never to the comment's
   own writer (same address), never twice for one comment, and at most
   ``COMMENTS_NOTIFY_MAX_PER_HOUR`` an hour to one address.
4. Each notice carries a one-click unsubscribe (RFC 8058): a link in the
   text and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers.
   The link holds the subscription's key signed (:func:`unsubscribe_token`,
   no expiry); :func:`subscription_end` deletes the subscription.

Ending deletes: on unsubscribe, when the comment is marked spam
(:func:`subscriptions_end_for_comments`), when a moderator ends it in the
admin (:func:`subscriptions_end`, written in the trail), after
``COMMENTS_NOTIFY_RETENTION_DAYS`` without a reply or an expired
confirmation (:func:`subscriptions_prune`, a daily job). The address is used
for these e-mails and nothing else.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from advice.limits import limit_lock
from advice.mail import mail_send
from advice.mailqueue import task_enqueue_on_commit
from advice.models import Comment, CommentSubscription, ReplyNotice
from advice.trail import DELETION, trail_record
from config.site import site_url

logger = logging.getLogger(__name__)

CONFIRM_SALT = "advice.comments.notify.confirm"
UNSUBSCRIBE_SALT = "advice.comments.notify.unsubscribe"
CONFIRM_EVERY = timedelta(days=1)  # at most one confirmation e-mail per address
HOUR = timedelta(hours=1)

Scope = CommentSubscription.Scope


def normalise_address(email: str) -> str:
    """``email`` as subscriptions store and match it: trimmed, lower case."""
    return email.strip().lower()


# --- signed links -------------------------------------------------------------


def confirm_token(key: str) -> str:
    """The confirmation link's token for subscription ``key``: the key signed
    with the time (``TimestampSigner``, salt :data:`CONFIRM_SALT`), URL-safe."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(key)


def confirm_token_key(token: str) -> str | None:
    """The subscription key in ``token`` (:func:`confirm_token`), or ``None``
    when it is forged, malformed or older than ``COMMENTS_NOTIFY_CONFIRM_DAYS``."""
    max_age = timedelta(days=settings.COMMENTS_NOTIFY_CONFIRM_DAYS)
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None


def unsubscribe_token(key: str) -> str:
    """The unsubscribe link's token for subscription ``key``: the key signed
    (``Signer``, salt :data:`UNSUBSCRIBE_SALT`; it does not expire, as a
    mail client may offer it long after)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(key)


def unsubscribe_token_key(token: str) -> str | None:
    """The subscription key in ``token`` (:func:`unsubscribe_token`), or
    ``None`` when it is forged or malformed."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None


def unsubscribe_url(subscription: CommentSubscription) -> str:
    """The absolute one-click unsubscribe address of ``subscription``."""
    token = unsubscribe_token(subscription.key)
    return site_url(reverse("advice:subscription_unsubscribe", args=[token]))


def unsubscribe_headers(subscription: CommentSubscription) -> dict[str, str]:
    """The RFC 8058 headers of a notice: ``List-Unsubscribe`` (the
    :func:`unsubscribe_url` in angle brackets) and ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click``, so a mail client can unsubscribe with one
    POST and no login."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- asking, confirming, ending ---------------------------------------------------


def subscription_request(*, comment: Comment, scope: str, now: datetime):
    """Store the subscription the writer of ``comment`` asked for (``scope``:
    a ``CommentSubscription.Scope`` value) at ``now`` and, the first time for
    the address, queue the confirmation e-mail (after the commit). The
    worker calls it (:data:`comment_subscription_request`), inside a
    transaction. Returns the subscription, or ``None`` when none is made
    (comment spam, no address)."""
    email = normalise_address(comment.author_email or "")
    if comment.status == Comment.Status.SPAM or not email:
        return None
    # One read for both facts (under the per-address lock of the worker): the
    # address has a confirmed subscription when its latest confirmation time
    # is set (``CommentSubscriptionQuerySet.confirmed``), and was mailed a
    # confirmation lately when its latest one is within CONFIRM_EVERY.
    known = CommentSubscription.objects.for_address(email).aggregate(
        confirmed_at=Max("confirmed_at"), confirmation_sent_at=Max("confirmation_sent_at")
    )
    confirmed = known["confirmed_at"] is not None
    last_sent = known["confirmation_sent_at"]
    mailed_lately = last_sent is not None and last_sent > now - CONFIRM_EVERY
    subscription = CommentSubscription.objects.create(
        comment=comment,
        article_id=comment.article_id,
        email=email,
        scope=scope,
        created_at=now,
        confirmed_at=now if confirmed else None,
        confirmation_sent_at=None if (confirmed or mailed_lately) else now,
    )
    if subscription.confirmation_sent_at:
        mail_send(
            template="advice/email/subscription_confirm",
            context={
                "article": comment.article,
                "site_name": settings.SITE_NAME,
                "confirm_url": site_url(
                    reverse("advice:subscription_confirm", args=[confirm_token(subscription.key)])
                ),
                "days": settings.COMMENTS_NOTIFY_CONFIRM_DAYS,
            },
            to=[email],
            label=f"the subscription confirmation for comment {comment.pk}",
        )
    return subscription


def subscription_request_queue(*, comment: Comment, scope: str) -> bool:
    """Queue the reply e-mails the writer of ``comment`` asked for (``scope``:
    a ``CommentSubscription.Scope`` value), for the worker's
    :data:`comment_subscription_request`, to leave if and only if the
    comment's transaction commits (on the database backend the task's row
    is written in it: :func:`advice.mailqueue.task_enqueue_on_commit`).
    Call inside the transaction that stores the comment. Returns whether
    anything was queued: nothing for a comment stored as spam or without an
    address. Never raises: a failure to queue is logged."""
    if comment.status == Comment.Status.SPAM or not normalise_address(comment.author_email or ""):
        return False
    task_enqueue_on_commit(
        comment_subscription_request,
        comment.pk,
        scope,
        what=f"the reply subscription for comment {comment.pk}",
    )
    return True


@task()
def comment_subscription_request(comment_id: int, scope: str) -> bool:
    """The worker's side of :func:`subscription_request_queue`: in one
    transaction, serialised per address (:func:`advice.limits.limit_lock`,
    so two workers cannot both send the day's one confirmation), run
    :func:`subscription_request` for comment ``comment_id`` now. Returns
    whether a subscription was stored (not when the comment is gone, spam,
    or its address was erased meanwhile)."""
    with transaction.atomic():
        comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
        if comment is None:
            return False
        limit_lock("subscription", normalise_address(comment.author_email or ""))
        return subscription_request(comment=comment, scope=scope, now=timezone.now()) is not None


def subscriptions_waiting(key: str) -> QuerySet | None:
    """The subscriptions a confirmation link for ``key`` would confirm (the
    address's pending ones, article joined), or ``None`` when no
    subscription has that key (ended, erased)."""
    subscription = CommentSubscription.objects.filter(key=key).first()
    if subscription is None:
        return None
    return (
        CommentSubscription.objects.for_address(subscription.email)
        .pending()
        .select_related("article")
        .order_by("created_at", "id")
    )


def subscriptions_confirm(*, key: str, now: datetime) -> int | None:
    """Confirm the address of subscription ``key``: every pending
    subscription of that address becomes active at ``now``. Returns how
    many did (0 when all were active already: confirming twice is
    harmless), or ``None`` when no subscription has that key."""
    waiting = subscriptions_waiting(key)
    if waiting is None:
        return None
    return waiting.update(confirmed_at=now)


def subscription_end(*, key: str) -> bool:
    """End (delete) subscription ``key``, whatever became of its comment.
    Returns whether there was one to end (unsubscribing twice is
    harmless)."""
    deleted, _ = CommentSubscription.objects.filter(key=key).delete()
    return bool(deleted)


def subscriptions_end(*, subscriptions, by=None, source: str = "") -> int:
    """End (delete) ``subscriptions`` (a QuerySet or iterable of them); given
    ``by`` (the staff member), each gets a trail entry "Subscription ended"
    (`` (source)`` appended), named without the address. Returns how many
    ended."""
    ids = [s.pk for s in subscriptions]
    with transaction.atomic():
        targets = list(CommentSubscription.objects.select_for_update().filter(pk__in=ids))
        message = "Subscription ended" + (f" ({source})" if source else "")
        for subscription in targets:
            trail_record(user=by, objects=[subscription], message=message, action_flag=DELETION)
        CommentSubscription.objects.filter(pk__in=[s.pk for s in targets]).delete()
    return len(targets)


def subscriptions_end_for_comments(*, comments: QuerySet) -> int:
    """End (delete) the subscriptions made with ``comments`` (a Comment
    QuerySet): called when they are marked spam. Returns how many ended."""
    deleted, _ = CommentSubscription.objects.filter(comment__in=comments.values("pk")).delete()
    return deleted


def subscriptions_prune(*, now: datetime) -> int:
    """Delete the subscriptions that end on their own at ``now``
    (``CommentSubscriptionQuerySet.stale``: ``COMMENTS_NOTIFY_RETENTION_DAYS``
    without a reply, or a confirmation not given within
    ``COMMENTS_NOTIFY_CONFIRM_DAYS``). Returns how many were deleted."""
    stale = CommentSubscription.objects.stale(
        now=now,
        retention_days=settings.COMMENTS_NOTIFY_RETENTION_DAYS,
        confirm_days=settings.COMMENTS_NOTIFY_CONFIRM_DAYS,
    )
    return CommentSubscription.objects.filter(
        pk__in=list(stale.values_list("pk", flat=True))
    ).delete()[0]


# --- notices --------------------------------------------------------------------


def comments_approved_notify(*, comment_ids) -> None:
    """Queue :data:`comment_notify_subscribers` for each of ``comment_ids``
    (comments that just became approved) if and only if the current
    transaction commits: on the database backend its row is written in
    that transaction, else it is queued when it commits
    (:func:`advice.mailqueue.task_enqueue_on_commit`). Never raises into
    the caller: a failure to queue is logged."""
    for comment_id in comment_ids:
        task_enqueue_on_commit(
            comment_notify_subscribers,
            comment_id,
            what=f"the reply notices for comment {comment_id}",
        )


@task()
def comment_notify_subscribers(comment_id: int) -> int:
    """The worker's side of :func:`comments_approved_notify`: see
    :func:`subscribers_notify`. Returns how many notices were queued."""
    return subscribers_notify(comment_id=comment_id, now=timezone.now())


def _interested(comment: Comment) -> QuerySet:
    """Confirmed subscriptions that ``comment`` concerns: replies to the
    comment it answers, every comment on its article; not its own, nor
    those whose comment was removed or marked spam."""
    wanted = Q(scope=Scope.ARTICLE, article_id=comment.article_id)
    if comment.parent_id:
        wanted |= Q(scope=Scope.REPLIES, comment_id=comment.parent_id)
    return (
        CommentSubscription.objects.confirmed()
        .filter(wanted)
        .exclude(comment_id=comment.pk)
        .filter(comment__status__in=[Comment.Status.APPROVED, Comment.Status.PENDING])
        .select_related("comment")
        .order_by("id")
    )


def subscribers_notify(*, comment_id: int, now: datetime) -> int:
    """E-mail the subscribers that approved comment ``comment_id`` concerns,
    at ``now``: one notice per address (a reply to the reader's own comment
    before "a new comment on the article"), none when the comment is not
    approved (any more), none to its writer's address, none already sent
    about it, none beyond ``COMMENTS_NOTIFY_MAX_PER_HOUR`` in the hour
    before ``now``. Each concerned subscription's ``last_reply_at`` becomes
    ``now``. Returns how many notices were queued."""
    comment = (
        Comment.objects.visible().select_related("article", "parent").filter(pk=comment_id).first()
    )
    if comment is None:
        return 0
    writer = normalise_address(comment.author_email or "")
    chosen: dict[str, CommentSubscription] = {}
    concerned = []
    for subscription in _interested(comment):
        concerned.append(subscription.pk)
        if subscription.email == writer:
            continue
        kept = chosen.get(subscription.email)
        if kept is None or (kept.scope == Scope.ARTICLE and subscription.scope == Scope.REPLIES):
            chosen[subscription.email] = subscription
    CommentSubscription.objects.filter(pk__in=concerned).update(last_reply_at=now)
    sent = 0
    for email, subscription in chosen.items():
        if _notice_allowed(email, comment, now) and _notice_record(subscription, comment, now):
            _notice_send(subscription, comment)
            sent += 1
    return sent


def _notice_allowed(email: str, comment: Comment, now: datetime) -> bool:
    """Not told about ``comment`` already, and under the hourly limit."""
    notices = ReplyNotice.objects.filter(subscription__email=email)
    if notices.filter(comment=comment).exists():
        return False
    if notices.filter(sent_at__gt=now - HOUR).count() >= settings.COMMENTS_NOTIFY_MAX_PER_HOUR:
        logger.info("Reply notice for comment %s not sent: hourly limit reached", comment.pk)
        return False
    return True


def _notice_record(subscription: CommentSubscription, comment: Comment, now: datetime) -> bool:
    """Record the notice; ``False`` when another worker just did."""
    try:
        with transaction.atomic():
            ReplyNotice.objects.create(subscription=subscription, comment=comment, sent_at=now)
    except IntegrityError:
        return False
    return True


def _notice_send(subscription: CommentSubscription, comment: Comment) -> None:
    is_reply = subscription.scope == Scope.REPLIES or comment.parent_id == subscription.comment_id
    mail_send(
        template="advice/email/comment_reply",
        context={
            "comment": comment,
            "article": comment.article,
            "is_reply": is_reply,
            "own_comment": subscription.comment,
            "site_name": settings.SITE_NAME,
            "comment_url": site_url(comment.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url(subscription),
        },
        to=[subscription.email],
        headers=unsubscribe_headers(subscription),
        label=f"the reply notice for comment {comment.pk}",
    )
