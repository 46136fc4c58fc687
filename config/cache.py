"""One policy for every use of the shared cache: a cache that fails means a
slower page, never an error (docs/architecture.md, "config/").

Every cache read and write in ``advice`` and ``notes`` goes through
:func:`cache_get`, :func:`cache_set`, :func:`get_or_render` or
:func:`cache_incr` (a counter, for limits). Any exception
the cache backend raises (Redis refusing connections, a Redis that accepts
but never answers and so times out after the ``socket_timeout`` set in
``config/settings.py``, a full memory, a bad pickle) is logged and treated as
a miss; the caller renders the fragment itself.

After a failure the cache is left alone for ``CACHE_RETRY_AFTER`` seconds
(default 5) in this process, so a Redis that hangs costs one timeout per
process per period rather than one per cache call on every page.

This module lives in ``config`` because both apps use it and ``notes`` must
never import ``advice``; it imports neither.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 5.0  # seconds; CACHE_RETRY_AFTER overrides

_down_until = 0.0  # time.monotonic() before which the cache is not asked


def _retry_after() -> float:
    return float(getattr(settings, "CACHE_RETRY_AFTER", DEFAULT_RETRY_AFTER))


def cache_available() -> bool:
    """False while the cache is resting after a failure (see module docs)."""
    return time.monotonic() >= _down_until


def _failed(operation: str, key: str) -> None:
    global _down_until
    _down_until = time.monotonic() + _retry_after()
    logger.warning("cache unavailable (%s %s); rendering without it", operation, key, exc_info=True)


def cache_failed(operation: str, key: str) -> None:
    """Record that a cache call made outside these helpers (an atomic
    ``add``, say) raised: logged with the traceback, and the cache is left
    alone for ``CACHE_RETRY_AFTER`` seconds, as for the helpers' own calls.
    Call it from the ``except`` block."""
    _failed(operation, key)


def reset() -> None:
    """Forget a past failure (for tests, and after fixing the cache)."""
    global _down_until
    _down_until = 0.0


def cache_get(key: str):
    """The value stored under ``key``, or None when missing or when the cache
    fails (logged). Never raises a cache error."""
    if not cache_available():
        return None
    try:
        return cache.get(key)
    except Exception:  # any backend error is a miss, never a failed page
        _failed("get", key)
        return None


def cache_set(key: str, value, timeout: float | None) -> bool:
    """Store ``value`` under ``key`` for ``timeout`` seconds. Returns whether
    it was stored; a cache failure is logged and returns False. Never raises
    a cache error."""
    if not cache_available():
        return False
    try:
        cache.set(key, value, timeout)
    except Exception:  # any backend error: the page is served uncached
        _failed("set", key)
        return False
    return True


def get_or_render(key: str, render: Callable[[], str], timeout: float | None) -> str:
    """The string stored under ``key``, or ``render()`` stored there for
    ``timeout`` seconds. When the cache fails, ``render()`` alone. Exceptions
    from ``render`` itself propagate (nothing is stored then)."""
    value = cache_get(key)
    if value is None:
        value = render()
        cache_set(key, value, timeout)
    return value


def cache_incr(key: str, timeout: float | None) -> int | None:
    """Add one to the counter under ``key`` and return the new count; a
    missing counter starts at 0 and lives ``timeout`` seconds from its first
    count (later counts do not extend it). Atomic where the backend is
    (Redis ``INCR``; local memory under its lock). ``None`` when the cache
    fails (logged, like every other call here): callers decide what a
    missing count means. Never raises a cache error."""
    if not cache_available():
        return None
    try:
        cache.add(key, 0, timeout)
        return cache.incr(key)
    except Exception:  # any backend error, or the key expiring in between
        _failed("incr", key)
        return None
