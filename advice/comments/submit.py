"""Posting a comment: the rules that decide whether a comment is stored, and as
what, and the one function that stores it.

The workflow (DESIGN.md, "Comments: open, closed, held"):

1. The form (:mod:`advice.comments.forms`) checks field lengths, the honeypot and the
   signed timestamp (:func:`check_form_token`). A failure is a refusal with
   HTTP 400 and the reader's text kept.
2. :func:`comment_submit` takes the cleaned values and, inside one
   transaction that serialises writers on the article, checks that comments
   are open (403), that a reply names an approved comment of the same article
   (400), that the same author has not said the same thing there already
   (409), and that the same address or e-mail did not comment a moment ago
   (429). Then it stores the comment as approved, held (pending) or spam
   (:func:`moderation_status`).
3. A held comment is tied to the commenter's browser through
   ``Comment.browser_key`` (a hash of a random token kept in a signed cookie),
   so that browser alone sees it with "Your comment is awaiting moderation."

The rules themselves are plain functions of values (:func:`count_links`,
:func:`find_listed_word`, :func:`moderation_status`, :func:`reply_parent_id`,
:func:`check_form_token`, :func:`client_address`) and are tested without a
database. Defaults follow WordPress's discussion settings.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils.html import urlize

from advice.comments.moderation import articles_touch
from advice.models import Article, Comment
from advice.signed_forms import TokenProblem, form_token_make, form_token_problem

logger = logging.getLogger(__name__)

FORM_TOKEN_SALT = "advice.comments.form-token"
BROWSER_KEY_SALT = "advice.comments.browser"

# Reader-facing refusal messages. Each says why, and that the text is kept.
MSG_CLOSED = "Comments are closed on this article, so your comment was not posted."
MSG_BAD_PARENT = (
    "The comment you replied to can't take replies (it may be waiting for moderation, "
    "removed, or on another article). Your text is kept below."
)
MSG_DUPLICATE = (
    "It looks as though you've already said that here, so it was not posted twice. "
    "Your text is kept below."
)
MSG_FLOOD = (
    "You're commenting a little too quickly. Please wait {seconds} seconds and send "
    "it again; your text is kept below."
)
MSG_TOKEN_BAD = (
    "This form could not be checked (it may belong to another page or have been "
    "changed). Your text is kept below; please send it again."
)
MSG_TOKEN_OLD = (
    "This form was open for too long and has expired. Your text is kept below; "
    "please send it again."
)
MSG_TOKEN_FAST = (
    "That was sent faster than a person can type. Your text is kept below; please "
    "wait a moment and send it again."
)
_TOKEN_MESSAGES = {
    TokenProblem.BAD: MSG_TOKEN_BAD,
    TokenProblem.OLD: MSG_TOKEN_OLD,
    TokenProblem.FAST: MSG_TOKEN_FAST,
}
MSG_HONEYPOT = (
    "Your comment could not be accepted: a field that people leave empty was filled in. "
    "Your text is kept below."
)


# --- Pure rules ---------------------------------------------------------------


def count_links(body: str) -> int:
    """How many links ``body`` (plain text) shows once rendered: web addresses
    and e-mail addresses that the page turns into links (Django's ``urlize``,
    the same function the comment template uses). Returns a count >= 0."""
    return len(re.findall(r"<a\s", urlize(body, autoescape=True)))


def find_listed_word(words: Iterable[str], *texts: str) -> str | None:
    """The first of ``words`` found in any of ``texts``, or ``None``.

    Matching is case-insensitive and by substring, as WordPress matches its
    "comment moderation" and "disallowed comment keys" lists against the
    author, e-mail, URL, body, IP address and user agent. Blank words are
    ignored."""
    haystacks = [t.casefold() for t in texts if t]
    for word in words:
        needle = word.strip().casefold()
        if needle and any(needle in h for h in haystacks):
            return word.strip()
    return None


def moderation_status(
    *,
    is_staff: bool,
    spam_word: str | None,
    hold_word: str | None,
    link_count: int,
    max_links: int | None,
    first_time: bool,
    hold_first_time: bool,
) -> tuple[str, str]:
    """Decide the status a new comment is stored with.

    Returns ``(status, reason)``: ``status`` is a :class:`Comment.Status`
    value; ``reason`` a short note for moderators ("" when approved).
    Order: staff comments are approved at once; a spam word makes it spam;
    a hold word, ``link_count >= max_links`` (WordPress ``comment_max_links``;
    0 or ``None`` turns it off) or a first comment from an e-mail with no
    approved comment (WordPress ``comment_previously_approved``) holds it;
    otherwise it is approved."""
    if is_staff:
        return Comment.Status.APPROVED, ""
    if spam_word:
        return Comment.Status.SPAM, f"spam word {spam_word!r}"
    if hold_word:
        return Comment.Status.PENDING, f"hold word {hold_word!r}"
    if max_links and link_count >= max_links:
        return Comment.Status.PENDING, f"{link_count} links"
    if hold_first_time and first_time:
        return Comment.Status.PENDING, "first comment from this e-mail"
    return Comment.Status.APPROVED, ""


def ancestor_chain(parent_id: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """The ids from the thread's top-level comment down to ``parent_id``
    inclusive, following ``parent_of`` (comment id -> its parent id). A parent
    missing from the map ends the walk (it counts as top level); a cycle in
    imported data ends it too. Returns at least ``[parent_id]``."""
    chain = [parent_id]
    seen = {parent_id}
    current = parent_of.get(parent_id)
    while current is not None and current not in seen and current in parent_of:
        chain.append(current)
        seen.add(current)
        current = parent_of.get(current)
    chain.reverse()
    return chain


def reply_parent_id(chain: list[int], max_depth: int) -> int | None:
    """The parent a new reply is stored under, given the ``chain`` from the
    top-level comment to the comment replied to (see :func:`ancestor_chain`).

    A reply sits one level below its parent (top level = depth 1). When that
    would be deeper than ``max_depth`` (``COMMENTS_MAX_DEPTH``, WordPress's
    ``thread_comments_depth``), the reply attaches to the ancestor at depth
    ``max_depth - 1`` so it shows at the deepest allowed level; with
    ``max_depth <= 1`` replies become top-level comments (``None``)."""
    if max_depth <= 1:
        return None
    if len(chain) + 1 <= max_depth:
        return chain[-1]
    return chain[max_depth - 2]


def form_token(article_id: int, now: datetime) -> str:
    """A signed token for the comment form of ``article_id``, made at ``now``
    (see :mod:`advice.signed_forms`): it cannot be forged or moved to another
    article."""
    return form_token_make(salt=FORM_TOKEN_SALT, now=now, scope=article_id)


def check_form_token(
    token: str,
    *,
    article_id: int,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
) -> str | None:
    """Check a token from :func:`form_token`. Returns ``None`` when it is good,
    otherwise the reader-facing reason it is refused: a bad signature, or a
    token for another article; and, when ``timing`` is on, one older than
    ``max_age`` seconds (default 2 hours) or younger than ``min_age`` seconds
    (default 2 s: no person types that fast)."""
    problem = form_token_problem(
        token, salt=FORM_TOKEN_SALT, now=now, min_age=min_age, max_age=max_age,
        timing=timing, scope=article_id,
    )  # fmt: skip
    return _TOKEN_MESSAGES[problem] if problem else None


def _valid_ip(value: str | None) -> str | None:
    """``value`` as a normalised IP address string, or ``None`` when it is not
    one (zone ids such as ``fe80::1%eth0`` are refused: the column can't hold
    them)."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    return str(address)


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int
) -> str | None:
    """The commenter's IP address.

    With ``trusted_proxies`` = 0 it is the socket's address (``REMOTE_ADDR``).
    With N trusted proxies in front of the app, each appends the address it
    received from to ``X-Forwarded-For``, so the client is the N-th entry from
    the right; entries further left are whatever the client claimed and are
    ignored. A header with fewer entries than N, or a malformed entry, falls
    back to the socket's address. Returns ``None`` when nothing valid is
    known."""
    if trusted_proxies > 0 and forwarded_for:
        entries = [e.strip() for e in forwarded_for.split(",")]
        if len(entries) >= trusted_proxies:
            found = _valid_ip(entries[-trusted_proxies])
            if found:
                return found
    return _valid_ip(remote_addr)


