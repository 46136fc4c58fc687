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

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
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
