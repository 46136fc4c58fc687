"""Browser fixtures: Debian's Chromium driven by Playwright against
pytest-django's live server.

The ``browser`` and ``browser_page_factory`` fixtures live in
``tests/conftest.py`` so that the browser tests and the hostile-input tests
share one Chromium (one Playwright per session).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advice.demo import demo_load
from notes.demo import notes_demo_load

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"


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
