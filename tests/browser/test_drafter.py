"""The drafter in a real browser (Debian's Chromium via Playwright): typing
updates the note, unfilled blanks are highlighted, the mailto link follows,
Copy and Email warn about empty required blanks, the time zone comes from the
browser, and the no-JavaScript post-back works. Keystroke-to-preview time is
measured and printed, never asserted."""

from __future__ import annotations

import statistics
from urllib.parse import parse_qs, urlsplit

import pytest

from notes.models import NoteTemplate

pytestmark = pytest.mark.browser

BODY = "Hi, [name]!\n\nThanks for the [role] interview.\n\nBig fan of [show?].\n\n[your name]"


@pytest.fixture
def article_with_drafter(transactional_db, make_article):
    NoteTemplate.objects.create(
        title="Thanks", slug="thanks", subject="Thank you: [role]", body=BODY
    )
    return make_article(answer="Write this:\n\n{{note:thanks}}\n\nGood luck.")


def mailto_parts(href: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(href).query)
    return query["subject"][0], query["body"][0]


def test_typing_updates_preview_highlight_and_mailto(browser_page_factory, article_with_drafter):
    page = browser_page_factory(timezone_id="Europe/Berlin")
    page.goto(article_with_drafter.get_absolute_url())
    drafter = page.locator("#drafter-thanks")
    preview = drafter.locator("[data-preview]")
    copy = drafter.locator("[data-copy]")
    copy.wait_for(state="visible")  # JavaScript has taken over

    assert preview.locator("mark.blank-empty").all_inner_texts() == [
        "[name]",
        "[role]",
        "[your name]",
    ]
    assert "Big fan" not in preview.inner_text()
    assert drafter.locator("select[name=tz]").input_value() == "Europe/Berlin"

    # Copy and Email warn while required blanks are empty.
    copy.click()
    warning = drafter.locator("[data-warning]")
    assert "Still blank: Name, Role, Your name" in warning.inner_text()
    drafter.locator("[data-mailto]").click()
    assert "press Email again" in warning.inner_text()
    assert page.url.endswith(article_with_drafter.get_absolute_url())

    drafter.locator("input[data-blank='name']").fill("Dana {{ x }}")
    assert preview.locator("span.blank-filled").all_inner_texts() == ["Dana {{ x }}"]
    assert preview.locator("mark.blank-empty").all_inner_texts() == ["[role]", "[your name]"]
    assert warning.is_hidden()

    drafter.locator("input[data-blank='role']").fill("writers’ PA & co")
    drafter.locator("input[data-blank='show']").fill("Night Shift")
    drafter.locator("input[data-blank='your name']").fill("Bianca")
    assert preview.locator("mark.blank-empty").count() == 0
    expected = (
        "Hi, Dana {{ x }}!\n\nThanks for the writers’ PA & co interview.\n\n"
        "Big fan of Night Shift.\n\nBianca"
    )
    assert preview.inner_text() == expected
    assert drafter.locator("textarea[data-plain]").input_value() == expected
    subject, body = mailto_parts(drafter.locator("[data-mailto]").get_attribute("href"))
    assert subject == "Thank you: writers’ PA & co"
    assert body == expected.replace("\n", "\r\n")

    # Emptying the optional blank drops its line again.
    drafter.locator("input[data-blank='show']").fill("")
    assert "Big fan" not in preview.inner_text()


def test_keystroke_to_preview_time_is_measured(browser_page_factory, article_with_drafter):
    page = browser_page_factory()
    page.goto(article_with_drafter.get_absolute_url())
    page.locator("[data-copy]").wait_for(state="visible")
    page.evaluate(
        """() => {
          window.__lags = [];
          let typedAt = 0;
          const input = document.querySelector("input[data-blank='name']");
          input.addEventListener("keydown", () => { typedAt = performance.now(); }, true);
          new MutationObserver(() => {
            if (typedAt) { window.__lags.push(performance.now() - typedAt); typedAt = 0; }
          }).observe(document.querySelector("[data-preview]"), {childList: true, subtree: true});
        }"""
    )
    page.locator("input[data-blank='name']").press_sequentially("Alexandra Robinson", delay=15)
    lags = page.evaluate("window.__lags")
    synthetic = page.evaluate(
        """() => {
          const input = document.querySelector("input[data-blank='role']");
          const times = [];
          for (let i = 0; i < 50; i++) {
            const start = performance.now();
            input.value += "x";
            input.dispatchEvent(new Event("input", {bubbles: true}));
            times.push(performance.now() - start);
          }
          return times;
        }"""
    )
    assert len(lags) == len("Alexandra Robinson")
    print(
        f"\nkeystroke-to-preview (keydown -> preview mutation, {len(lags)} keys): "
        f"median {statistics.median(lags):.2f} ms, max {max(lags):.2f} ms"
        f"\ninput-event-to-preview (50 dispatches): median {statistics.median(synthetic):.3f} ms,"
        f" max {max(synthetic):.3f} ms"
    )


