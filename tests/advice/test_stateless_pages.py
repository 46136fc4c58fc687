"""Stateless pages (issue 14, SECURITY.md "Cross-site requests"): a reader
without state of their own (``advice.reader_state.has_own_state``) gets the
same bytes as every other such reader, with no CSRF token and no cookie; a
reader with state gets their own page, and no two readers ever see each
other's name, e-mail, held comment or CSRF token, with the cache on local
memory and on Redis."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.demo import demo_load
from advice.models import Article, Comment, Topic
from notes.demo import notes_demo_load
from tests.advice.comments.posting import post

REDIS_URL = "redis://127.0.0.1:6379/7"
OPEN_ARTICLE = "/articles/how-long-to-wait-before-following-up/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(params=["locmem", "redis"])
def cache_on(request, settings):
    """The cache on (fragments and whole pages), on local memory or on Redis
    (database 7 of the local server, emptied first)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "test-stateless",
            }
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.FRAGMENT_CACHE = True
    from django.core.cache import cache

    cache.clear()
    return request.param


@pytest.fixture
def site(db, settings):
    """The demo content, a form token window long enough that two requests in
    one test never straddle two windows, and the timing rules off (posts at
    test speed)."""
    settings.COMMENTS_SIGNATURE_MAX_AGE = 8 * 365 * 24 * 3600  # windows of a year
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_FLOOD_SECONDS = 0
    demo_load()
    notes_demo_load()


def public_pages() -> list[str]:
    """Every kind of public page, on the demo content."""
    article = Article.objects.get(slug=OPEN_ARTICLE.split("/")[2])
    topic = Topic.objects.filter(articles__isnull=False).first()
    published = article.published_at
    return [
        "/",
        OPEN_ARTICLE,
        "/articles/thank-you-note-after-a-phone-screen/",  # comments closed
        "/topics/",
        topic.get_absolute_url(),
        "/notes/",
        "/notes/thank-you-after-interview/",
        "/ask/",
        "/ask/thanks/",
        "/search/?q=note",
        f"/archive/{published:%Y}/{published:%m}/",
        "/feed/",
        "/feed/atom/",
        "/comments/feed/",
        f"{OPEN_ARTICLE}comments/feed/",
        topic.get_absolute_url() + "feed/",
        "/privacy/",
    ]


def reader(n: int) -> Client:
    """A reader without state, told apart from the others by address,
    browser and language only; CSRF checks enforced, as a browser's are."""
    return Client(
        enforce_csrf_checks=True,
        REMOTE_ADDR=f"203.0.113.{n}",
        HTTP_USER_AGENT=f"Reader browser {n}",
        HTTP_ACCEPT_LANGUAGE=["en", "fr", "de"][n % 3],
    )


def test_stateless_pages_are_the_same_bytes_for_every_reader(site, cache_on):
    for path in public_pages():
        first, second = reader(1).get(path), reader(2).get(path)
        assert first.status_code == 200, path
        assert second.status_code == 200, path
        assert not first.cookies, f"{path} set {list(first.cookies)}"
        assert not second.cookies, path
        assert "Set-Cookie" not in first.headers, path
        assert b"csrfmiddlewaretoken" not in first.content, path
        assert first.content == second.content, path


def test_stateless_pages_never_make_a_csrf_token(site, cache_on):
    """``get_token()`` marks the request when it makes or reads the token;
    no stateless page does, from the cache or rendered."""
    for path in public_pages():
        for _ in range(2):  # rendered, then (where cached) from the cache
            response = reader(3).get(path)
            meta = response.wsgi_request.META
            assert not meta.get("CSRF_COOKIE_NEEDS_UPDATE"), path
            assert "CSRF_COOKIE" not in meta, path


def test_the_comment_and_ask_forms_of_a_stateless_reader_hold_the_shared_token_only(site):
    article, ask = reader(4).get(OPEN_ARTICLE), reader(5).get("/ask/")
    for page in (article, ask):
        html = page.content.decode()
        assert 'name="token"' in html
        assert 'name="open_ms"' in html  # stamped by static/js/form_opened.js
        assert "js/form_opened.js" in html
        assert "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("cookie", [REMEMBER_COOKIE, BROWSER_COOKIE, "sessionid"])
@pytest.mark.parametrize("path", [OPEN_ARTICLE, "/ask/"])
def test_a_reader_with_state_gets_a_token_on_a_page_never_stored(site, cookie, path):
    client = Client(enforce_csrf_checks=True)
    client.cookies[cookie] = "x"
    response = client.get(path)
    assert response.status_code == 200
    assert CSRF_FIELD.search(response.content.decode())
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def _comment(client, name: str, email: str, body: str):
    """Post a comment as a reader without a CSRF token and remember them."""
    article = Article.objects.get(slug=OPEN_ARTICLE.split("/")[2])
    response = post(client, article, name=name, email=email, body=body, remember="on")
    assert response.status_code == 303, response.status_code
    assert "no-store" in response["Cache-Control"]  # it sets cookies
    assert {BROWSER_COOKIE, REMEMBER_COOKIE} <= set(client.cookies)
    assert Comment.objects.get(body=body).status == Comment.Status.PENDING
    return response


@pytest.mark.parametrize("a_first", [True, False])
def test_two_readers_never_see_each_others_name_email_held_comment_or_token(
    site, cache_on, a_first
):
    a, b, nobody = reader(10), reader(11), reader(12)
    nobody.get(OPEN_ARTICLE)  # a stateless copy, cached before anyone posts
    _comment(a, "Ada Held", "ada@example.com", "Ada's words, held.")
    _comment(b, "Bea Held", "bea@example.com", "Bea's words, held.")
    order = [a, b, nobody] if a_first else [nobody, b, a]
    pages = {id(c): c.get(OPEN_ARTICLE).content.decode() for c in order}
    page_a, page_b, page_nobody = pages[id(a)], pages[id(b)], pages[id(nobody)]

    ada = ("Ada Held", "ada@example.com", "Ada&#x27;s words, held.")
    bea = ("Bea Held", "bea@example.com", "Bea&#x27;s words, held.")
    for value in ada:
        assert value in page_a
        assert value not in page_b
        assert value not in page_nobody
    for value in bea:
        assert value in page_b
        assert value not in page_a
        assert value not in page_nobody
    assert "awaiting moderation" in page_a
    assert 'value="ada@example.com"' in page_a  # remembered in the form

    token_a, token_b = CSRF_FIELD.search(page_a)[1], CSRF_FIELD.search(page_b)[1]
    assert token_a not in page_b
    assert token_a not in page_nobody
    assert token_b not in page_a
    assert a.cookies["csrftoken"].value != b.cookies["csrftoken"].value
    assert "csrfmiddlewaretoken" not in page_nobody
    assert "csrftoken" not in nobody.cookies
