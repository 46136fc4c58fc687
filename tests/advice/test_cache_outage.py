"""A cache that fails means slower pages, never errors (config.cache): with
Redis refusing connections, or accepting them and never answering, every
public page answers 200 and a comment is still stored."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from advice.models import Comment
from config import cache as cache_policy
from notes.models import NoteTemplate
from tests.advice.comments.posting import post


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_redis():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture(params=["refused", "silent"])
def broken_cache(request, settings):
    """CACHES pointed at a Redis that refuses connections, or one that never
    answers; the production options (timeouts, no retries) kept."""
    if request.param == "refused":
        url = f"redis://127.0.0.1:{_free_port()}/0"
    else:
        url = request.getfixturevalue("silent_redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": 0.3,
                "socket_timeout": 0.3,
                "retry_on_timeout": False,
            },
        }
    }
    settings.FRAGMENT_CACHE = True
    cache_policy.reset()
    yield request.param
    cache_policy.reset()


@pytest.fixture
def site(make_article, make_topic, make_comment, db):
    note = NoteTemplate.objects.create(
        title="Thanks after the interview",
        slug="thanks-outage",
        subject="Thanks",
        body="Hi, [name]!\n\nThanks for the [role] interview.\n\n[your name]",
    )
    topic = make_topic()
    article = make_article(
        answer="Write this.\n\n{{note:thanks-outage}}\n\nThen wait.", topics=[topic]
    )
    make_comment(article, body="An approved comment.")
    return article, topic, note


def _pages(article, topic, note):
    return ["/", article.get_absolute_url(), topic.get_absolute_url(), f"/notes/{note.slug}/"]


def test_every_page_answers_while_the_cache_is_broken(client, broken_cache, site):
    article, topic, note = site
    for _round in range(2):  # the second round: the cache is resting (no wait)
        for url in _pages(article, topic, note):
            response = client.get(url)
            assert response.status_code == 200, (broken_cache, url, response.status_code)
            # After the first failure the cache is left alone, so a hanging
            # Redis costs one socket timeout per rest period, not one per call.
            assert not cache_policy.cache_available(), (broken_cache, url)
    page = response.content.decode()
    assert 'id="drafter-thanks-outage"' in client.get(article.get_absolute_url()).content.decode()
    assert "An approved comment." in client.get(article.get_absolute_url()).content.decode()
    assert page


class _FailingCache:
    def __init__(self):
        self.calls = 0

    def get(self, key):
        self.calls += 1
        raise ConnectionError("Redis is down")

    def set(self, key, value, timeout):
        self.calls += 1
        raise TimeoutError("Redis never answered")


def test_a_failing_cache_is_a_miss_then_rests_then_is_asked_again(monkeypatch, settings, caplog):
    failing = _FailingCache()
    monkeypatch.setattr(cache_policy, "cache", failing)
    settings.CACHE_RETRY_AFTER = 0.2
    cache_policy.reset()
    try:
        assert cache_policy.get_or_render("k", lambda: "rendered", 10) == "rendered"
        assert failing.calls == 1  # the set is not tried while the cache rests
        assert "cache unavailable" in caplog.text
        assert cache_policy.cache_get("k") is None
        assert cache_policy.cache_set("k", "v", 1) is False
        assert failing.calls == 1
        time.sleep(0.25)
        assert cache_policy.cache_get("k") is None
        assert failing.calls == 2
    finally:
        cache_policy.reset()


def test_a_comment_is_stored_while_the_cache_is_broken(client, broken_cache, site, settings):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    article, _topic, _note = site
    response = post(client, article, body="Posted while the cache is down.")
    assert response.status_code == 303, response.status_code
    stored = Comment.objects.get(body="Posted while the cache is down.")
    assert stored.status == Comment.Status.APPROVED
    page = client.get(response["Location"].split("#")[0])
    assert page.status_code == 200
    assert "Posted while the cache is down." in page.content.decode()


def test_the_drafter_tag_goes_through_the_cache_policy():
    """notes_tags never calls the cache directly (it would fail with it)."""
    from pathlib import Path

    import notes.templatetags.notes_tags as tags

    source = Path(tags.__file__).read_text()
    assert "cache.get(" not in source
    assert "cache.set(" not in source
    assert "from django.core.cache" not in source
