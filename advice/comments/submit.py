"""Posting a comment: :func:`comment_submit`, the one function that decides
whether a comment is stored, and as what, and stores it.

The workflow (docs/architecture.md, "``comments/``"):

1. The form (:mod:`advice.comments.forms`) checks field lengths, the honeypot and the
   signed timestamp (:func:`advice.comments.forms.check_form_token`). A failure is a
   refusal with HTTP 400 and the reader's text kept.
2. :func:`comment_submit` takes the cleaned values and, inside one
   transaction that serialises writers on the article, checks that comments
   are open (403), that a reply names an approved comment of the same article
   (400), that the same author has not said the same thing there already
   (409), and that the same address or e-mail did not comment a moment ago
   (429, :mod:`advice.limits`). Then it stores the comment as approved, held
   (pending) or spam (:func:`advice.comments.rules.moderation_status`).
3. A held comment is tied to the commenter's browser through
   ``Comment.browser_key`` (:mod:`advice.comments.cookies`), so that browser
   alone sees it with "Your comment is awaiting moderation."

The rules themselves are plain functions of values in
:mod:`advice.comments.rules`, tested without a database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone

from advice.comments.moderation import comment_held_notify
from advice.comments.notify import comments_approved_notify, subscription_request_queue
from advice.comments.rules import (
    MSG_BAD_PARENT,
    MSG_CLOSED,
    MSG_DUPLICATE,
    MSG_FLOOD,
    ancestor_chain,
    count_links,
    find_listed_word,
    moderation_status,
    reply_parent_id,
)
from advice.limits import flood_seconds, limit_lock, sender_flooding
from advice.models import Article, Comment, acts_as_columnist, display_name
from advice.publishing import articles_touch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommentData:
    """The reader's cleaned input: ``name`` (<= 245 chars), ``email``
    (<= 100), ``url`` (<= 200, http/https or ""), ``body`` (<= 65,525, plain
    text) and ``parent_id`` (the comment replied to, or ``None``)."""

    name: str
    email: str
    url: str
    body: str
    parent_id: int | None = None
    # The reply notifications asked for: a CommentSubscription.Scope value, or "".
    notify: str = ""


@dataclass(frozen=True)
class ClientInfo:
    """Who is sending: ``ip`` (see :func:`advice.client.client_address`, may be
    ``None``), ``user_agent`` (cut to 500 chars) and ``browser_key`` (a
    :func:`advice.comments.cookies.browser_key_hash`, or "")."""

    ip: str | None
    user_agent: str = ""
    browser_key: str = ""


@dataclass(frozen=True)
class SubmitResult:
    """What :func:`comment_submit` did: ``comment`` stored (``status_code``
    201), or refused with ``status_code`` 400/403/404/409/429 and a
    reader-facing ``message``; ``reason`` notes why a comment was held."""

    status_code: int
    comment: Comment | None = None
    message: str = ""
    reason: str = ""

    @property
    def stored(self) -> bool:
        return self.comment is not None


def _same_email(email: str) -> Exact:
    """The filter "a comment's e-mail is ``email``, in any case", written as
    ``UPPER(author_email) = UPPER(%s)``: the expression of the index that
    serves it (``comment_email_upper_article``, migration 0015). It is what
    ``author_email__iexact`` means on PostgreSQL; on SQLite ``__iexact``
    is a ``LIKE``, which no index serves there, and its ASCII-only case
    folding is ``UPPER``'s there too, so the rows matched are the same."""
    return Exact(Upper("author_email"), Upper(Value(email)))


def _lock_article(article_id: int) -> Article | None:
    """Re-read the article inside the current transaction, locking its row on
    PostgreSQL (``SELECT ... FOR UPDATE``) so two posts to one article run
    their checks one after the other. On SQLite ``FOR UPDATE`` is ignored and
    the ``IMMEDIATE`` transaction already holds the database's write lock."""
    return Article.objects.select_for_update().filter(pk=article_id).first()


