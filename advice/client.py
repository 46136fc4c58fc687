"""Who is asking: the client's IP address behind a configured number of
trusted proxies (``COMMENTS_TRUSTED_PROXIES``).

Pure functions of values (plus :func:`request_client_address`, which only
reads the request's headers and the setting); used by the comment and Ask
views to store and rate-limit the sender's address. See
docs/architecture.md ("``client.py``").
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def valid_ip(value: str | None) -> str | None:
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
    """The client's IP address.

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
            found = valid_ip(entries[-trusted_proxies])
            if found:
                return found
    return valid_ip(remote_addr)


def request_client_address(request) -> str | None:
    """:func:`client_address` of a Django ``request``: its ``REMOTE_ADDR`` and
    ``X-Forwarded-For`` header, with ``COMMENTS_TRUSTED_PROXIES`` trusted
    proxies (0 by default: the socket's address)."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.COMMENTS_TRUSTED_PROXIES,
    )
