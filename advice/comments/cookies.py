"""The comment cookies: "remember me" (name, e-mail and website, signed) and
the browser token that lets a commenter see their own held comments.

A held comment is tied to the browser that wrote it through
``Comment.browser_key``: the SHA-256 of a random token kept in a signed
cookie (:data:`BROWSER_COOKIE`, salt :data:`BROWSER_KEY_SALT`), so that
browser alone sees it with "Your comment is awaiting moderation." and the
database never holds the token itself. See docs/architecture.md
("``comments/``").
"""

from __future__ import annotations

import hashlib

from django.core import signing

from advice.models import Comment

REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "advice.comments.remember"
BROWSER_COOKIE = "comment_browser"
BROWSER_KEY_SALT = "advice.comments.browser"


def browser_key_hash(token: str) -> str:
    """The value stored in ``Comment.browser_key`` for a browser token: the
    SHA-256 hex digest (64 characters), so the database never holds the
    token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def browser_token(request) -> str:
    """This browser's comment token from its signed :data:`BROWSER_COOKIE`,
    or "" when it has none (or a tampered one)."""
    return request.get_signed_cookie(BROWSER_COOKIE, default="", salt=BROWSER_KEY_SALT)


def own_held_comments(article, browser_key: str):
    """The comments on ``article`` that this browser posted and that wait for
    a moderator, as a QuerySet in thread order. Spam is included so that a
    comment stored as spam looks held to its writer (spam is never revealed).
    ``browser_key`` is a :func:`browser_key_hash`; "" matches nothing."""
    if not browser_key:
        return Comment.objects.none()
    return article.comments.filter(
        browser_key=browser_key, status__in=[Comment.Status.PENDING, Comment.Status.SPAM]
    ).for_tree()


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


BROWSER_COOKIE_MAX_AGE = 90 * 24 * 3600  # seconds: as long as a comment may wait
REMEMBER_COOKIE_MAX_AGE = 365 * 24 * 3600  # seconds


def browser_cookie_set(response, token: str, *, secure: bool) -> None:
    """Give ``response`` the signed :data:`BROWSER_COOKIE` holding ``token``
    (90 days, HttpOnly, SameSite=Lax; ``secure`` on HTTPS)."""
    response.set_signed_cookie(
        BROWSER_COOKIE,
        token,
        salt=BROWSER_KEY_SALT,
        max_age=BROWSER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def remember_cookie_set(response, *, name: str, email: str, url: str, secure: bool) -> None:
    """Give ``response`` the "remember me" cookie for ``name``, ``email`` and
    ``url`` (:func:`remember_cookie_value`; a year, HttpOnly, SameSite=Lax)."""
    response.set_cookie(
        REMEMBER_COOKIE,
        remember_cookie_value(name, email, url),
        max_age=REMEMBER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def remember_cookie_delete(response) -> None:
    """Make ``response`` delete the "remember me" cookie (the reader
    unticked "remember me")."""
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
