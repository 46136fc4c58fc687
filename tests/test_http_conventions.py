"""Every public URL pattern speaks HTTP the way visiting tools expect
(issue 12, items 1, 2 and 6): HEAD answers like GET without a body; a
missing final slash answers 301; OPTIONS answers 200 with ``Allow``; a
method a page does not answer is 405 with ``Allow`` before any CSRF check;
content types and ``Vary`` are exact.

The patterns come from the live URLconf (``get_resolver()``), so a new
pattern without a row in :data:`SAMPLES` (or :data:`OWN_METHOD_HANDLING`)
fails :func:`test_every_public_pattern_has_a_sample`. To add one, add a row
keyed by its URL name: the URL's arguments built from the :class:`World`
objects, the answer expected to GET, and the methods its view declares
(``config.methods.allow_methods``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from advice.comments.cookies import REMEMBER_COOKIE, remember_cookie_value
from advice.comments.notify import confirm_token, unsubscribe_token
from advice.models import Article, Comment, Topic
from config.methods import declared_methods
from notes.models import NoteTemplate

# Left out of the walk, and why: Django's admin keeps its own method
# handling, and static files and uploads are served by WhiteNoise / the
# proxy (the URLconf holds them in development only).
EXCLUDED_PREFIXES = ("admin/", settings.STATIC_URL.lstrip("/"), settings.MEDIA_URL.lstrip("/"))

READ_ONLY = ("GET", "HEAD", "OPTIONS")
FORM = ("GET", "HEAD", "POST", "OPTIONS")
HTML = "text/html; charset=utf-8"
UNSUPPORTED_CANDIDATES = ("POST", "PUT", "DELETE", "PATCH", "PROPFIND", "TRACE")


@dataclass
class World:
    """Real objects every sample URL is built from."""

    topic: Topic
    article: Article
    comments: list[Comment]
    note: NoteTemplate


@pytest.fixture
def world(make_topic, make_article, make_comment) -> World:
    topic = make_topic(name="Interviews", slug="interviews")
    article = make_article(
        title="Thank-you notes",
        slug="thank-you-notes",
        answer="Send one.\n\n{{note:thank-you}}",
        topics=[topic],
        published_at=timezone.now() - timedelta(days=3),
    )
    first = make_comment(article, body="Thanks, this helped.")
    reply = make_comment(article, parent=first, body="Same here.")
    note = NoteTemplate.objects.create(
        title="Thank you", slug="thank-you", body="Dear [name],\n\nThanks.\n\n[your name]"
    )
    return World(topic=topic, article=article, comments=[first, reply], note=note)


@dataclass(frozen=True)
class Sample:
    """A URL of one pattern and what it answers to an anonymous GET."""

    kwargs: Callable[[World], dict] = lambda world: {}
    query: str = ""
    status: int = 200
    content_type: str = HTML
    allow: tuple[str, ...] = READ_ONLY
    # The answer depends on the request's cookies (a form with the CSRF
    # token, the comment cookies, the session): Vary names Cookie.
    varies_on_cookie: bool = False


def _article(world: World) -> dict:
    return {"slug": world.article.slug}


def _comment(world: World) -> dict:
    return {"slug": world.article.slug, "pk": world.comments[-1].pk}


def _confirm_token(world: World) -> dict:
    return {"token": confirm_token("no-such-subscription")}


def _unsubscribe_token(world: World) -> dict:
    return {"token": unsubscribe_token("no-such-subscription")}


def _topic(world: World) -> dict:
    return {"slug": world.topic.slug}


def _note(world: World) -> dict:
    return {"slug": world.note.slug}


def _month(world: World) -> dict:
    published = timezone.localtime(world.article.published_at)
    return {"year": f"{published.year:04d}", "month": f"{published.month:02d}"}


SAMPLES: dict[str, Sample] = {
    # Home: its Last-Modified is given only to readers without a session or
    # comment cookie, so the answer varies by cookie.
    "advice:home": Sample(),  # the same bytes for every reader (advice.page_cache)
    # POST: an embedded note drafter's post-back without JavaScript.
    "advice:article_detail": Sample(kwargs=_article, allow=FORM, varies_on_cookie=True),
    # GET is the address bar after a refused comment: back to the form.
    "advice:comment_post": Sample(kwargs=_article, status=302, allow=FORM),
    # A stable address for a comment: 302 to the comment page holding it now.
    "advice:comment_permalink": Sample(kwargs=_comment, status=302),
    # The writer's edit page: refused (403) to a browser without the comment's token.
    "advice:comment_edit": Sample(kwargs=_comment, status=403, allow=FORM, varies_on_cookie=True),
    # Links in reply-notification e-mails (a token for no subscription).
    "advice:subscription_confirm": Sample(kwargs=_confirm_token, status=404, allow=FORM),
    "advice:subscription_unsubscribe": Sample(kwargs=_unsubscribe_token, allow=FORM),
    "advice:comment_feed": Sample(
        kwargs=_article, content_type="application/rss+xml; charset=utf-8"
    ),
    # The site's newest comments (WordPress's /comments/feed/).
    "advice:site_comment_feed": Sample(content_type="application/rss+xml; charset=utf-8"),
    # A month's articles (WordPress's /<yyyy>/<mm>/ answers 301 here).
    "advice:archive_month": Sample(kwargs=_month),
    "advice:topic_list": Sample(),
    "advice:topic_detail": Sample(kwargs=_topic),
    "advice:topic_feed": Sample(kwargs=_topic, content_type="application/rss+xml; charset=utf-8"),
    "advice:feed": Sample(content_type="application/rss+xml; charset=utf-8"),
    "advice:feed_atom": Sample(content_type="application/atom+xml; charset=utf-8"),
    "advice:search": Sample(query="?q=thanks"),
    "advice:ask": Sample(allow=FORM, varies_on_cookie=True),
    "advice:ask_thanks": Sample(),
    "advice:privacy": Sample(),
    "advice:ask_suggest": Sample(query="?q=thank+you+note", content_type="application/json"),
    "notes:list": Sample(),
    "notes:detail": Sample(kwargs=_note, allow=FORM),
    "notes:reminder": Sample(
        kwargs=_note,
        query="?at=2030-03-04T09:00&tz=Europe/Paris",
        content_type="text/calendar; charset=utf-8",
    ),
    "healthz": Sample(content_type="text/plain"),
    "sitemap": Sample(content_type="application/xml; charset=utf-8"),  # the index
    "sitemap_section": Sample(
        kwargs=lambda world: {"section": "articles"},
        content_type="application/xml; charset=utf-8",
    ),
    "robots_txt": Sample(content_type="text/plain; charset=utf-8"),
}

# Staff-only XHR endpoints of the Markdown editor: they keep Django's own
# method handling (advice/editor.py; tests/advice/test_editor.py), checked
# here only for not regressing.
OWN_METHOD_HANDLING = {"markdownx_markdownify", "markdownx_upload"}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    """(qualified URL name or None, full route, pattern) of every pattern
    under ``patterns``, recursively."""
    for entry in patterns:
        route = prefix + str(entry.pattern).removeprefix("^")  # a re_path's start anchor
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), route, entry


def public_patterns() -> dict[str | None, tuple[str, URLPattern]]:
    """URL name → (route, pattern) of every public pattern (leaving out
    :data:`EXCLUDED_PREFIXES`)."""
    found: dict[str | None, tuple[str, URLPattern]] = {}
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        assert name not in found, f"two public patterns named {name!r}"
        found[name] = (route, pattern)
    return found


def sample_url(name: str, world: World) -> str:
    sample = SAMPLES[name]
    return reverse(name, kwargs=sample.kwargs(world)) + sample.query


def _anonymous() -> Client:
    return Client(enforce_csrf_checks=True)


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def _allow(response) -> set[str]:
    return {part.strip() for part in response["Allow"].split(",")}


# --- Every pattern is walked ------------------------------------------------------


def test_every_public_pattern_has_a_sample():
    patterns = public_patterns()
    assert None not in patterns, f"unnamed public pattern: {patterns.get(None)!r}"
    missing = set(patterns) - set(SAMPLES) - OWN_METHOD_HANDLING
    assert not missing, f"public patterns without a sample in SAMPLES: {sorted(missing)}"
    stale = (set(SAMPLES) | OWN_METHOD_HANDLING) - set(patterns)
    assert not stale, f"samples for patterns that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("name", SAMPLES)
def test_view_declares_its_methods(name):
    """One source of truth per view: the methods it declares (its
    ``allow_methods`` decorator, or the wrapper in the URLconf)."""
    declared = declared_methods(public_patterns()[name][1].callback)
    assert declared is not None, (
        f"{name}: its view declares no methods; decorate it with config.methods.allow_methods"
    )
    assert set(declared) == set(SAMPLES[name].allow)


# --- GET and HEAD (item 1), types (item 6) ------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_get_answers_with_the_exact_type(world, name):
    sample = SAMPLES[name]
    response = _anonymous().get(sample_url(name, world))
    assert response.status_code == sample.status, response.content[:300]
    assert response["Content-Type"] == sample.content_type


@pytest.mark.parametrize("name", SAMPLES)
def test_head_answers_like_get_without_a_body(world, name):
    """Link checkers and monitors ask with HEAD. The view answers it as GET
    (same status and headers); the body is dropped on the way out (by the
    server, and here by Django's test client, as gunicorn does)."""
    url = sample_url(name, world)
    get = _anonymous().get(url)
    head = _anonymous().head(url)
    assert head.status_code == get.status_code
    assert head["Content-Type"] == get["Content-Type"]
    assert head.get("Content-Length") == get.get("Content-Length")
    assert head.get("Location") == get.get("Location")
    assert _vary(head) == _vary(get)
    assert head.content == b""


@pytest.mark.parametrize("name", SAMPLES)
def test_vary_names_cookie_exactly_where_a_cookie_changes_the_answer(world, name):
    """Pages for readers without state are the same bytes for everyone and
    may be kept by a shared cache: they must not vary by cookie. Pages
    that read a cookie (CSRF token, comment cookies, session) must."""
    response = _anonymous().get(sample_url(name, world))
    assert ("cookie" in _vary(response)) is SAMPLES[name].varies_on_cookie


@pytest.mark.parametrize("fragment_cache", [True, False])
def test_article_page_varies_on_cookie_even_with_comments_closed(world, settings, fragment_cache):
    """The held-comment and session cookies change the page whether or not
    the form is shown, and whether or not the page is cached."""
    settings.FRAGMENT_CACHE = fragment_cache
    world.article.comment_status = Article.CommentStatus.CLOSED
    world.article.save()
    response = _anonymous().get(world.article.get_absolute_url())
    assert response.status_code == 200
    assert "cookie" in _vary(response)


def test_remembered_reader_gets_an_article_page_that_varies_on_cookie(world):
    """The "remember me" cookie fills the comment form: the page differs by
    cookie, and says so."""
    client = _anonymous()
    client.cookies[REMEMBER_COOKIE] = remember_cookie_value(
        "Ottilie Remembered", "ottilie@example.com", ""
    )
    response = client.get(world.article.get_absolute_url())
    assert response.status_code == 200
    assert "Ottilie Remembered" in response.content.decode()
    assert "cookie" in _vary(response)


# --- Methods (item 6) -------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_options_answers_200_with_allow_and_no_body(world, name):
    response = _anonymous().options(sample_url(name, world))
    assert response.status_code == 200
    assert _allow(response) == set(SAMPLES[name].allow)
    assert response.content == b""


@pytest.mark.parametrize(
    ("name", "method"),
    [
        (name, method)
        for name, sample in SAMPLES.items()
        for method in UNSUPPORTED_CANDIDATES
        if method not in sample.allow
    ],
)
def test_unsupported_method_is_405_with_allow_before_any_csrf_check(world, name, method):
    sample = SAMPLES[name]
    response = _anonymous().generic(method, sample_url(name, world), data="x=1")
    assert response.status_code == 405, response.content[:300]
    assert _allow(response) == set(sample.allow)


@pytest.mark.parametrize("name", sorted(OWN_METHOD_HANDLING))
def test_editor_endpoints_keep_their_own_method_handling(name, staff_client):
    url = reverse(name)
    anonymous = Client(enforce_csrf_checks=True)
    for method in ("GET", "HEAD", "OPTIONS", "POST", "PUT"):
        assert anonymous.generic(method, url).status_code == 403, method
    refused = staff_client.get(url)
    assert refused.status_code == 405
    assert _allow(refused) == {"POST"}


# --- A missing final slash (item 2) ----------------------------------------------


SLASHED = [name for name, (route, _) in public_patterns().items() if route.endswith("/")]


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("name", [name for name in SLASHED if name in SAMPLES])
def test_missing_final_slash_redirects_301_keeping_the_query(world, name, method):
    path = reverse(name, kwargs=SAMPLES[name].kwargs(world))
    query = SAMPLES[name].query or "?"
    query += ("&" if len(query) > 1 else "") + "utm_source=feed"
    response = getattr(_anonymous(), method)(path.rstrip("/") + query)
    assert response.status_code == 301
    assert response["Location"] == path + query