def browser_key_hash(token: str) -> str:
    """The value stored in ``Comment.browser_key`` for a browser token: the
    SHA-256 hex digest (64 characters), so the database never holds the
    token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- Storing a comment --------------------------------------------------------


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


@dataclass(frozen=True)
class ClientInfo:
    """Who is sending: ``ip`` (see :func:`client_address`, may be ``None``),
    ``user_agent`` (cut to 500 chars) and ``browser_key`` (a
    :func:`browser_key_hash`, or "")."""

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


def _is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def limit_lock(scope: str, *keys: str | None, using: str = "default") -> None:
    """Serialise, until the current transaction ends, every writer that
    checks a rate limit for any of ``keys`` (an IP address, an e-mail: case
    does not matter; ``None`` and "" are skipped) under ``scope`` ("comment",
    "question"), so a check and the insert it allows are one step for all
    of them, whichever article or form they post to.

    PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of
    ``scope:key`` for each key, taken in sorted order so two writers sharing
    two keys cannot deadlock; released at commit or rollback. SQLite: nothing
    to do, as the ``IMMEDIATE`` transaction (``transaction_mode`` in
    settings) already holds the database's write lock. Must be called inside
    ``transaction.atomic()``."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    names = sorted({f"{scope}:{key.strip().casefold()}" for key in keys if key and key.strip()})
    if not names:
        return
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


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
    (a logged-in active staff user comments as the columnist: approved at
    once, ``by_columnist``, name and e-mail from the account, exempt from the
    flood rule); ``client`` the sender; ``now`` the time of the request.

    In one transaction, serialised per article (:func:`_lock_article`) and,
    for the flood rule, per IP address and e-mail (:func:`limit_lock`), so a
    double submit stores one comment, and posts from one sender to several
    articles at once store one, on SQLite and on PostgreSQL:

    - article gone: 404; comments closed at ``now``: 403;
    - reply to a comment that is not an approved comment of this article: 400;
      a reply deeper than ``COMMENTS_MAX_DEPTH`` is re-parented
      (:func:`reply_parent_id`);
    - same author (e-mail or name) and same body on this article, in any
      status but removed: 409 (WordPress's duplicate check);
    - when ``COMMENTS_TIMING_RULES`` is on, a comment from the same IP address
      or e-mail less than ``COMMENTS_FLOOD_SECONDS`` ago (any article): 429;
    - otherwise stored with :func:`moderation_status`; a comment stored
      approved touches the article's ``updated_at`` (the version of its
      cached comment tree, :mod:`advice.caching`).

    After a held comment is committed, ``advice.comments.moderation.comment_held_notify``
    tells the article's author; a failure there is logged, never raised.
    Returns a :class:`SubmitResult`; raises nothing for reader input."""
    staff = _is_staff(user)
    name, email = data.name, data.email
    if staff:
        name = (user.get_full_name() or user.get_username())[:245]
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

        parent_id = None
        if data.parent_id is not None:
            rows = locked.comments.values_list("id", "parent_id", "status")
            parent_of = {pk: parent for pk, parent, _ in rows}
            approved = {pk for pk, _, status in rows if status == Comment.Status.APPROVED}
            if data.parent_id not in approved:
                return SubmitResult(400, message=MSG_BAD_PARENT)
            chain = ancestor_chain(data.parent_id, parent_of)
            parent_id = reply_parent_id(chain, settings.COMMENTS_MAX_DEPTH)

        same_author = Q(author_name=name)
        if email:
            same_author |= Q(author_email__iexact=email)
        duplicate = (
            locked.comments.exclude(status=Comment.Status.REMOVED)
            .filter(same_author, body=data.body)
            .exists()
        )
        if duplicate:
            return SubmitResult(409, message=MSG_DUPLICATE)

        flood_seconds = settings.COMMENTS_FLOOD_SECONDS or 0
        if settings.COMMENTS_TIMING_RULES and flood_seconds > 0 and not staff:
            recent = Q()
            if client.ip:
                recent |= Q(ip_address=client.ip)
            if email:
                recent |= Q(author_email__iexact=email)
            if (
                recent
                and Comment.objects.filter(
                    recent, created_at__gt=now - timedelta(seconds=flood_seconds)
                ).exists()
            ):
                return SubmitResult(429, message=MSG_FLOOD.format(seconds=flood_seconds))

        listed = (name, email, data.url, data.body, client.ip or "", user_agent)
        first_time = not (
            email and Comment.objects.visible().filter(author_email__iexact=email).exists()
        )
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
            created_at=now,
            ip_address=client.ip,
            user_agent=user_agent,
            user=user if (user is not None and user.is_authenticated) else None,
            by_columnist=staff,
            browser_key=client.browser_key,
        )
        if status == Comment.Status.APPROVED:
            # Shown to every reader at once: a new version for cached pages.
            articles_touch(article_ids=[locked.pk], now=now)

    if status == Comment.Status.PENDING:
        # Once committed (at once here, unless a caller wraps us in a transaction).
        transaction.on_commit(lambda: _notify_held(comment, request))
    return SubmitResult(201, comment=comment, reason=reason)


def _notify_held(comment: Comment, request: Any) -> None:
    """Tell the article's author that ``comment`` is held
    (``advice.comments.moderation.comment_held_notify``); a failure is logged only,
    as the reader's comment is stored already."""
    try:
        from advice.comments.moderation import comment_held_notify

        comment_held_notify(comment=comment, request=request)
    except Exception:  # never fail the reader's request over a notice
        logger.exception("Could not send the held-comment notice for comment %s", comment.pk)


