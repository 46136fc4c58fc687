"""Shared fixtures: small factories over the real database."""

from __future__ import annotations

import itertools
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from advice.models import Article, Comment, Topic

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

_counter = itertools.count(1)


def corpus_path(*parts: str) -> Path:
    """A file of ``../shared/corpus``. Outside CI a missing corpus skips the
    test; in CI (``CI`` set) it fails, as the corpus must be there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus file missing in CI: {path}")
        pytest.skip(f"corpus not present: {path}")
    return path


def pytest_collection_modifyitems(items):
    """Browser tests (Chromium) take seconds each: they count as ``slow``, so
    ``make test-fast`` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so cached fragments (advice.caching)
    never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Queued tasks (mail, daily jobs) run at once in the test's process
    (django-tasks' ImmediateBackend), so a test sees its mail in
    ``mail.outbox`` after the commit. The queue's own tests
    (tests/advice/test_mail_queue.py, test_tasks.py) put back the database
    backend and run a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def make_topic(db):
    def make(**fields) -> Topic:
        n = next(_counter)
        fields.setdefault("name", f"Topic {n}")
        fields.setdefault("slug", f"topic-{n}")
        return Topic.objects.create(**fields)

    return make


@pytest.fixture
def make_article(db):
    def make(**fields) -> Article:
        n = next(_counter)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("asker", "Reader")
        fields.setdefault("question", f"Question number {n}?")
        fields.setdefault("answer", f"Answer number {n}.")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(days=1))
        topics = fields.pop("topics", [])
        article = Article.objects.create(**fields)
        if topics:
            article.topics.set(topics)
        return article

    return make


@pytest.fixture
def make_comment(db):
    def make(article: Article, **fields) -> Comment:
        n = next(_counter)
        fields.setdefault("author_name", f"Reader {n}")
        fields.setdefault("author_email", f"reader{n}@example.com")
        fields.setdefault("body", f"Comment number {n}.")
        fields.setdefault("status", Comment.Status.APPROVED)
        return Comment.objects.create(article=article, **fields)

    return make


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="editor", password="pw-editor-123", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    client.user = user
    return client


# --- Browser: Debian's Chromium driven by Playwright ------------------------
# Chromium is the system one (``/usr/bin/chromium``, installed by ``make
# test``); Playwright's own browser download is never used. Outside CI a
# missing Chromium skips the browser tests; in CI (``CI`` set) it fails them.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A Chromium browser for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI; `make test` installs it (apt chromium).")
        pytest.skip(f"{CHROMIUM} not installed (run `make browser-deps`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are synchronous and safe, so Django's guard is lifted
    # for the browser session only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()


@pytest.fixture
def browser_page_factory(browser, live_server):
    """Make pages on the live server: ``new_page(**context_options)``."""
    contexts = []

    def new_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()
