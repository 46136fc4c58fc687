"""Editing one's own comment and subscribing to replies, in a real browser
with and without JavaScript (issue 16, acceptance): the forms are plain
HTML forms, so both work the same either way."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from advice.comments.moderation import comment_approve
from advice.comments.notify import unsubscribe_url
from advice.models import Article, Comment, CommentSubscription

pytestmark = pytest.mark.browser

OPEN_ARTICLE = "how-long-to-wait-before-following-up"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def reader_page(request, browser_page_factory, demo_site, timing_rules_off, settings):
    """A fresh browser page (own cookies) on the demo site, with JavaScript
    on or off; mail kept in ``mail.outbox`` (the live server runs in this
    process, tasks at once)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = browser_page_factory(java_script_enabled=request.param)
    page.set_default_timeout(10_000)  # milliseconds; fail fast, not after 30 s
    return page


def post_comment(page, *, body: str, subscribe: bool = False) -> Comment:
    form = page.locator("#commentform")
    form.get_by_label("Name:", exact=True).fill("Noor")
    form.get_by_label("E-mail:", exact=True).fill("noor@example.com")
    form.get_by_label("Comment:", exact=True).fill(body)
    if subscribe:
        form.get_by_label("E-mail me when someone replies").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    return Comment.objects.get(body=body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_writer_fixes_a_typo_then_removes_the_comment(reader_page):
    page = reader_page
    article = Article.objects.get(slug=OPEN_ARTICLE)
    page.goto(article.get_absolute_url())
    comment = post_comment(page, body="Five busines days worked for me.")

    mine = page.locator(f"#comment-{comment.pk}")
    with page.expect_navigation():
        mine.get_by_role("link", name="Edit or remove your comment").click()
    text = page.get_by_label("Your comment")
    assert text.input_value() == "Five busines days worked for me."
    text.fill("Five business days worked for me.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()

    mine = page.locator(f"#comment-{comment.pk}")
    assert "Five business days worked for me." in mine.inner_text()
    assert "edited" in mine.locator(".comment-meta").inner_text()
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert list(comment.revisions.values_list("body", flat=True)) == [
        "Five busines days worked for me."
    ]

    with page.expect_navigation():
        mine.get_by_role("link", name="Edit or remove your comment").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Remove my comment").click()
    assert page.locator(f"#comment-{comment.pk}").count() == 0
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_another_browser_gets_no_edit_link_and_is_refused(reader_page, browser_page_factory):
    page = reader_page
    article = Article.objects.get(slug=OPEN_ARTICLE)
    page.goto(article.get_absolute_url())
    comment = post_comment(page, body="Mine alone to change.")
    comment_approve(comments=[comment])

    other = browser_page_factory()
    other.goto(article.get_absolute_url())
    assert "Mine alone to change." in other.locator(f"#comment-{comment.pk}").inner_text()
    assert other.get_by_role("link", name="Edit or remove your comment").count() == 0
    response = other.goto(f"{article.get_absolute_url()}comments/{comment.pk}/edit/")
    assert response.status == 403
    assert "can't be changed from here" in other.get_by_role("alert").inner_text()


def test_reader_subscribes_confirms_and_unsubscribes(reader_page):
    page = reader_page
    article = Article.objects.get(slug=OPEN_ARTICLE)
    page.goto(article.get_absolute_url())
    post_comment(page, body="Tell me when someone answers.", subscribe=True)
    assert [m.to for m in mail.outbox] == [["noor@example.com"]]
    confirm = re.search(r"https?://\S+/comments/confirm/\S+/", mail.outbox[0].body).group(0)

    page.goto(path_of(confirm))
    assert CommentSubscription.objects.confirmed().count() == 0, "opening the link confirms nothing"
    page.get_by_role("button", name="Yes, e-mail me").click()
    expect_text = "you will get an e-mail when someone replies"
    page.get_by_role("status").filter(has_text=expect_text).wait_for()
    assert CommentSubscription.objects.confirmed().count() == 1

    subscription = CommentSubscription.objects.get()
    page.goto(path_of(unsubscribe_url(subscription)))
    page.get_by_role("button", name="Stop these e-mails").click()
    page.get_by_role("status").filter(has_text="no more e-mails").wait_for()
    assert not CommentSubscription.objects.exists()