def own_held_comments(article: Article, browser_key: str):
    """The comments on ``article`` that this browser posted and that wait for
    a moderator, as a QuerySet in thread order. Spam is included so that a
    comment stored as spam looks held to its writer (spam is never revealed).
    ``browser_key`` is a :func:`browser_key_hash`; "" matches nothing."""
    if not browser_key:
        return Comment.objects.none()
    return article.comments.filter(
        browser_key=browser_key, status__in=[Comment.Status.PENDING, Comment.Status.SPAM]
    ).for_tree()


def paginate_threads(entries: list, per_page: int, page: Any) -> tuple[list, Any]:
    """Split a thread (the list from :func:`advice.comments.threads.thread_order`) into
    pages of ``per_page`` top-level threads (``COMMENTS_PER_PAGE``, WordPress
    ``comments_per_page``); a top-level comment and all its replies stay on
    one page. ``page`` is the raw ``?cpage=`` value (bad or out-of-range
    values give the nearest page). Returns ``(entries on that page, Django
    Page of threads)``."""
    from django.core.paginator import Paginator

    threads: list[list] = []
    for entry in entries:
        if entry.depth == 1 or not threads:
            threads.append([])
        threads[-1].append(entry)
    page_obj = Paginator(threads, max(1, per_page or 1)).get_page(page)
    return [entry for thread in page_obj.object_list for entry in thread], page_obj


