"""A refused comment, question or note lands at its form (issue 15, item 1):
the page opens at the form, the message at the top of the form in the
viewport, the focus on the field at fault, the reader's text kept. Checked in
Chromium with JavaScript (the page scripts hand the focus over where the
browser skips ``autofocus`` at a fragment) and the landing without it."""

from __future__ import annotations

import pytest

from notes.models import NoteTemplate

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
LONG_ANSWER = "\n\n".join(f"Paragraph {n}: " + "advice " * 60 for n in range(40))

IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""
# The field's first line is in view (a tall field may run below the fold).
TOP_IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.top + 30 <= window.innerHeight;
}"""


@pytest.fixture
def long_article(transactional_db, make_article):
    return make_article(answer=LONG_ANSWER)


def focused_name(page) -> str:
    """The name of the focused field, once the page's scripts have run."""
    page.wait_for_function("() => document.activeElement !== document.body")
    return page.evaluate("() => document.activeElement.name")


def test_too_long_comment_opens_at_the_form_with_focus_on_it(
    browser_page_factory, long_article, timing_rules_off
):
    page = browser_page_factory(viewport=PHONE)
    page.goto(long_article.get_absolute_url())
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "ana@example.com")
    body = page.locator("#id_body")
    body.evaluate("(el) => el.removeAttribute('maxlength')")  # as a browser without limits
    text = "word " * 13920 + "end"
    body.fill(text)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_function("() => document.readyState === 'complete'")
    assert page.url.endswith("/comments/#respond")
    message = page.locator("#comment-message")
    assert (
        "Your comment is 69,603 characters long; the limit is 65,525."
        in page.locator("#id_body_error").inner_text()
        or "69,603" in page.content()
    )
    assert "not posted" in message.inner_text()
    assert focused_name(page) == "body"
    assert page.evaluate(IN_VIEW, "#comment-message")
    assert page.evaluate(TOP_IN_VIEW, "#id_body")
    assert body.input_value() == text


def test_too_fast_comment_opens_at_the_form_with_focus_on_it(
    browser_page_factory, long_article, settings
):
    settings.COMMENTS_TIMING_RULES = True
    settings.COMMENTS_SIGNATURE_MIN_AGE = 3600  # every post is "too fast"
    page = browser_page_factory(viewport=PHONE)
    page.goto(long_article.get_absolute_url())
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_body", "Kept, word for word.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_function("() => document.readyState === 'complete'")
    assert page.url.endswith("#respond")
    assert "faster than a person can type" in page.locator("#comment-message").inner_text()
    assert focused_name(page) == "body"
    assert page.evaluate(IN_VIEW, "#comment-message")
    assert page.evaluate(TOP_IN_VIEW, "#id_body")
    assert page.locator("#id_body").input_value() == "Kept, word for word."


def test_without_javascript_a_refused_comment_lands_at_the_form(
    browser_page_factory, long_article, settings
):
    settings.COMMENTS_TIMING_RULES = True
    # Without JavaScript no open time is reported (no too-fast check): every
    # form has expired instead.
    settings.COMMENTS_SIGNATURE_MAX_AGE = -1
    page = browser_page_factory(viewport=PHONE, java_script_enabled=False)
    page.goto(long_article.get_absolute_url())
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_body", "Kept.")
    page.get_by_role("button", name="Post comment").click()
    assert page.url.endswith("#respond")
    assert page.evaluate(IN_VIEW, "#comment-message")
    assert page.locator("#id_body").get_attribute("autofocus") is not None


def test_refused_question_has_focus_on_the_field_at_fault(browser_page_factory, transactional_db):
    page = browser_page_factory(viewport=PHONE)
    page.goto("/ask/")
    page.fill("#id_email", "reader@example.com")
    question = page.locator("#id_question")
    question.evaluate("(el) => el.removeAttribute('maxlength')")
    question.fill("q" * 5200)
    page.get_by_role("button", name="Send my question").click()
    page.wait_for_function("() => document.readyState === 'complete'")
    assert "Your question is 5,200 characters long; the limit is 5,000." in page.content()
    assert focused_name(page) == "question"
    assert question.input_value() == "q" * 5200


def test_refused_note_has_focus_on_the_field_at_fault(browser_page_factory, transactional_db):
    NoteTemplate.objects.create(title="Thanks", slug="thanks", body="Hi [name], [role]")
    page = browser_page_factory(viewport=PHONE)
    page.goto("/notes/thanks/")
    page.locator("[data-copy]").wait_for(state="visible")
    role = page.locator("input[data-blank='role']")
    role.evaluate("(el) => el.removeAttribute('maxlength')")
    role.fill("r" * 1200)
    page.get_by_role("button", name="Show my note and when to send it").click()
    page.wait_for_function("() => document.readyState === 'complete'")
    assert page.url.endswith("#drafter-thanks")
    assert "“Role” is 1,200 characters long; the limit is 200." in page.content()
    assert "Still blank" not in page.locator(".drafter-missing").all_inner_texts()
    assert focused_name(page) == "blank_2"
    assert role.input_value() == "r" * 1200