def comment_submit(
    *,
    article: Article,
    data: CommentData,
    user: Any,
    client: ClientInfo,
    now: datetime,
    request: Any = None,
) -> SubmitResult:
    """Store a new comment on ``article``, or refuse it.

    ``data`` is the form's cleaned input; ``user`` the request's user
    (a user who :func:`advice.models.acts_as_columnist`: approved at
    once, ``by_columnist``, name and e-mail from the account, exempt from the
    flood rule); ``client`` the sender; ``now`` the time of the request.

    In one transaction, serialised per article (:func:`_lock_article`) and,
    for the flood rule, per IP address and e-mail (:func:`advice.limits.limit_lock`), so a
    double submit stores one comment, and posts from one sender to several
    articles at once store one, on SQLite and on PostgreSQL:

    - article gone: 404; comments closed at ``now``: 403;
    - reply to a comment that is not an approved comment of this article: 400;
      a reply deeper than ``COMMENTS_MAX_DEPTH`` is re-parented
      (:func:`advice.comments.rules.reply_parent_id`);
    - same author (e-mail or name) and same body on this article, in any
      status but removed: 409 (WordPress's duplicate check);
    - when ``COMMENTS_TIMING_RULES`` is on, a comment from the same IP address
      or e-mail less than ``COMMENTS_FLOOD_SECONDS`` ago (any article): 429;
    - otherwise stored with :func:`advice.comments.rules.moderation_status`; a comment stored
      approved touches the article's ``updated_at`` (the version of its
      cached comment tree, :mod:`advice.caching`).

    The comment's ``created_at`` (and that ``updated_at``) is the time it is
    stored, read once the article is locked, never before ``now``: comments
    are shown oldest first, so a post that waited for the lock while others
    were stored must not land among them, pushing a comment whose writer
    was already sent to its comment page onto the next one (``make bench``,
    steady writers). ``now`` still decides the rules above.

    A held comment's ``advice.comments.moderation.comment_held_notify`` (the
    article's author is told) and an approved one's reply notices are queued
    in the same transaction, to leave once it commits
    (:func:`advice.mailqueue.task_enqueue_on_commit`); a failure there is
    logged, never raised.
    Returns a :class:`SubmitResult`; raises nothing for reader input."""
    staff = acts_as_columnist(user)
    name, email = data.name, data.email
    if staff:
        name = display_name(user)[:245]
        email = (user.email or "")[:100]
    user_agent = client.user_agent.replace("\x00", "")[:500]

    with transaction.atomic():
        # The flood rule spans articles: lock the sender's address and e-mail
        # first (always in this order: flood keys, then the article row).
        if not staff:
            limit_lock("comment", client.ip, email)
        locked = _lock_article(article.pk)
        if locked is None:
            return SubmitResult(404, message="This article is not available.")
        if not locked.comments_open(now):
            return SubmitResult(403, message=MSG_CLOSED)
        stored_at = max(now, timezone.now())  # in lock order: see the docstring

        parent_id = None
        if data.parent_id is not None:
            rows = locked.comments.values_list("id", "parent_id", "status")
            parent_of = {pk: parent for pk, parent, _ in rows}
            approved = {pk for pk, _, status in rows if status == Comment.Status.APPROVED}
            if data.parent_id not in approved:
                return SubmitResult(400, message=MSG_BAD_PARENT)
            chain = ancestor_chain(data.parent_id, parent_of)
            parent_id = reply_parent_id(chain, settings.COMMENTS_MAX_DEPTH)

        # Two lookups, each on an index of its own (the article's comments by
        # that name; by that address, any case), so neither reads the whole
        # article: one query with both under OR is planned on the article's
        # index by SQLite when it has no statistics.
        earlier = locked.comments.exclude(status=Comment.Status.REMOVED).filter(body=data.body)
        duplicate = earlier.filter(author_name=name).exists() or bool(
            email and earlier.filter(_same_email(email)).exists()
        )
        if duplicate:
            return SubmitResult(409, message=MSG_DUPLICATE)

        seconds = flood_seconds()
        if not staff and sender_flooding(
            Comment.objects.all(),
            ip=client.ip,
            email=email,
            now=now,
            seconds=seconds,
            email_field="author_email",
        ):
            return SubmitResult(429, message=MSG_FLOOD.format(seconds=seconds))

        listed = (name, email, data.url, data.body, client.ip or "", user_agent)
        first_time = not (email and Comment.objects.visible().filter(_same_email(email)).exists())
        status, reason = moderation_status(
            is_staff=staff,
            spam_word=find_listed_word(settings.COMMENTS_SPAM_WORDS, *listed),
            hold_word=find_listed_word(settings.COMMENTS_HOLD_WORDS, *listed),
            link_count=count_links(data.body),
            max_links=settings.COMMENTS_MAX_LINKS,
            first_time=first_time,
            hold_first_time=settings.COMMENTS_HOLD_FIRST_TIME,
        )
        comment = Comment.objects.create(
            article=locked,
            parent_id=parent_id,
            author_name=name,
            author_email=email,
            author_url=data.url,
            body=data.body,
            status=status,
            created_at=stored_at,
            ip_address=client.ip,
            user_agent=user_agent,
            user=user if (user is not None and user.is_authenticated) else None,
            by_columnist=staff,
            browser_key=client.browser_key,
        )
        if data.notify:  # stored by the worker; queued with the comment
            subscription_request_queue(comment=comment, scope=data.notify)
        if status == Comment.Status.APPROVED:
            # Shown to every reader at once: a new version for cached pages.
            articles_touch(article_ids=[locked.pk], now=stored_at)
            comments_approved_notify(comment_ids=[comment.pk])  # reply notices
        elif status == Comment.Status.PENDING:
            # Queued in this transaction: on the database backend the mail's
            # row commits with the comment (one commit, nothing lost between
            # the commit and on_commit); other backends queue it at the
            # commit (advice.mailqueue). Never raises: a failure is logged.
            comment_held_notify(comment=comment)
        # A spam comment asks for no mail at all (no subscription either).
        if transaction.get_rollback():
            # A database error was swallowed on the way (a queue write on a
            # dead connection): Django would roll back silently at the end of
            # this block, and the reader would be told the comment is stored.
            raise DatabaseError("the comment's transaction was marked for rollback")
    return SubmitResult(201, comment=comment, reason=reason)