def thread_page_number(entries: list, comment_id: int, per_page: int) -> int:
    """The comment page (1-based) on which ``comment_id`` shows, given the
    whole thread ``entries`` (see :func:`paginate_threads`); 1 when absent."""
    top = 0
    for entry in entries:
        if entry.depth == 1:
            top += 1
        if entry.comment.pk == comment_id:
            return (max(top, 1) - 1) // max(1, per_page or 1) + 1
    return 1


# --- Cookies: "remember me" and the browser key --------------------------------

REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "advice.comments.remember"
BROWSER_COOKIE = "comment_browser"


def remember_cookie_value(name: str, email: str, url: str) -> str:
    """The "remember me" cookie's value for a commenter: their name, e-mail
    and website as signed JSON in URL-safe base64 (``django.core.signing``),
    so any script (accents, emoji, right-to-left) survives a cookie, and a
    tampered cookie is ignored."""
    return signing.dumps({"n": name, "e": email, "u": url}, salt=REMEMBER_SALT, compress=True)


def remembered_author(value: str | None) -> dict[str, str]:
    """Read a :func:`remember_cookie_value` back as form initial values
    (``{"name", "email", "url"}``); ``{}`` when missing, tampered or
    malformed. Never raises."""
    if not value:
        return {}
    try:
        data = signing.loads(value, salt=REMEMBER_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {"name": data.get("n"), "email": data.get("e"), "url": data.get("u")}
    return {k: v for k, v in fields.items() if isinstance(v, str) and v}
