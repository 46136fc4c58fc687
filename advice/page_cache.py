"""The whole-page cache: a public page a reader without state of their own
asks for again is answered from the cache before the rest of the site's
middleware and its view run (services layer, docs/architecture.md; issue
14, item 3).

Two halves. :class:`PageCacheMiddleware`, in ``MIDDLEWARE`` right after
``SecurityMiddleware`` and WhiteNoise, looks a GET or HEAD of a reader
without state up and answers a hit at once; on a miss it lets the request
through, and on the way out stores the page :func:`serve` marked as
storable, with every header the middleware inside it added (CSP,
``X-Frame-Options``, ``Vary``, ``Content-Length``). :func:`serve`, installed
as :func:`config.shared_pages.shared_page`'s cache when the ``advice`` app is
ready, decides for the views so decorated (home, article, topic list and
topic, month archive, note template list and drafter, the feeds) whether
their answer may be shared. A hit therefore carries the same headers as the
miss it was stored from, ``SecurityMiddleware``'s (HSTS, nosniff,
Referrer-Policy, COOP) added afresh; the CSP has no nonce
(``CONTENT_SECURITY_POLICY`` in ``config/settings.py`` lists sources only,
and no template asks for ``request.csp_nonce``), so a stored page holds
none; a nonce in a cached page would be a bug. Profiled (issue 14), the
middleware a hit no longer passes through (sessions, CSP's policy built
afresh, CSRF, authentication, messages, URL resolution) cost half of it.

A hit costs one cache lookup and one database query
(:func:`advice.site_version.site_version_read`: the version row with the
latest publish time reached); a miss reads the version once for both halves,
and a request no shared page answers costs the lookup alone. After a
change, one thread per process renders a page while the others asking for
it wait for its entry (:func:`_take_turn`), rather than all rendering the
same page at once.

The key (:func:`page_key`): the database's name, the entry format, scheme,
host, path and the page parameters (``page``, ``cpage``, ``replytocom``);
the entry holds the site version it was rendered under, and only an entry
of the current version is a hit (:func:`_lookup`), so every change reaches
the next request at once. A request is looked up only when its query string holds
nothing but those parameters, each once and in normal form
(:func:`cache_query`, the rule of :mod:`config.pagequery`); anything else
(``?utm_source=``, ``?cpage=03``, which the view answers 301) goes to the
view, uncached, so random query strings cannot fill the cache; a parameter
the view does not read is never stored (:func:`serve` asks with the view's
own list). GET and HEAD share entries.

Stored (:func:`storable`, asked by :func:`serve` and again by the
middleware after the inner middleware had their say) only: the answer to a
GET or HEAD from a reader without state
(:func:`advice.reader_state.has_own_state`), status 200, not streamed,
setting no cookie, where the view did not touch the CSRF cookie
(``CSRF_COOKIE_USED`` / ``CSRF_COOKIE_NEEDS_UPDATE``: the page would hold a
token) and did not mark itself ``private`` or ``no-store``. An entry lives
``FRAGMENT_CACHE_TIMEOUT`` seconds at most (and never beyond half the
comment form signature's life, :func:`advice.caching.signature_window`),
cut short at any moment the view names with :func:`ends_at` (an article's
automatic comment close time: no write marks it, so the entry must end).

Headers:

- stateless pages (hit or miss): ``Cache-Control: public, max-age=0,
  s-maxage=<FRONT_CACHE_SECONDS>`` (default 10; a front cache such as
  ``deploy/nginx.conf`` may keep them that long, browsers revalidate), the
  same ``Vary`` as the miss (``Cookie`` where rendering read the session or
  a cookie; a page the same for every reader names none), ``ETag`` (the
  version, exact) and ``Last-Modified``: the version's ``changed_at`` or
  the latest publish time reached, whichever is later, never before the
  current half-signature window (:func:`advice.caching.last_modified`).
  A deletion moves ``changed_at``, so a reader revalidating a list after an
  editor deleted an article gets the new list, not a 304. ``If-Modified-
  Since`` is answered 304 when the reader's copy is that entry's or newer.
- pages for a reader with state, answers to any other method, pages of
  uncached query strings: rendered by the view and marked ``Cache-Control:
  private, no-cache, no-store`` (Django's never-cache set) unless the view
  set its own.

A cache that fails is a miss (:mod:`config.cache`: logged, then left alone
for ``CACHE_RETRY_AFTER`` seconds); the page is rendered. A database that
fails the version read is a miss too: the view then meets the same
failure and answers as it does (``advice.middleware``: a friendly 503).
``FRAGMENT_CACHE=0`` or ``PAGE_CACHE=0`` turn the page cache off (every
page rendered, marked never-cache as above).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import Error as DatabaseFailure  # InterfaceError too, no DatabaseError
from django.http import HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date

from advice import caching
from advice.reader_state import has_own_state
from advice.site_version import site_version_read
from config.cache import cache_available, cache_get, cache_set
from config.pagequery import normal_page, object_id

PAGE_PARAMS = ("page", "cpage", "replytocom")  # in the key's order
DEFAULT_FRONT_CACHE_SECONDS = 10
ENDS_ATTR = "page_cache_ends"
# On a request: (key, version or None, now or None) of the middleware's
# lookup that missed (version None: no entry was found, none read).
LOOKUP_ATTR = "page_cache_lookup"
# On a request: the render turn (a lock) serve() holds until the page is stored.
TURN_ATTR = "page_cache_turn"
# One thread of a process renders a missing page at a time; the others wait
# for its entry (up to TURN_WAIT_SECONDS, then render anyway). Locks are
# striped by key: a fixed number, whatever the number of pages.
TURN_STRIPES = 64
TURN_WAIT_SECONDS = 10.0
_turns = [threading.Lock() for _ in range(TURN_STRIPES)]
# On a response: (key, modified, etag, timeout) for the middleware to store.
STORE_ATTR = "page_cache_store"
# Part of every key: entries of another shape (an earlier release's, in a
# Redis shared across a deploy) are never read.
ENTRY_FORMAT = 2
# Headers the page cache sets itself on every stateless answer: not stored.
_OWN_HEADERS = frozenset({"cache-control", "last-modified", "etag", "expires", "set-cookie"})


def enabled() -> bool:
    """Whether the page cache is on: ``FRAGMENT_CACHE`` and ``PAGE_CACHE``
    (both default on)."""
    return caching.enabled() and bool(getattr(settings, "PAGE_CACHE", True))


def front_cache_seconds() -> int:
    """``FRONT_CACHE_SECONDS`` (default 10): the ``s-maxage`` of stateless pages."""
    return max(0, int(getattr(settings, "FRONT_CACHE_SECONDS", DEFAULT_FRONT_CACHE_SECONDS)))


# --- Pure rules -------------------------------------------------------------------


def _normal_value(name: str, raw: str) -> str | None:
    """The normal spelling of query value ``raw`` of parameter ``name``;
    None when the parameter should be absent (page 1) or is unreadable."""
    if name == "replytocom":
        reply_id = object_id(raw)
        return None if reply_id is None else str(reply_id)
    number = normal_page(raw)
    return str(number) if number > 1 else None


def cache_query(query: QueryDict, params: Iterable[str]) -> str | None:
    """The query part of a page's key (``""``, ``"cpage=2&replytocom=7"``)
    when ``query`` (a request's GET) holds only parameters named in
    ``params``, each once and spelled in normal form (page numbers as
    :func:`config.pagequery.normal_page` gives them, page 1 absent; a
    ``replytocom`` comment id as digits without leading zeros); else None:
    that request is not answered from the cache."""
    allowed = set(params) & set(PAGE_PARAMS)
    if any(name not in allowed or len(query.getlist(name)) != 1 for name in query):
        return None
    parts = []
    for name in PAGE_PARAMS:
        if name in query:
            raw = query[name]
            if _normal_value(name, raw) != raw:
                return None
            parts.append(f"{name}={raw}")
    return "&".join(parts)


def entry_timeout(now: datetime, ends: Iterable[datetime | None]) -> int:
    """Seconds an entry stored at ``now`` may live: ``FRAGMENT_CACHE_TIMEOUT``,
    at most half the form signature's life, cut at the first of ``ends``
    still ahead (:func:`advice.caching.fragment_timeout`)."""
    longest = min(caching.default_timeout(), caching.signature_window())
    return caching.fragment_timeout(now, ends, longest)


def ends_at(response, *moments: datetime | None):
    """Tell the page cache that ``response``'s page changes on its own at
    ``moments`` (aware; None ignored), with no write to mark it: its entry
    ends at the first still ahead, and ``Last-Modified`` counts those past.
    Returns ``response``."""
    setattr(response, ENDS_ATTR, (*getattr(response, ENDS_ATTR, ()), *moments))
    return response


def key_host(host: str) -> str:
    """``host`` (``request.get_host()``, already checked against
    ``ALLOWED_HOSTS``) as the key holds it: the domain in lower case without
    a trailing dot, no port. ``ALLOWED_HOSTS`` ignores the port and the page
    is the same on every one (its links come from ``SITE_URL``), so a port
    must not make a new entry (``Host: example.com:1``, ``:2``... would)."""
    domain, _port = split_domain_port(host)
    return (domain or host).lower().rstrip(".")


def page_key(request, query: str) -> str:
    """The cache key of ``request``'s page: the entry format, scheme, host
    (:func:`key_host`), path and ``query`` (:func:`cache_query`), under the
    database's name (:func:`advice.caching.fragment_key`). The site version
    the page was rendered under is in the entry, not the key
    (:func:`_lookup`). Raises :class:`django.core.exceptions.DisallowedHost`
    for a host not in ``ALLOWED_HOSTS``."""
    return caching.fragment_key(
        "page", ENTRY_FORMAT, request.scheme, key_host(request.get_host()), request.path, query
    )


def storable(request, response) -> bool:
    """Whether ``response`` to ``request`` (a GET or HEAD of a reader without
    state) may be stored and shared: see the module docs."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "Set-Cookie" in response.headers:
        return False
    if request.META.get("CSRF_COOKIE_USED") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    control = response.headers.get("Cache-Control", "").lower()
    return "private" not in control and "no-store" not in control


# --- Entries ------------------------------------------------------------------------


def validators(version_key: tuple, ends: Iterable[datetime | None], now: datetime):
    """``(modified, etag)`` of a page rendered at ``now`` under the site
    version ``version_key`` (``(number, due, changed_at)``) whose own change
    moments are ``ends``.

    ``modified``: ``Last-Modified`` in seconds since the epoch (the latest of
    the version's last change, the publish time reached and any of ``ends``
    already past, rounded up, never before the current half-signature
    window; :func:`advice.caching.last_modified`). It may be a second not
    yet ended: :func:`_shared` sends it only once it has (a second change
    within it could not be told apart).
    ``etag``: a weak entity tag of the version, the window and the past
    ``ends``, exact where seconds are not."""
    window = caching.signature_window()
    past = tuple(m for m in ends if m is not None and m <= now)
    modified = caching.last_modified([*version_key[1:], *past], now, window)
    seed = repr((version_key[:2], int(now.timestamp()) // window, past))
    etag = 'W/"' + hashlib.blake2b(seed.encode(), digest_size=12).hexdigest() + '"'
    return modified, etag


def _entry(response, version_key: tuple, modified: int | None, etag: str) -> dict:
    """What is stored of ``response`` (seen by the middleware, every inner
    middleware's headers on it): its bytes, its headers but the page
    cache's own and cookies, the site version (``Version.key``) it was
    rendered under, its validators."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _OWN_HEADERS]
    return {
        "content": response.content,
        "headers": headers,
        "version": version_key,
        "modified": modified,
        "etag": etag,
    }


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response.headers[name] = value
    return response


def _sent_modified(modified: int | None, now: datetime) -> int | None:
    """``modified`` as ``Last-Modified`` may say it at ``now``: only once its
    second has ended (an entry stored within that second gets it on its
    later hits; a second change within it could not be told apart)."""
    return None if modified is not None and modified > now.timestamp() else modified


def _mark_shared(response, modified: int | None, etag: str):
    """``response`` with the headers of a stateless page (module docs);
    ``modified`` as :func:`_sent_modified` gives it."""
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified)
    response.headers["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, s_maxage=front_cache_seconds())
    return response


def _shared(request, response, modified: int | None, etag: str, now: datetime):
    """``response`` marked as a stateless page (:func:`_mark_shared`), or
    the 304 that answers ``request``'s ``If-None-Match`` /
    ``If-Modified-Since`` with it."""
    modified = _sent_modified(modified, now)
    _mark_shared(response, modified, etag)
    return get_conditional_response(request, etag=etag, last_modified=modified, response=response)


def _personal(request, response):
    """``response`` (any status to a POST and the like, a 200 to a GET or
    HEAD) marked never to be stored, unless the view chose already."""
    if response.status_code != 200 and request.method in ("GET", "HEAD"):
        return response  # redirects and errors keep what the view said
    if "Cache-Control" not in response.headers:
        add_never_cache_headers(response)
    return response


def _may_share(request) -> bool:
    """Whether ``request`` may be answered with a shared page at all: a GET
    or HEAD, the page cache on, a reader without state."""
    return request.method in ("GET", "HEAD") and enabled() and not has_own_state(request.COOKIES)


def _lookup(request):
    """The middleware's half on the way in: the hit that answers ``request``
    (a response, headers as :func:`_shared` gives them), or None.

    One cache lookup by :func:`page_key`; an entry is a hit only when it was
    rendered under the current site version (one query), so every change
    reaches the next request at once, and the page of an old version is
    overwritten by the next render rather than kept beside it. A request no
    shared page answers (the Ask form, a 404) finds no entry and costs no
    query. On a miss that :func:`serve` may fill, ``(key, version, now)``
    is left on the request (:data:`LOOKUP_ATTR`; version and now None when
    there was no entry): the version read once."""
    if not _may_share(request):
        return None
    query = cache_query(request.GET, PAGE_PARAMS)
    if query is None:
        return None
    try:
        key = page_key(request, query)
    except DisallowedHost:
        return None  # the rest of the stack answers it (400)
    entry = cache_get(key)
    if entry is None:
        setattr(request, LOOKUP_ATTR, (key, None, None))
        return None
    now = timezone.now()
    try:
        version = site_version_read(now)
    except DatabaseFailure:
        return None  # the view meets the same and answers it (advice.middleware: 503)
    if entry.get("version") != version.key:
        setattr(request, LOOKUP_ATTR, (key, version, now))
        return None
    return _shared(request, _from_entry(entry), entry["modified"], entry["etag"], now)


def _store(request, response):
    """The middleware's half on the way out: a page :func:`serve` marked
    (:data:`STORE_ATTR`) stored with its final headers, when it still may
    be (:func:`storable`: no inner middleware set a cookie); then the 304
    that answers a conditional request with it."""
    marked = getattr(response, STORE_ATTR, None)
    if marked is None:
        return response
    key, version_key, modified, etag, timeout, now, store = marked
    if store and storable(request, response):
        cache_set(key, _entry(response, version_key, modified, etag), timeout)
    return get_conditional_response(
        request, etag=etag, last_modified=_sent_modified(modified, now), response=response
    )


class PageCacheMiddleware:
    """Answer a stateless reader's GET or HEAD of a cached page before the
    middleware after this one and the view run, and store the pages
    :func:`serve` marks as they leave (module docs). In ``MIDDLEWARE`` right
    after ``SecurityMiddleware`` and WhiteNoise, so a hit still gets the
    security headers and static files never reach it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hit = _lookup(request)
        if hit is not None:
            return hit
        try:
            return _store(request, self.get_response(request))
        finally:
            turn = getattr(request, TURN_ATTR, None)
            if turn is not None:
                turn.release()


def _take_turn(request, key: str, *, keep: bool = False) -> bool:
    """Wait for this process's turn to render the page under ``key`` (one
    thread at a time: after a change, the readers of a popular page would
    otherwise all render it at once, each thread of each worker). A thread
    that gets the turn at once, or waits with ``keep``, holds the lock on
    the request (:data:`TURN_ATTR`) for the middleware to release once the
    page is stored. Without ``keep`` a thread that had to wait lets it go at
    once: the first one's entry is in the cache, or the page is one never
    stored (a 404, say) and the waiters render side by side rather than one
    after another. At most :data:`TURN_WAIT_SECONDS` of waiting; no turns
    while the cache is failing (nothing could be stored to wait for).
    Returns whether this thread waited."""
    if not cache_available():
        return False
    turn = _turns[hash(key) % TURN_STRIPES]
    if turn.acquire(blocking=False):
        setattr(request, TURN_ATTR, turn)
        return False
    if turn.acquire(timeout=TURN_WAIT_SECONDS):
        if keep:
            setattr(request, TURN_ATTR, turn)
        else:
            turn.release()
    return True


def _between(low: tuple, key, high: tuple) -> bool:
    """Whether the site version ``key`` (``Version.key``: number, due; from
    an entry, so possibly of another shape) is neither before ``low`` nor
    after ``high``: the counter first, then the latest publish time reached
    (None before any)."""
    if not isinstance(key, tuple) or len(key) != 2:
        return False

    def order(version: tuple):
        number, due = version
        return (number, due is not None, due or 0)

    try:
        return order(low) <= order(key) <= order(high)
    except TypeError:  # an entry of another shape
        return False


def serve(view, params: Sequence[str], request, *args, **kwargs):
    """Answer ``request`` for ``view`` (called with ``request, *args,
    **kwargs``), reading the page parameters ``params``: rendered, and when
    it may be shared marked with a stateless page's headers and left for
    :class:`PageCacheMiddleware` to store (module docs); hits never reach
    here. Installed as :func:`config.shared_pages.shared_page`'s cache."""
    if not _may_share(request) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # (A CSRF cookie that Django will renew on the way out, a malformed
        # one came in: that answer sets a cookie, so it is this reader's.)
        return _personal(request, view(request, *args, **kwargs))
    query = cache_query(request.GET, params)
    if query is None:
        return _personal(request, view(request, *args, **kwargs))
    looked = getattr(request, LOOKUP_ATTR, None)
    if looked is None:  # the middleware is not installed: rendered, never stored
        return _personal(request, view(request, *args, **kwargs))
    key, version, now = looked
    if version is None:
        now = timezone.now()
        version = site_version_read(now)
    if _take_turn(request, key):
        # Another thread had the turn: its entry answers this request when
        # it holds every change made before the request came (``version``)
        # and none that is not made yet (a restored backup's counter is
        # lower); writes may have gone on while this thread waited.
        entry = cache_get(key)
        current = site_version_read(timezone.now())
        if entry is not None and _between(version.key, entry.get("version"), current.key):
            response = _from_entry(entry)
            mark = (key, version.key, entry["modified"], entry["etag"], 0, now, False)
            setattr(response, STORE_ATTR, mark)
            return _mark_shared(response, _sent_modified(entry["modified"], now), entry["etag"])
        if entry is not None:  # a stored page, too old: render it in turn
            _take_turn(request, key, keep=True)
    response = view(request, *args, **kwargs)
    if not storable(request, response):
        return _personal(request, response)
    ends = getattr(response, ENDS_ATTR, ())
    modified, etag = validators((*version.key, version.changed_at), ends, now)
    timeout = entry_timeout(now, ends)
    setattr(response, STORE_ATTR, (key, version.key, modified, etag, timeout, now, True))
    return _mark_shared(response, _sent_modified(modified, now), etag)
