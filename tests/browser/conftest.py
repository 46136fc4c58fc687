"""Browser fixtures: Debian's Chromium driven by Playwright against
pytest-django's live server.

Chromium is the system one (``/usr/bin/chromium``, installed by ``make
test``); Playwright's own browser download is never used. Outside CI a
missing Chromium skips the browser tests; in CI (``CI`` set) it fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advice.demo import demo_load
from notes.demo import notes_demo_load

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"

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


def required_tool(path: Path, install_hint: str) -> Path:
    """``path`` when it exists. Missing: a failure in CI (``CI`` set), where
    ``make test`` must have installed it, and a skip elsewhere."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI; {install_hint}")
        pytest.skip(f"{path} not installed ({install_hint})")
    return path


# The pages every reader-facing check (axe, the Nu HTML checker, phones,
# screenshots) runs on, by name: paths on the demo content.
CHECKED_PAGES = {
    "home": "/",
    "article-open": "/articles/how-long-to-wait-before-following-up/",
    "article-closed": "/articles/thank-you-note-after-a-phone-screen/",
    "drafter": "/notes/thank-you-after-interview/",
    "ask": "/ask/",
    "search": "/search/?q=note",
    "topics": "/topics/",
    "not-found": "/no-such-page/",
}


@pytest.fixture
def demo_site(db):
    """The demo content (``manage.py load_demo``): three articles (one with
    comments closed, two open, two embedding a note template), topics and
    comments. Returns :data:`CHECKED_PAGES`."""
    demo_load()
    notes_demo_load()
    return CHECKED_PAGES


@pytest.fixture
def timing_rules_off(settings):
    """Comment and question timing rules (signature age, flood interval) off,
    so a browser may post at test speed. The live server runs in this
    process, so the override reaches it."""
    settings.COMMENTS_TIMING_RULES = False
