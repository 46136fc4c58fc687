"""The whole-page cache: a public page a reader without state of their own
asks for again is answered from the cache before its view runs (services
layer, docs/architecture.md; issue 14, item 3).

Which views: those decorated with :func:`config.shared_pages.shared_page`
(home, article, topic list and topic, month archive, note template list and
drafter, the feeds); :func:`serve` is installed as that decorator's cache
when the ``advice`` app is ready. The decorator sits inside every
middleware, so a hit gets the same security headers as a miss
(``SecurityMiddleware``: HSTS, nosniff, Referrer-Policy, COOP;
``CSPMiddleware``; ``XFrameOptionsMiddleware``). The policy has no nonce
(``CONTENT_SECURITY_POLICY`` in ``config/settings.py`` lists sources only,
and no template asks for ``request.csp_nonce``), so the stored bytes hold
none; a nonce in a cached page would be a bug.

A hit costs one cache lookup and one database query
(:func:`advice.site_version.site_version_read`: the version row with the
latest publish time reached).

The key (:func:`page_key`): the database's name, scheme, host, path, the
page parameters the view reads (``page``, ``cpage``, ``replytocom``) and the
site version. A request is looked up only when its query string holds
nothing but those parameters, each once and in normal form
(:func:`cache_query`, the rule of :mod:`config.pagequery`); anything else
(``?utm_source=``, ``?cpage=03``, which the view answers 301) goes to the
view, uncached, so random query strings cannot fill the cache. GET and HEAD
share entries.

Stored (:func:`storable`) only: the answer to a GET or HEAD from a reader
without state (:func:`advice.reader_state.has_own_state`), status 200, not
streamed, setting no cookie, where the view did not touch the CSRF cookie
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
for ``CACHE_RETRY_AFTER`` seconds); the page is rendered. ``FRAGMENT_CACHE=0``
or ``PAGE_CACHE=0`` turn the page cache off (every page rendered, marked
never-cache as above).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date

from advice import caching
from advice.reader_state import has_own_state
from advice.site_version import site_version_read
from config.cache import cache_get, cache_set
from config.pagequery import normal_page, object_id

PAGE_PARAMS = ("page", "cpage", "replytocom")  # in the key's order
DEFAULT_FRONT_CACHE_SECONDS = 10
ENDS_ATTR = "page_cache_ends"
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


def page_key(request, query: str, version_key: tuple) -> str:
    """The cache key of ``request``'s page: scheme, host (:func:`key_host`),
    path, ``query`` (:func:`cache_query`) and the site version
    (``Version.key``), under the database's name
    (:func:`advice.caching.fragment_key`)."""
    return caching.fragment_key(
        "page", request.scheme, key_host(request.get_host()), request.path, query, version_key
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


def _entry(request, response, modified: int | None, etag: str) -> dict:
    """What is stored of ``response``: its bytes, its own headers, its
    validators, and whether rendering it read the session (then
    ``SessionMiddleware`` adds ``Vary: Cookie`` on the way out; a hit, which
    reads no session, must say the same)."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _OWN_HEADERS]
    session = getattr(request, "session", None)
    return {
        "content": response.content,
        "headers": headers,
        "modified": modified,
        "etag": etag,
        "vary_cookie": bool(session is not None and session.accessed),
    }


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response.headers[name] = value
    if entry["vary_cookie"]:
        patch_vary_headers(response, ["Cookie"])
    return response


def _shared(request, response, modified: int | None, etag: str, now: datetime):
    """``response`` marked as a stateless page (module docs), or the 304
    that answers ``request``'s ``If-None-Match`` / ``If-Modified-Since``
    with it. ``Last-Modified`` is sent only once the second ``modified``
    has ended by ``now`` (an entry stored within that second gets it on
    its later hits)."""
    if modified is not None and modified > now.timestamp():
        modified = None
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified)
    response.headers["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, s_maxage=front_cache_seconds())
    return get_conditional_response(request, etag=etag, last_modified=modified, response=response)


def _personal(request, response):
    """``response`` (any status to a POST and the like, a 200 to a GET or
    HEAD) marked never to be stored, unless the view chose already."""
    if response.status_code != 200 and request.method in ("GET", "HEAD"):
        return response  # redirects and errors keep what the view said
    if "Cache-Control" not in response.headers:
        add_never_cache_headers(response)
    return response


def serve(view, params: Sequence[str], request, *args, **kwargs):
    """Answer ``request`` for ``view`` (called with ``request, *args,
    **kwargs`` on a miss), reading the page parameters ``params``: from the
    cache when it may, else rendered and stored when it may (module docs).
    Installed as :func:`config.shared_pages.shared_page`'s cache."""
    if request.method not in ("GET", "HEAD") or has_own_state(request.COOKIES) or not enabled():
        return _personal(request, view(request, *args, **kwargs))
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # A CSRF cookie that Django will renew on the way out (a malformed
        # one came in): that answer sets a cookie, so it is this reader's.
        return _personal(request, view(request, *args, **kwargs))
    query = cache_query(request.GET, params)
    if query is None:
        return _personal(request, view(request, *args, **kwargs))
    now = timezone.now()
    version = site_version_read(now)
    key = page_key(request, query, version.key)
    entry = cache_get(key)
    if entry is not None:
        return _shared(request, _from_entry(entry), entry["modified"], entry["etag"], now)
    response = view(request, *args, **kwargs)
    if not storable(request, response):
        return _personal(request, response)
    ends = getattr(response, ENDS_ATTR, ())
    modified, etag = validators((*version.key, version.changed_at), ends, now)
    cache_set(key, _entry(request, response, modified, etag), entry_timeout(now, ends))
    return _shared(request, response, modified, etag, now)
