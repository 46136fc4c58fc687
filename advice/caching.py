"""Fragment caching and the conditional-GET rules for the public pages
(services layer, docs/architecture.md: "the one guarded way to use the
cache").

Two levels of cache:

- **Whole pages** (:mod:`advice.page_cache`): a reader without state of
  their own (:func:`advice.reader_state.has_own_state`) asking for home, an
  article, a topic list or topic, a month archive, a note page or a feed
  again gets the stored bytes, before the view runs, keyed on the site
  version (:mod:`advice.site_version`) that every change moves at once.
  The page cache also sends the stateless pages' ``Cache-Control: public``,
  ``Last-Modified`` / ``ETag`` and answers their conditional GETs. Every
  other reader's page is rendered for them and marked never to be stored.
- **Fragments** (this module), used while a page is rendered (every miss,
  every reader with state):

  - the **comment tree** of an article page (heading, threaded comments of
    one comment page, comment-page links) under the article's
    ``updated_at``, which every comment change bumps
    (``advice.publishing.articles_touch``: approve, spam, remove, restore,
    a comment stored approved at once, an admin edit), and whether
    comments are open. Not ``content_changed_at``: that one is for feeds
    and search engines and ignores comments on purpose
    (``advice.content_changes``);
  - the **related-articles list** and the **home / topic lists** under the
    *fragment site state* (:class:`SiteState`): the number of articles, the
    latest ``updated_at`` of any article and the latest publish time
    already reached. Any article saved, touched or deleted changes it, and
    so does a scheduled article coming due, without anyone saving anything.

  Fragments also end on their own at the next scheduled publish and at the
  article's automatic close (:func:`fragment_timeout`), and at
  ``FRAGMENT_CACHE_TIMEOUT`` seconds at the latest (topic renames, note
  templates and user names are not in their versions; the whole page is,
  through the site version).

Every cache call goes through :mod:`config.cache` (a failing cache is a miss,
never an error), and every query value a fragment or page key reads is in the
normal form of :mod:`config.pagequery`, the same for its key and its render.

A reader whose browser has a held comment of its own gets the comment tree
rendered for them alone, never from or into the cache.

Conditional GET: :func:`last_modified` gives the ``Last-Modified`` second
(rounded up, never before the current :func:`signature_window` period, so a
browser's copy of a form is revalidated only while its signed time token
stays good); :func:`conditional_get_allowed` says which readers may get it
(those without state). The page cache applies both.

``FRAGMENT_CACHE=0`` turns fragments, whole pages and conditional GET off
(for the benchmark's uncached run, and to measure the queries of a cold
page); ``PAGE_CACHE=0`` turns off only the whole pages.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, IntegerField, Subquery
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import SafeString, mark_safe

from advice.models import Article
from advice.reader_state import has_own_state
from config.cache import get_or_render

DEFAULT_TIMEOUT = 300  # seconds; FRAGMENT_CACHE_TIMEOUT overrides


def enabled() -> bool:
    """Whether fragment caching and conditional GET are on (``FRAGMENT_CACHE``)."""
    return bool(getattr(settings, "FRAGMENT_CACHE", True))


# --- Pure rules -----------------------------------------------------------------


def fragment_timeout(now: datetime, ends: Iterable[datetime | None], default: int) -> int:
    """Seconds a fragment may live: ``default`` (seconds), cut short at the
    first of ``ends`` still ahead of ``now`` (the next scheduled publish, the
    article's automatic close). Ends already past or ``None`` are ignored.
    Returns at least 1."""
    seconds = [default]
    for end in ends:
        if end is not None and end > now:
            seconds.append(math.ceil((end - now).total_seconds()))
    return max(1, min(seconds))


def fragment_key(name: str, *parts: object) -> str:
    """The cache key of fragment ``name`` for the version ``parts`` (any values
    with a stable ``repr``): ``"frag:<name>:<hash>"``. The database's name is
    part of the hash, so a test database, the benchmark's and the real one
    never share entries in one Redis."""
    database = str(connection.settings_dict.get("NAME", ""))
    digest = hashlib.blake2b(repr((database, *parts)).encode(), digest_size=16).hexdigest()
    return f"frag:{name}:{digest}"


def last_modified(moments: Iterable[datetime | None], now: datetime, window: int) -> int:
    """The ``Last-Modified`` time (whole seconds since the epoch) of a page
    built from content last changed at the latest of ``moments`` (``None``
    ignored; later than ``now`` ignored too).

    Rounded up to the second (HTTP dates have no fractions, and rounding down
    could hide a change made later within the same second). Never earlier
    than the start of the current ``window``-second period, so a browser's
    copy is revalidated as fresh only within the period it was made in
    (``window`` > 0: half the form signature's lifetime)."""
    stamp = now.timestamp()
    latest = max((m.timestamp() for m in moments if m is not None and m <= now), default=0.0)
    floor = (stamp // window) * window if window > 0 else 0.0
    return math.ceil(max(latest, floor))


def conditional_get_allowed(cookies: Mapping[str, str]) -> bool:
    """Whether a page may carry ``Last-Modified`` (and so be revalidated with
    a 304) for a request with these ``cookies``: only for a reader without
    state of their own (:func:`advice.reader_state.has_own_state`: no
    session, no comment-browser cookie, no "remember me" cookie), whose page
    is everyone's, and while caching is on."""
    return enabled() and not has_own_state(cookies)


def signature_window() -> int:
    """Seconds in a revalidation period: half ``COMMENTS_SIGNATURE_MAX_AGE``
    (a form revalidated as fresh keeps at least that long before it expires),
    at least 60."""
    return max(60, (settings.COMMENTS_SIGNATURE_MAX_AGE or 0) // 2)


# --- The site version --------------------------------------------------------------


@dataclass(frozen=True)
class SiteState:
    """What the lists and related-article fragments depend on: ``count``
    (articles), ``updated`` (latest ``updated_at`` of any article), ``due``
    (latest publish time at or before now of a published article) and
    ``next_publish`` (the earliest scheduled publish still ahead, or None)."""

    count: int = 0
    updated: datetime | None = None
    due: datetime | None = None
    next_publish: datetime | None = None

    @property
    def version(self) -> tuple:
        """A value that changes when any of the above does."""
        return (self.count, self.updated, self.due)

    @property
    def latest_change(self) -> datetime | None:
        """The latest of ``updated`` and ``due``."""
        return max((m for m in (self.updated, self.due) if m is not None), default=None)


def site_state_annotations(now: datetime) -> dict:
    """Scalar subqueries giving the :class:`SiteState` fields, to annotate on
    any Article query (so the article page gets them with its own row, in the
    same query): ``site_count``, ``site_updated``, ``site_due``, ``site_next``."""
    rows = Article.objects.order_by()
    return {
        "site_count": Subquery(
            rows.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values(
                "n"
            )[:1]
        ),
        "site_updated": Subquery(rows.order_by("-updated_at").values("updated_at")[:1]),
        "site_due": Subquery(
            rows.published(now).order_by("-published_at").values("published_at")[:1]
        ),
        "site_next": Subquery(
            rows.scheduled(now).order_by("published_at").values("published_at")[:1]
        ),
    }


def site_state_of(article: Article) -> SiteState | None:
    """The :class:`SiteState` read with ``article`` (annotated with
    :func:`site_state_annotations`), or None when it was not."""
    if not hasattr(article, "site_count"):
        return None
    return SiteState(
        count=article.site_count or 0,
        updated=article.site_updated,
        due=article.site_due,
        next_publish=article.site_next,
    )


def site_state(now: datetime) -> SiteState:
    """The current :class:`SiteState`, in one query."""
    row = Article.objects.order_by().annotate(**site_state_annotations(now))
    values = row.values("site_count", "site_updated", "site_due", "site_next").first()
    if values is None:
        return SiteState()
    return SiteState(
        count=values["site_count"] or 0,
        updated=values["site_updated"],
        due=values["site_due"],
        next_publish=values["site_next"],
    )


# --- Fragments ------------------------------------------------------------------


def cached_fragment(key: str, render: Callable[[], str], timeout: int) -> SafeString:
    """The HTML stored under ``key``, or ``render()`` stored there for
    ``timeout`` seconds. With ``FRAGMENT_CACHE`` off, or when the cache does
    not answer (Redis down or hanging: logged, see :mod:`config.cache`),
    simply ``render()``. ``render`` must return HTML that is the same for
    every reader, and depend on nothing that is not in ``key``: every query
    value it reads is in normal form (:mod:`config.pagequery`)."""
    if not enabled():
        return mark_safe(render())
    return mark_safe(get_or_render(key, render, timeout))


def default_timeout() -> int:
    """``FRAGMENT_CACHE_TIMEOUT`` seconds (default 300)."""
    return int(getattr(settings, "FRAGMENT_CACHE_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


# --- Response headers -------------------------------------------------------------


def mark_no_store(response):
    """Mark ``response`` as never to be stored (a page for one reader only)."""
    add_never_cache_headers(response)
    return response
