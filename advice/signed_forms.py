"""Signed form timestamps, the bot check shared by the comment and Ask forms.

A form carries a token made when the page was rendered: the time (whole
seconds) and, for a comment form, the article id, signed with ``SECRET_KEY``
under a salt of the form's own (``django.core.signing``). A bot that posts
without loading the page, posts a page kept for hours, or posts faster than a
person types is refused. The rule follows django-contrib-comments' timestamp
and security hash.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from django.core import signing


class TokenProblem(Enum):
    """Why a form token is refused."""

    BAD = "bad"  # not signed by us, for another form or article, or unreadable
    OLD = "old"  # older than the maximum age
    FAST = "fast"  # younger than the minimum age


def form_token_make(*, salt: str, now: datetime, scope: int | None = None) -> str:
    """A signed token made at ``now``; ``scope`` (e.g. an article id) ties it
    to one object, so it cannot be moved to another."""
    payload = {"t": int(now.timestamp())}
    if scope is not None:
        payload["a"] = int(scope)
    return signing.dumps(payload, salt=salt)


def form_token_problem(
    token: str | None,
    *,
    salt: str,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
    scope: int | None = None,
) -> TokenProblem | None:
    """Check a token from :func:`form_token_make` with the same ``salt`` and
    ``scope``. Returns ``None`` when it is good, else the
    :class:`TokenProblem`. A bad signature or scope is always refused; with
    ``timing`` on, so is a token older than ``max_age`` or younger than
    ``min_age`` seconds."""
    try:
        payload = signing.loads(token or "", salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return TokenProblem.BAD
    if not isinstance(payload, dict):
        return TokenProblem.BAD
    made = payload.get("t")
    if not isinstance(made, int) or payload.get("a") != scope:
        return TokenProblem.BAD
    if timing:
        age = now.timestamp() - made
        if age > max_age:
            return TokenProblem.OLD
        if age < min_age:
            return TokenProblem.FAST
    return None