def test_remembered_answers_come_back_only_when_opted_in(
    browser_page_factory, article_with_drafter
):
    page = browser_page_factory()
    url = article_with_drafter.get_absolute_url()
    page.goto(url)
    name = page.locator("input[data-blank='name']")
    name.fill("Not kept")
    page.reload()
    assert name.input_value() == ""
    page.locator("[data-remember]").check()
    name.fill("Kept")
    page.reload()
    assert name.input_value() == "Kept"
    assert page.locator("[data-remember]").is_checked()
    page.locator("[data-remember]").uncheck()
    page.reload()
    assert name.input_value() == ""


def test_without_javascript_the_article_answers_with_the_filled_note(
    browser_page_factory, article_with_drafter
):
    """The embedded drafter posts back to the article's own address, which
    answers with the article, the filled note and the send time in place,
    ``no-store``."""
    url = article_with_drafter.get_absolute_url()
    page = browser_page_factory(java_script_enabled=False)
    page.goto(url)
    assert page.locator("[data-copy]").is_hidden()
    page.locator("input[data-blank='name']").fill("Dana")
    page.locator("input[name=ended_date]").fill("2099-03-06")  # a Friday
    page.locator("input[name=ended_time]").fill("16:30")
    page.locator("select[name=tz]").select_option("America/New_York")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Show my note and when to send it").click()
    assert posted.value.status == 200
    assert "no-store" in posted.value.headers["cache-control"]
    assert page.url.endswith(url + "#drafter-thanks")
    assert page.locator("h1").inner_text() == article_with_drafter.title
    assert page.locator("textarea[data-plain]").input_value().startswith("Hi, Dana!")
    send = page.locator(".drafter-send").inner_text()
    assert "Monday 9 March 2099 at 09:00 (America/New_York)" in send
    # Nothing kept: the article's address read again shows the empty drafter.
    page.goto(url)
    assert page.locator("input[data-blank='name']").input_value() == ""


def test_standalone_drafter_keeps_its_own_post_back(browser_page_factory, article_with_drafter):
    page = browser_page_factory(java_script_enabled=False)
    page.goto("/notes/thanks/")
    page.locator("input[data-blank='name']").fill("Dana")
    page.get_by_role("button", name="Show my note and when to send it").click()
    assert urlsplit(page.url).path == "/notes/thanks/"
    assert page.locator("textarea[data-plain]").input_value().startswith("Hi, Dana!")
    assert "give the day the interview ended" in page.locator("[data-send]").inner_text()


def test_send_time_follows_the_reader_as_they_type(browser_page_factory, article_with_drafter):
    page = browser_page_factory(timezone_id="America/New_York")
    page.goto(article_with_drafter.get_absolute_url())
    page.locator("[data-copy]").wait_for(state="visible")
    send = page.locator("#drafter-thanks [data-send]")
    assert send.inner_text() == (
        "No send time yet: give the day the interview ended and the time it ended."
    )
    page.locator("input[name=ended_date]").fill("2099-03-06")
    assert send.inner_text() == "No send time yet: give the time the interview ended, too."
    page.locator("input[name=ended_time]").fill("16:30")
    assert "Send it on Monday 9 March 2099 at 09:00 (America/New_York)." in send.inner_text()
    assert "ended late in the day" in send.inner_text()
    link = send.get_by_role("link", name="Add a reminder to your calendar (.ics)")
    query = parse_qs(urlsplit(link.get_attribute("href")).query)
    assert query == {"at": ["2099-03-09T09:00"], "tz": ["America/New_York"]}
    page.locator("input[name=ended_time]").fill("11:00")
    assert "Friday 6 March 2099 at 17:00" in send.inner_text()
    page.locator("select[name=tz]").select_option("Asia/Tokyo")
    assert "(Asia/Tokyo)" in send.inner_text()
    # An interview long past: the page says so.
    page.locator("input[name=ended_date]").fill("2020-03-06")
    assert "days ago — send it today." in send.inner_text()
    assert send.get_by_role("link").count() == 0
