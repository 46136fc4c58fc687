"""Flood limits for everything a reader posts (comments, reader questions),
and the lock that makes a limit's check and the insert it allows one step.

The rule (WordPress's comment flood check, 15 s by default): a post from an
IP address or e-mail that already posted less than ``COMMENTS_FLOOD_SECONDS``
ago is refused (429). It is on only while ``COMMENTS_TIMING_RULES`` is on and
the interval is above 0 (:func:`flood_interval`). It reads the table the
posts are stored in (:func:`sender_flooding`), so it holds across app
servers; and callers run it inside a transaction holding
:func:`limit_lock` for the sender's keys, so concurrent posts from one sender
store one. See docs/architecture.md ("``limits.py``").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet


def flood_interval(*, timing_rules: bool, seconds: int | None) -> int:
    """The flood interval in seconds, 0 when the rule is off: ``seconds``
    (``COMMENTS_FLOOD_SECONDS``) while ``timing_rules``
    (``COMMENTS_TIMING_RULES``) is on and ``seconds`` is above 0."""
    if not timing_rules or not seconds or seconds <= 0:
        return 0
    return int(seconds)


def flood_seconds() -> int:
    """:func:`flood_interval` for the current settings
    (``COMMENTS_TIMING_RULES``, ``COMMENTS_FLOOD_SECONDS``)."""
    return flood_interval(
        timing_rules=settings.COMMENTS_TIMING_RULES, seconds=settings.COMMENTS_FLOOD_SECONDS
    )


def sender_flooding(
    rows: QuerySet,
    *,
    ip: str | None,
    email: str | None,
    now: datetime,
    seconds: int,
    email_field: str = "email",
    ip_field: str = "ip_address",
    time_field: str = "created_at",
) -> bool:
    """True when ``rows`` (a QuerySet of earlier posts: comments, questions)
    holds one from ``ip`` or ``email`` (any case) made less than ``seconds``
    before ``now``. Blank keys are skipped; no key, or ``seconds`` <= 0
    (see :func:`flood_interval`), is never flooding. ``email_field``,
    ``ip_field`` and ``time_field`` name the model's fields. One query at most."""
    if seconds <= 0:
        return False
    same = Q()
    if ip:
        same |= Q(**{ip_field: ip})
    if email:
        same |= Q(**{f"{email_field}__iexact": email})
    if not same:
        return False
    since = now - timedelta(seconds=seconds)
    return rows.filter(same, **{f"{time_field}__gt": since}).exists()


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
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    names = sorted({f"{scope}:{key.strip().casefold()}" for key in keys if key and key.strip()})
    if not names:
        return
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
