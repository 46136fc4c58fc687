"""Cross-origin protection for unsafe requests, from the browser's own headers.

Every request whose method is not safe (anything but GET, HEAD, OPTIONS and
TRACE, RFC 9110 9.2.1) must come from this site's own pages:

1. ``Sec-Fetch-Site: same-origin`` or ``none`` (the reader's own action: a
   bookmark, the address bar) passes; ``same-site`` and ``cross-site`` are
   refused.
2. Without ``Sec-Fetch-Site`` (browsers before 2023), ``Origin`` decides: it
   passes when it equals the request's own origin (scheme, host and port,
   :func:`request_origin`); ``Origin: null`` (a sandboxed frame, a
   ``data:`` page, some redirects) and any other origin are refused.
3. With neither header the request is not a browser's (``curl``, a mail
   client's one-click unsubscribe, Django's test client) and passes: a
   forged cross-site request needs a victim's browser, and every browser
   in use sends one of the two. The view's own rules (the comment rules,
   Django's CSRF token where it is required) still apply.

An origin listed in ``CSRF_TRUSTED_ORIGINS`` (same syntax as Django's,
``https://*.example.com`` for subdomains) passes whatever ``Sec-Fetch-Site``
says, as Go's does: it is the operator's explicit word that the other origin
may post here. A view marked with :func:`cross_origin_allowed` is not
checked (the RFC 8058 one-click unsubscribe).

This is the scheme of Go 1.25's ``net/http.CrossOriginProtection`` (Filippo
Valsorda, "CSRF", 2025) and of OWASP's Fetch Metadata resource isolation
policy (OWASP Cross-Site Request Forgery Prevention Cheat Sheet, "Fetch
Metadata headers"). It needs no per-reader token, so the pages holding the
anonymous comment and Ask forms can be the same bytes for every reader
(SECURITY.md, "Cross-site requests"). Django's ``CsrfViewMiddleware`` still
runs after it, for every view that is not exempt.

A refusal is 403 from ``settings.CSRF_FAILURE_VIEW`` (the site's CSRF page,
which shows the reader's text back and is ``no-store``) with a ``reason``
starting :data:`REASON_CROSS_ORIGIN`. :class:`CrossOriginMiddleware` goes in
``MIDDLEWARE`` right after ``config.methods.MethodMiddleware`` (a method the
view does not answer is 405 first) and before ``CsrfViewMiddleware``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_callable
from django.utils.http import is_same_domain

logger = logging.getLogger("django.security.csrf")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Sec-Fetch-Site values that mean "this site's own page, or the reader's own act".
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
CROSS_ORIGIN_ATTR = "cross_origin_allowed"
REASON_CROSS_ORIGIN = "Cross-origin request refused"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def cross_origin_allowed(view: Callable) -> Callable:
    """Mark ``view`` as answering unsafe requests from any origin (sets
    ``view.cross_origin_allowed = True`` and returns it). Only for a view
    whose POST is authenticated by something a forger cannot have, such as
    a signed token in its URL (RFC 8058 one-click unsubscribe)."""
    setattr(view, CROSS_ORIGIN_ATTR, True)
    return view


def origin_key(origin: str) -> tuple[str, str, int] | None:
    """``origin`` (``scheme://host[:port]``, as in an ``Origin`` header) as
    ``(scheme, host, port)``, lower case, the scheme's default port filled
    in; ``None`` for ``null``, a non-http(s) scheme or anything unreadable."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path or parts.query or parts.fragment or parts.username is not None:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def request_origin(request) -> str:
    """The request's own origin, ``scheme://host[:port]``: the scheme Django
    sees (``SECURE_PROXY_SSL_HEADER`` behind a proxy) and the validated
    ``Host`` (raises ``DisallowedHost`` as ``request.get_host()`` does)."""
    return f"{request.scheme}://{request.get_host()}"


def trusted_origin(origin: str, trusted: list[str] | tuple[str, ...]) -> bool:
    """Whether ``origin`` is one of ``trusted`` (``CSRF_TRUSTED_ORIGINS``
    entries): equal as :func:`origin_key`, or under a ``scheme://*.domain``
    entry (Django's rule, ``django.utils.http.is_same_domain``)."""
    key = origin_key(origin)
    if key is None:
        return False
    scheme, host, port = key
    for entry in trusted:
        if "://*." in entry:
            entry_scheme, _, pattern = entry.partition("://")
            netloc = host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
            if entry_scheme.lower() == scheme and (
                is_same_domain(host, pattern[1:]) or is_same_domain(netloc, pattern[1:])
            ):
                return True
        elif origin_key(entry) == key:
            return True
    return False


def cross_origin_refusal(
    method: str,
    fetch_site: str | None,
    origin: str | None,
    own_origin: Callable[[], str],
    trusted: list[str] | tuple[str, ...] = (),
) -> str | None:
    """Why a request must be refused (a one-line reason starting
    :data:`REASON_CROSS_ORIGIN`), or ``None`` when it passes (module docs).
    ``method`` upper case; ``fetch_site`` and ``origin`` the headers' values
    (``None`` when absent); ``own_origin`` gives the request's own origin
    (called only when needed); ``trusted`` the ``CSRF_TRUSTED_ORIGINS``."""
    if method in SAFE_METHODS:
        return None
    if origin is not None and trusted_origin(origin, trusted):
        return None
    if fetch_site is not None and fetch_site.strip():
        site = fetch_site.strip().lower()
        if site in ALLOWED_FETCH_SITES:
            return None
        return f"{REASON_CROSS_ORIGIN}: Sec-Fetch-Site is {site!r}."
    if origin is None:
        return None  # neither header: not a browser's request
    own = origin_key(own_origin())
    if own is not None and origin_key(origin) == own:
        return None
    return f"{REASON_CROSS_ORIGIN}: Origin {origin!r} is not this site's."


class CrossOriginMiddleware:
    """Refuse unsafe requests from other origins (module docs) with the
    site's CSRF-failure page (403, the reader's text kept). Runs in
    ``process_view``, so it sees the view's :func:`cross_origin_allowed`
    mark."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, view_args, view_kwargs):
        if getattr(view, CROSS_ORIGIN_ATTR, False):
            return None
        reason = cross_origin_refusal(
            request.method,
            request.headers.get("Sec-Fetch-Site"),
            request.headers.get("Origin"),
            lambda: request_origin(request),
            settings.CSRF_TRUSTED_ORIGINS,
        )
        if reason is None:
            return None
        extra = {"status_code": 403, "request": request}
        logger.warning("Forbidden (%s): %s", reason, request.path, extra=extra)
        return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
