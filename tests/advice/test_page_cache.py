"""The whole-page cache (advice.page_cache): a hit is one cache lookup and
one query, readers without state share bytes, a reader with state never
reads or writes them, and the right pages and headers are stored."""

from __future__ import annotations

import html
import os
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from advice import page_cache
from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.models import Comment
from advice.site_version import SiteVersion
from config import cache as cache_policy
from tests.advice.comments.posting import post
from tests.advice.test_cache_outage import broken_cache, silent_redis  # noqa: F401 (fixtures)

REDIS_URL = os.environ.get("PAGE_CACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


class CountingCache(LocMemCache):
    """Local memory that counts the page cache's reads and writes and keeps
    each write's timeout (a real cache: no stand-in for our code)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gets = 0
        self.sets: list[tuple[str, float | None]] = []

    def get(self, key, default=None, version=None):
        self.gets += 1
        return super().get(key, default, version)

    def set(self, key, value, timeout=300, version=None):
        self.sets.append((key, timeout))
        return super().set(key, value, timeout, version)


@pytest.fixture
def counting(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.advice.test_page_cache.CountingCache",
            "LOCATION": "page-cache-counting",
        }
    }
    cache = caches["default"]
    cache.clear()
    cache_policy.reset()
    return cache


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The two caches the site runs on: local memory and Redis (its own DB
    number, ``PAGE_CACHE_TEST_REDIS_URL``)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"page-cache-test-{os.getpid()}",
            }
        }
    caches["default"].clear()
    cache_policy.reset()
    yield request.param
    caches["default"].clear()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _backdate_version():
    """The site version last moved an hour ago, so a change now is a later
    second (HTTP dates count whole seconds)."""
    SiteVersion.objects.update(changed_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def article(make_article, make_topic, make_comment):
    topic = make_topic(name="Interviews")
    article = make_article(
        title="Thanks after an interview",
        topics=[topic],
        comments_close_at=timezone.now() + timedelta(days=30),
    )
    make_comment(article, body="An approved comment.")
    return article


# --- a hit ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "article", "topic", "feed"])
def test_a_hit_is_one_cache_lookup_and_one_query(counting, article, page):
    url = {
        "home": "/",
        "article": article.get_absolute_url(),
        "topic": article.topics.get().get_absolute_url(),
        "feed": "/feed/",
    }[page]
    first = Client().get(url)
    assert first.status_code == 200
    assert any(key.startswith("frag:page:") for key, _ in counting.sets)
    counting.gets, counting.sets = 0, []
    with CaptureQueriesContext(connection) as queries:
        hit = Client().get(url)
    assert hit.status_code == 200
    assert counting.gets == 1
    assert counting.sets == []
    assert len(queries.captured_queries) == 1, queries.captured_queries
    assert hit.content == first.content


def test_two_readers_without_state_get_the_same_bytes_and_headers(counting, article):
    url = article.get_absolute_url()
    miss, hit = Client().get(url), Client().get(url)
    assert miss.content == hit.content
    assert "csrfmiddlewaretoken" not in miss.content.decode()
    for name in (
        "Content-Type",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Cache-Control",
        "Last-Modified",
        "ETag",
        "Vary",
    ):
        assert miss.get(name) == hit.get(name), name
    assert hit["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert "Cookie" in hit["Vary"]  # the article page reads the comment cookies
    assert "nonce-" not in hit["Content-Security-Policy"]
    assert "Set-Cookie" not in hit
    assert not hit.cookies


def test_front_cache_seconds_is_the_s_maxage(counting, article, settings):
    settings.FRONT_CACHE_SECONDS = 45
    assert Client().get("/")["Cache-Control"] == "public, max-age=0, s-maxage=45"


def test_head_and_get_share_an_entry(counting, article):
    url = article.get_absolute_url()
    assert Client().head(url).status_code == 200
    stored = len(counting.sets)
    got = Client().get(url)
    assert len(counting.sets) == stored  # answered from the HEAD's entry
    assert "Thanks after an interview" in _text(got)


# --- what is never stored ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["?utm_source=x", "?cpage=1", "?cpage=02", "?page=2", "?x"])
def test_other_query_strings_go_to_the_view_uncached(counting, article, query):
    response = Client().get(article.get_absolute_url() + query)
    assert response.status_code in (200, 301)
    assert all(":page:" not in key for key, _ in counting.sets)
    if response.status_code == 200:
        assert "public" not in response["Cache-Control"]


def test_cache_query_keeps_only_the_page_parameters_in_normal_form():
    params = ("cpage", "replytocom")
    assert page_cache.cache_query(QueryDict(""), params) == ""
    assert page_cache.cache_query(QueryDict("replytocom=7&cpage=2"), params) == (
        "cpage=2&replytocom=7"
    )
    for raw in ("cpage=1", "cpage=02", "cpage=2&cpage=3", "replytocom=07", "page=2", "q=x"):
        assert page_cache.cache_query(QueryDict(raw), params) is None, raw


def test_a_post_answer_is_never_stored(counting, article, settings):
    settings.COMMENTS_TIMING_RULES = False
    response = post(Client(), article, body="A comment posted.")
    assert response.status_code == 303
    note_post = Client().post("/notes/no-such-note/", {"x": "1"})
    assert note_post.status_code == 404
    assert all(":page:" not in key for key, _ in counting.sets)


@pytest.mark.parametrize("cookie", ["sessionid", BROWSER_COOKIE, REMEMBER_COOKIE])
def test_a_reader_with_state_neither_reads_nor_fills_the_cache(counting, article, cookie):
    reader = Client()
    reader.cookies[cookie] = "anything"
    page = reader.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "Last-Modified" not in page
    assert "ETag" not in page
    assert all(":page:" not in key for key, _ in counting.sets)


def test_the_entry_ends_at_the_automatic_close_time(counting, make_article):
    closes = timezone.now() + timedelta(seconds=90)
    article = make_article(comments_close_at=closes)
    Client().get(article.get_absolute_url())
    [(key, timeout)] = [(k, t) for k, t in counting.sets if ":page:" in k]
    assert 1 <= timeout <= 90


# --- readers never see each other's state, in both orders, on both caches -----------------


@pytest.mark.parametrize("writer_first", [True, False])
def test_no_reader_gets_another_readers_name_or_held_comment(
    any_cache, article, settings, writer_first
):
    settings.COMMENTS_TIMING_RULES = False
    url = article.get_absolute_url()
    writer, other = Client(), Client()
    Client().get(url)  # an entry exists before the writer posts
    response = post(
        writer, article, name="Zelda Held", body="My private held words.", remember="on"
    )
    assert response.status_code == 303
    assert Comment.objects.get(body="My private held words.").status == Comment.Status.PENDING
    assert {BROWSER_COOKIE, REMEMBER_COOKIE} <= set(writer.cookies)

    order = [writer, other] if writer_first else [other, writer]
    pages = {id(c): [c.get(url), c.get(url)] for c in order}
    for mine in pages[id(writer)]:
        assert "My private held words." in _text(mine)
        assert 'value="Zelda Held"' in _text(mine)
        assert "no-store" in mine["Cache-Control"]
    for theirs in [*pages[id(other)], Client().get(url)]:
        assert "My private held words." not in _text(theirs)
        assert "Zelda Held" not in _text(theirs)
        assert "csrfmiddlewaretoken" not in theirs.content.decode()
        assert "public" in theirs["Cache-Control"]


# --- conditional GET ---------------------------------------------------------------------


def test_revalidating_the_list_after_an_admin_delete_gets_the_new_list(
    counting, make_article, staff_client
):
    reader = Client()
    kept = make_article(title="Kept answer")
    doomed = make_article(title="Doomed answer")
    _backdate_version()
    first = reader.get("/")
    assert "Doomed answer" in _text(first)
    stamp, etag = first["Last-Modified"], first["ETag"]
    assert reader.get("/", headers={"if-modified-since": stamp}).status_code == 304
    assert reader.get("/", headers={"if-none-match": etag}).status_code == 304

    response = staff_client.post(f"/admin/advice/article/{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    for headers in ({"if-modified-since": stamp}, {"if-none-match": etag}):
        again = reader.get("/", headers=headers)
        assert again.status_code == 200, headers
        assert "Doomed answer" not in _text(again)
        assert kept.title in _text(again)


def test_a_hit_answers_304_to_its_own_validators(counting, article):
    _backdate_version()
    url = article.get_absolute_url()
    first = Client().get(url)
    hit = Client().get(url, headers={"if-none-match": first["ETag"]})
    assert hit.status_code == 304
    assert hit.content == b""


# --- a cache outage is no outage ---------------------------------------------------------


@pytest.mark.usefixtures("broken_cache")
def test_pages_answer_and_comments_are_stored_while_the_cache_is_broken(article, settings):
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_HOLD_FIRST_TIME = False
    url = article.get_absolute_url()
    pages = [Client().get(url) for _ in range(2)]
    assert [p.status_code for p in pages] == [200, 200]
    assert not cache_policy.cache_available()
    response = post(Client(), article, body="Posted while the cache is broken.")
    assert response.status_code == 303
    assert Comment.objects.filter(body="Posted while the cache is broken.").exists()
    assert "Posted while the cache is broken." in _text(Client().get(url))


# --- found by trying to break it ----------------------------------------------------------


def test_a_port_in_host_makes_no_new_entry(counting, article):
    # ALLOWED_HOSTS ignores the port and the page is the same on each, so
    # ``Host: 127.0.0.1:1``, ``:2``... must not each fill the cache.
    url = article.get_absolute_url()
    Client().get(url, HTTP_HOST="localhost:8000")
    stored = len(counting.sets)
    for host in ("localhost:1", "LOCALHOST:2", "localhost.", "localhost"):
        assert Client().get(url, HTTP_HOST=host).status_code == 200
    assert len(counting.sets) == stored


def test_made_up_reply_ids_fill_no_entries(counting, article):
    url = article.get_absolute_url()
    for made_up in range(100001, 100021):
        assert Client().get(f"{url}?replytocom={made_up}").status_code == 302
    assert counting.sets == []


@pytest.mark.parametrize("csrf_cookie", ["bad", ""])
def test_a_renewed_csrf_cookie_never_leaves_with_a_public_page(counting, article, csrf_cookie):
    # A malformed CSRF cookie makes Django set a new one on the way out of a
    # rendered page: that answer is this reader's alone and is not stored.
    # From the cache the page is answered before the CSRF check runs: the
    # shared page, setting no cookie.
    url = article.get_absolute_url()
    reader = Client()
    reader.cookies["csrftoken"] = csrf_cookie
    rendered = reader.get(url)
    assert "csrftoken" in rendered.cookies
    assert "public" not in rendered["Cache-Control"]
    assert "no-store" in rendered["Cache-Control"]
    assert all(":page:" not in key for key, _ in counting.sets)

    shared = Client().get(url)  # stored
    reader.cookies["csrftoken"] = csrf_cookie
    hit = reader.get(url)
    assert hit.content == shared.content
    assert not hit.cookies
    assert "public" in hit["Cache-Control"]


def test_last_modified_is_sent_once_its_second_has_ended(rf):
    # An entry stored within the second of a change keeps that second as its
    # Last-Modified and sends it on the hits after the second has ended.
    now = timezone.now().replace(microsecond=500_000)
    second = int(now.timestamp()) + 1  # the change's second, rounded up
    etag = 'W/"x"'
    within = page_cache._shared(rf.get("/"), HttpResponse("page"), second, etag, now)
    assert "Last-Modified" not in within
    assert within["ETag"] == etag
    later = now + timedelta(seconds=1)
    hit = page_cache._shared(rf.get("/"), HttpResponse("page"), second, etag, later)
    assert hit["Last-Modified"] == http_date(second)


@pytest.mark.django_db(transaction=True)
def test_a_missing_page_is_rendered_once_per_process_while_its_readers_wait(counting, article):
    # Four readers ask for a page no entry holds (after a change, say) at
    # once: one thread renders it, the others wait for its entry instead of
    # each rendering the same page. The render is slowed so they overlap.
    from django.test.signals import template_rendered

    url = article.get_absolute_url()
    renders = []

    def rendered(sender, template, **kwargs):
        if template.name == "advice/article_detail.html":
            renders.append(template.name)
            time.sleep(0.3)

    start = threading.Barrier(4)
    pages: list[bytes] = []

    def reader():
        try:
            start.wait()
            pages.append(Client().get(url).content)
        finally:
            connection.close()

    template_rendered.connect(rendered)
    try:
        threads = [threading.Thread(target=reader) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        template_rendered.disconnect(rendered)
    assert len(pages) == 4
    assert len(set(pages)) == 1
    assert renders == ["advice/article_detail.html"]


@pytest.mark.parametrize("failure", ["OperationalError", "InterfaceError"])
def test_a_database_failing_on_a_hit_is_the_friendly_503_never_a_500(
    counting, article, failure, monkeypatch
):
    # The version read fails in the middleware: the request goes on to the
    # view, which meets the database too and answers as it does (503).
    from django import db

    url = article.get_absolute_url()
    Client().get(url)  # stored

    def failing(*args):
        raise getattr(db, failure)("connection already closed")

    monkeypatch.setattr(page_cache, "site_version_read", failing)
    monkeypatch.setattr("advice.pages.Article.objects.visible_to", failing)
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 503


def test_a_waiter_takes_an_entry_only_between_its_arrival_and_now():
    # A reader who waited for another thread's render takes its entry when
    # it holds every change made before the reader came and none beyond the
    # version now (after a restored backup the counter is lower).
    due = timezone.now()
    later = due + timedelta(minutes=1)
    assert page_cache._between((5, due), (5, due), (5, due))
    assert page_cache._between((5, due), (6, due), (7, due))  # written on meanwhile
    assert page_cache._between((5, None), (5, due), (5, due))  # an article came due
    assert not page_cache._between((6, due), (5, due), (6, due))  # older than the arrival
    assert not page_cache._between((5, later), (5, due), (5, later))
    assert not page_cache._between((2, due), (9, due), (3, due))  # beyond now: a restore
    assert not page_cache._between((5, due), None, (5, due))  # an entry of another shape
    assert not page_cache._between((5, due), ("x", due), (5, due))
