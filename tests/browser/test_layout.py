"""Layout and weight in a real browser: at a phone's 375 px no page scrolls
sideways and reading text is at least 16 px (no zooming needed); every page
is photographed at 375 px and 1280 px into ``ci-output/screenshots/`` where
CI keeps them; an article page (HTML + CSS + JS) stays under 60 KB; and no
page asks another host for anything (no fonts, scripts or trackers from
elsewhere), taken from the browser's own request log."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHECKED_PAGES, REPO

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "ci-output" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ARTICLE_BUDGET = 60 * 1024  # bytes, uncompressed: HTML + CSS + JS
MIN_TEXT_PX = 16.0

# Text a reader reads at length, and the fields they type into (below 16 px
# a phone zooms in on focus). Bylines, dates, share links and help text
# (SMALL_PRINT) may be smaller.
READING_TEXT = (
    "body, main p, main li, .answer, .question-body, .comment-body, .drafter-preview, "
    "input:not([type=hidden]):not([type=checkbox]), textarea, select, button"
)
SMALL_PRINT = ".meta, .comment-meta, .share, .topics, .helptext, .badge, .site-footer"

LAYOUT_JS = """([selector, smallPrint, minimum]) => {
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || el.closest(smallPrint)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minimum) small.push(`${el.tagName}.${el.className}: ${size}px`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    small: small,
  };
}"""
LAYOUT_ARGS = [READING_TEXT, SMALL_PRINT, MIN_TEXT_PX]


class RequestLog:
    """Every response a page received: URL, resource type, body size (bytes)."""

    def __init__(self, page):
        self.entries: list[tuple[str, str, int]] = []
        page.on("requestfinished", self._finished)

    def _finished(self, request):
        response = request.response()
        size = len(response.body()) if response and response.status < 300 else 0
        self.entries.append((request.url, request.resource_type, size))

    def hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url, _, _ in self.entries}


@pytest.mark.parametrize("name", list(CHECKED_PAGES))
def test_page_fits_a_phone_and_is_photographed(name, demo_site, browser_page_factory, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    own_host = urlsplit(live_server.url).netloc
    for viewport in (PHONE, DESKTOP):
        page = browser_page_factory(viewport=viewport)
        log = RequestLog(page)
        page.goto(demo_site[name], wait_until="load")
        page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png", full_page=True)
        assert log.hosts() == {own_host}, log.entries
        if viewport is PHONE:
            layout = page.evaluate(LAYOUT_JS, LAYOUT_ARGS)
            assert layout["scrollWidth"] <= layout["innerWidth"] == PHONE["width"]
            assert layout["small"] == []


def test_long_words_and_deep_replies_do_not_scroll_a_phone_sideways(
    demo_site, browser_page_factory, make_comment
):
    """Reader-written text without spaces and the deepest reply nesting."""
    from advice.models import Article

    article = Article.objects.get(slug="how-long-to-wait-before-following-up")
    parent = None
    for depth in range(6):
        parent = make_comment(
            article,
            parent=parent,
            author_name="W" * 60,
            body=f"{depth}: https://example.com/{'x' * 120} " + "Supercalifragilistic" * 8,
        )
    page = browser_page_factory(viewport=PHONE)
    page.goto(demo_site["article-open"])
    assert page.locator(".comment.depth-5").count() >= 1
    layout = page.evaluate(LAYOUT_JS, LAYOUT_ARGS)
    assert layout["scrollWidth"] <= layout["innerWidth"]


def test_article_page_weight_is_under_budget(demo_site, browser_page_factory, live_server):
    page = browser_page_factory()
    log = RequestLog(page)
    page.goto(demo_site["article-open"], wait_until="load")
    page.locator("[data-copy]").wait_for(state="visible")  # the drafter's script ran
    assert log.hosts() == {urlsplit(live_server.url).netloc}
    by_type: dict[str, int] = {}
    for _, kind, size in log.entries:
        by_type[kind] = by_type.get(kind, 0) + size
    assert {"document", "stylesheet", "script"} <= set(by_type)
    weight = by_type["document"] + by_type["stylesheet"] + by_type["script"]
    print(f"\narticle page weight: {weight} bytes uncompressed {by_type}")
    assert weight < ARTICLE_BUDGET
