"""Whether a reader has state of their own on the public pages (services
layer, docs/architecture.md).

A reader *with state* carries at least one of: a session cookie (staff, or a
reader whose session holds something), the "remember me" cookie (their name
in the comment form) or the comment-browser cookie (their own held comments).
Their pages are rendered for them alone and never stored by a shared cache.
Every other reader gets the same bytes as every other such reader: the
stateless page that :mod:`advice.page_cache` and a front cache may keep, and
whose forms carry no per-reader value (no CSRF token).

The CSRF cookie alone is not state: it holds no content of the page.

This is the one definition; the page cache, the pages' templates and the
comment and Ask POSTs' token rule all ask :func:`has_own_state`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE


def state_cookie_names() -> tuple[str, ...]:
    """The cookie names that give a reader state of their own: the session
    cookie (``SESSION_COOKIE_NAME``), :data:`REMEMBER_COOKIE` and
    :data:`BROWSER_COOKIE`."""
    return (settings.SESSION_COOKIE_NAME, REMEMBER_COOKIE, BROWSER_COOKIE)


def has_own_state(cookies: Mapping[str, str]) -> bool:
    """Whether a request with these ``cookies`` (``request.COOKIES``: name →
    value) belongs to a reader with state of their own (module docs). A cookie
    that is present counts, even when empty or tampered: such a request is
    never answered from, or stored into, a shared cache."""
    return any(name in cookies for name in state_cookie_names())
