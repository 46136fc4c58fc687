"""Layout and weight in a real browser: at a small phone's 320 px and a
phone's 375 px no page scrolls sideways (``scrollWidth`` ≤ the viewport's
width; long words, links, code and tables included) and reading text is at
least 16 px (no zooming needed); replies stay visibly nested; the search
page has one search box; the drafter's date, time and zone line up. Every
page is photographed at 320, 375 and 1280 px into ``ci-output/screenshots/``
where CI keeps them; an article page (HTML + CSS + JS) stays under 60 KB; and
no page asks another host for anything (no fonts, scripts or trackers from
elsewhere), taken from the browser's own request log."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHECKED_PAGES, REPO

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "ci-output" / "screenshots"
SMALL_PHONE = {"width": 320, "height": 640}
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
    for viewport in (SMALL_PHONE, PHONE, DESKTOP):
        page = browser_page_factory(viewport=viewport)
        log = RequestLog(page)
        page.goto(demo_site[name], wait_until="load")
        page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png", full_page=True)
        assert log.hosts() == {own_host}, log.entries
        if viewport is not DESKTOP:
            layout = page.evaluate(LAYOUT_JS, LAYOUT_ARGS)
            assert layout["scrollWidth"] <= layout["innerWidth"] == viewport["width"]
            assert layout["small"] == []


LONG_ANSWER = """Some words do not break: {word}.

A long link: <https://example.com/{path}> and [a named one](https://example.com/{path}).

    a_code_block_line_that_goes_on = "{word}"  # and on and on and on and on and on

```
{word}{word}
```

| Column one | Column two | Column three | Column four | Column five | Column six |
|------------|------------|--------------|-------------|-------------|------------|
| {word} | value | another value | https://example.com/{path} | `inline_code_{word}` | end |
""".format(word="Supercalifragilisticexpialidocious" * 3, path="x" * 150)


@pytest.fixture
def long_article(demo_site, make_article, make_comment):
    """An article with long words, links, code and a table, and a reply
    thread six levels deep."""
    article = make_article(
        title="Supercalifragilisticexpialidocious" * 2, slug="long-words", answer=LONG_ANSWER
    )
    parent = None
    for depth in range(6):
        parent = make_comment(
            article,
            parent=parent,
            author_name=f"Reader{depth}" + "W" * 40,
            body=f"{depth}: https://example.com/{'x' * 120} " + "Supercalifragilistic" * 8,
        )
    return article


def extra_pages(long_article) -> dict[str, str]:
    """Screens beyond :data:`CHECKED_PAGES` that small screens tripped over."""
    from advice.models import Topic

    topic = Topic.objects.filter(articles__isnull=False).first()
    return {
        "article-long": long_article.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "notes": "/notes/",
        "search-empty": "/search/",
    }


def test_small_screens_do_not_scroll_sideways(browser_page_factory, long_article):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in extra_pages(long_article).items():
        for viewport in (SMALL_PHONE, PHONE, DESKTOP):
            page = browser_page_factory(viewport=viewport)
            page.goto(url, wait_until="load")
            page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png", full_page=True)
            layout = page.evaluate(LAYOUT_JS, LAYOUT_ARGS)
            assert layout["scrollWidth"] <= layout["innerWidth"], (name, viewport, layout)


NESTING_JS = """() => [1, 2, 3, 4, 5].map((depth) => {
  const comment = document.querySelector(`.comment.depth-${depth} > article`);
  return comment ? comment.getBoundingClientRect().left : null;
})"""


@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE, DESKTOP], ids=["320", "375", "1280"])
def test_deep_replies_stay_visibly_nested(browser_page_factory, long_article, viewport):
    page = browser_page_factory(viewport=viewport)
    page.goto(long_article.get_absolute_url())
    lefts = page.evaluate(NESTING_JS)
    assert None not in lefts
    steps = [deeper - shallower for shallower, deeper in zip(lefts, lefts[1:], strict=False)]
    assert all(step >= 6 for step in steps), lefts  # each level at least 6 px further in


def test_search_page_has_one_search_box_that_keeps_the_query(browser_page_factory, demo_site):
    page = browser_page_factory(viewport=SMALL_PHONE)
    page.goto("/search/?q=thank+you+note")
    boxes = page.locator("input[type=search]")
    assert boxes.count() == 1
    assert boxes.input_value() == "thank you note"
    page.goto("/")
    assert page.locator("input[type=search]").count() == 1  # the header's, elsewhere


ALIGN_JS = """() => ["input[name=ended_date]", "input[name=ended_time]", "select[name=tz]"]
  .map((selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return [Math.round(box.top), Math.round(box.height)];
  })"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_drafter_date_time_and_zone_line_up(browser_page_factory, demo_site, viewport):
    page = browser_page_factory(viewport=viewport)
    page.goto(demo_site["drafter"])
    (date_top, date_height), (time_top, time_height), (zone_top, zone_height) = page.evaluate(
        ALIGN_JS
    )
    assert date_height == time_height == zone_height
    if viewport is DESKTOP:  # side by side: one line
        assert date_top == time_top == zone_top


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
