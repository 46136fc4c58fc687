"""The main flows in a real browser (Debian's Chromium via Playwright against
the live server): a reader reads an article, drafts a note, comments and
replies, asks a question and searches; an editor logs in to the admin, writes
an article with the live Markdown preview, embeds a note template, publishes
it, closes its comments and approves a held comment. Two flows are done with
the keyboard alone, checking that the focused control always shows a focus
indicator."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from advice.models import Article, Comment, ReaderQuestion

pytestmark = pytest.mark.browser

OPEN_ARTICLE = "how-long-to-wait-before-following-up"
CLOSED_ARTICLE = "thank-you-note-after-a-phone-screen"

# A control has a visible focus when its outline or box shadow is drawn.
FOCUS_SHOWN_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    shown: Boolean(outline || shadow),
    style: [style.outlineStyle, style.outlineWidth, style.boxShadow].join(" / "),
    name: el.tagName + (el.name ? "[name=" + el.name + "]" : "") + (el.id ? "#" + el.id : ""),
  };
}"""


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> int:
    """Press Tab (Shift+Tab when ``backwards``) until the focused element
    matches ``selector``; every stop on the way must show a visible focus.
    Returns the number of presses. Fails after ``limit`` presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_SHOWN_JS)
        assert state is not None, "focus left the page"
        assert state["shown"], f"no visible focus: {state}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of {key}")


@pytest.fixture
def reader_page(browser_page_factory, demo_site, timing_rules_off):
    """A fresh browser page (own cookies) on the demo site, clipboard allowed."""
    page = browser_page_factory(permissions=["clipboard-read", "clipboard-write"])
    page.set_default_timeout(10_000)  # milliseconds; fail fast, not after 30 s
    return page


def test_reader_reads_an_article_from_the_home_page(reader_page):
    page = reader_page
    page.goto("/")
    page.get_by_role("link", name="How Long to Wait Before Following Up").click()
    page.wait_for_url(f"**/articles/{OPEN_ARTICLE}/")
    assert page.locator("h1").inner_text() == "How Long to Wait Before Following Up"
    question = page.get_by_role("region", name="The question")
    assert "Lena asks:" in question.inner_text()
    answer = page.get_by_role("region", name="The answer")
    assert "Writing once more is not pushy." in answer.inner_text()
    # The answer's embedded note template is a working drafter.
    assert answer.locator("section.drafter [data-copy]").is_visible()
    assert page.get_by_role("heading", name="1 Response").is_visible()
    page.get_by_role("link", name="Applications").click()
    page.wait_for_url("**/topics/applications/")


def test_reader_drafts_a_note_copies_it_and_opens_it_as_mail(reader_page):
    page = reader_page
    page.goto("/notes/thank-you-after-interview/")
    drafter = page.locator("section.drafter")
    preview = drafter.locator("[data-preview]")
    assert preview.get_attribute("aria-live") == "polite"
    assert preview.locator("mark.blank-empty").all_inner_texts() == [
        "[name]",
        "[role]",
        "[detail]",
        "[your name]",
    ]

    drafter.get_by_label("Their name").fill("Jordan")
    drafter.get_by_label("The job").fill("writers’ PA")
    # Live update: the preview follows each keystroke, no button pressed.
    assert preview.locator("span.blank-filled").all_inner_texts() == ["Jordan", "writers’ PA"]
    assert preview.locator("mark.blank-empty").all_inner_texts() == ["[detail]", "[your name]"]
    assert preview.inner_text().startswith("Hi, Jordan!")

    drafter.get_by_label("One thing you liked").fill("how the room is run")
    drafter.get_by_label("Your name").fill("نور")  # a right-to-left name
    assert preview.locator("mark.blank-empty").count() == 0
    note = drafter.locator("textarea[data-plain]").input_value()
    assert "about the writers’ PA opening today" in note
    assert note.endswith("نور")

    drafter.get_by_role("button", name="Copy").click()
    expect(drafter.locator("[data-warning]")).to_have_text("Copied. Paste it into your e-mail.")
    assert page.evaluate("navigator.clipboard.readText()") == note

    query = parse_qs(urlsplit(drafter.locator("[data-mailto]").get_attribute("href")).query)
    assert query["subject"] == ["Thank you: the writers’ PA opening"]
    assert query["body"] == [note.replace("\n", "\r\n")]


def test_reader_comments_and_replies_and_a_refused_comment_keeps_its_text(
    reader_page, make_comment
):
    article = Article.objects.get(slug=OPEN_ARTICLE)
    dana = make_comment(article, author_name="Dana", author_email="dana@example.com")
    page = reader_page
    page.goto(article.get_absolute_url())

    # A first comment from a new e-mail address is held, and says so.
    form = page.locator("#commentform")
    form.get_by_label("Name:", exact=True).fill("Noor")
    form.get_by_label("E-mail:", exact=True).fill("noor@example.com")
    form.get_by_label("Comment:", exact=True).fill("Five business days worked for me.")
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    held = Comment.objects.get(author_name="Noor")
    assert held.status == Comment.Status.PENDING
    mine = page.locator(f"#comment-{held.pk}")
    assert "Your comment is awaiting moderation." in mine.inner_text()
    assert "Five business days worked for me." in mine.inner_text()

    # Reply: the form moves under the comment without leaving the page.
    url_before = page.url
    page.locator(f"#comment-{dana.pk}").get_by_role("link", name="Reply to Dana").click()
    assert page.url == url_before
    respond = page.locator(f"#comment-{dana.pk} #respond")
    assert respond.is_visible()
    assert respond.locator("#reply-title-text").inner_text() == "Reply to Dana"
    assert respond.locator("textarea[name=body]").evaluate("el => el === document.activeElement")
    assert form.locator("input[name=parent]").input_value() == str(dana.pk)
    # Cancel puts it back; Reply again moves it once more.
    respond.get_by_role("link", name="Cancel reply").click()
    assert page.locator(f"#comment-{dana.pk} #respond").count() == 0
    assert form.locator("input[name=parent]").input_value() == ""
    page.locator(f"#comment-{dana.pk}").get_by_role("link", name="Reply to Dana").click()

    form.get_by_label("Name:", exact=True).fill("Dana")
    form.get_by_label("E-mail:", exact=True).fill("dana@example.com")
    form.get_by_label("Comment:", exact=True).fill("Glad it worked, Noor!")
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    reply = Comment.objects.get(body="Glad it worked, Noor!")
    assert reply.parent_id == dana.pk
    assert reply.status == Comment.Status.APPROVED  # Dana was approved before
    shown = page.locator(f"#comment-{reply.pk}")
    assert "depth-2" in shown.get_attribute("class")
    assert urlsplit(page.url).fragment == f"comment-{reply.pk}"

    # The same words again are refused as a duplicate; the text stays.
    page.locator(f"#comment-{dana.pk}").get_by_role("link", name="Reply to Dana").click()
    form.get_by_label("Name:", exact=True).fill("Dana")
    form.get_by_label("E-mail:", exact=True).fill("dana@example.com")
    form.get_by_label("Comment:", exact=True).fill("Glad it worked, Noor!")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Post comment").click()
    assert posted.value.status == 409
    assert "already said that here" in page.get_by_role("alert").first.inner_text()
    assert form.get_by_label("Comment:", exact=True).input_value() == "Glad it worked, Noor!"
    assert form.get_by_label("Name:", exact=True).input_value() == "Dana"
    # The refused reply still goes under the comment it answers.
    assert page.locator(f"#comment-{dana.pk} #respond").is_visible()
    assert Comment.objects.filter(body="Glad it worked, Noor!").count() == 1


def test_closed_article_shows_its_comments_and_no_form(reader_page):
    page = reader_page
    page.goto(f"/articles/{CLOSED_ARTICLE}/")
    assert page.locator(".comments-closed").inner_text() == "Comments are closed."
    assert page.locator("#commentform").count() == 0
    assert page.locator(".comment-list > li").count() >= 3


def test_reader_asks_a_question_and_sees_the_confirmation(reader_page):
    page = reader_page
    page.goto("/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Ask").click()
    page.get_by_label("Your question").fill("Should I follow up after a video interview?")
    page.get_by_label("E-mail:", exact=True).fill("sam@example.com")
    page.get_by_role("button", name="Send my question").click()
    page.wait_for_url("**/ask/thanks/")
    assert page.locator("h1").inner_text() == "Thank you for your question"
    question = ReaderQuestion.objects.get()
    assert question.question == "Should I follow up after a video interview?"
    assert question.email == "sam@example.com"


def test_reader_searches_and_sees_highlighted_results(reader_page):
    page = reader_page
    page.goto("/")
    page.get_by_role("search", name="Site search").get_by_label("Search").fill("thank you note")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/search/"
    results = page.locator(".search-result")
    assert results.count() >= 1
    first = results.first
    assert first.get_by_role("link").inner_text() == "A Thank-You Note After a Phone Screen?"
    marks = [text.lower() for text in page.locator(".search-result mark").all_inner_texts()]
    assert "note" in marks
    assert "thank" in marks
    first.get_by_role("link").click()
    page.wait_for_url(f"**/articles/{CLOSED_ARTICLE}/")


def test_editor_writes_publishes_closes_and_moderates_in_the_admin(
    browser_page_factory, demo_site, django_user_model, make_comment
):
    django_user_model.objects.create_user(
        username="editor", password="pw-editor-123", is_staff=True, is_superuser=True
    )
    page = browser_page_factory()
    page.set_default_timeout(10_000)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("pw-editor-123")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", name="Site administration").is_visible()

    # Write: the markdownx editor shows the rendered Markdown as it is typed.
    page.goto("/admin/advice/article/add/")
    page.locator("#id_title").fill("Following Up After a Video Call")
    page.locator("#id_asker").fill("Sam")
    page.locator("#id_question").fill("Do I follow up after a *video* call?")
    answer = page.locator("#id_answer")
    answer.click()
    answer.press_sequentially("Yes, **always**. Use this:\n\n")
    preview = page.locator("#id_answer").locator("xpath=..").locator(".markdownx-preview")
    preview.locator("strong", has_text="always").wait_for()
    assert "<p>Yes, <strong>always</strong>. Use this:</p>" in preview.inner_html()
    answer.press_sequentially("{{note:thank-you-after-interview}}\n\nGood luck.")
    preview.get_by_text("Good luck.").wait_for()
    assert page.locator("#id_slug").input_value() == "following-up-after-a-video-call"
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    article = Article.objects.get(slug="following-up-after-a-video-call")
    assert article.status == Article.Status.DRAFT

    # Publish with the admin action; the page then carries the drafter.
    changelist = "/admin/advice/article/"
    page.goto(changelist)
    row = page.locator("#result_list tr", has_text="Following Up After a Video Call")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("publish_articles")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "1 article published." in page.locator(".messagelist").inner_text()
    reader = browser_page_factory()
    reader.goto(article.get_absolute_url())
    assert reader.locator("#drafter-thank-you-after-interview [data-copy]").is_visible()
    assert reader.locator(".answer strong").inner_text() == "always"
    assert reader.locator("#commentform").is_visible()

    # Close its comments with the admin action.
    page.goto(changelist)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("close_comments")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "1 article closed for comments." in page.locator(".messagelist").inner_text()
    reader.reload()
    assert reader.locator(".comments-closed").inner_text() == "Comments are closed."
    assert reader.locator("#commentform").count() == 0

    # Approve a held comment from the moderation queue (held is the default view).
    open_article = Article.objects.get(slug=OPEN_ARTICLE)
    held = make_comment(
        open_article, author_name="Kai", body="Held for review.", status=Comment.Status.PENDING
    )
    page.goto("/admin/advice/comment/")
    assert "Moderate comments: 1 held" in page.locator("h1").inner_text()
    row = page.locator("#result_list tr", has_text="Held for review.")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_comments")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "1 comment approved." in page.locator(".messagelist").inner_text()
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    reader.goto(open_article.get_absolute_url())
    assert "Held for review." in reader.locator(f"#comment-{held.pk}").inner_text()
    # The admin and its editor load nothing from another host.
    assert hosts == {urlsplit(page.url).netloc}


def test_keyboard_only_drafting_a_note(reader_page):
    page = reader_page
    page.goto("/notes/thank-you-after-interview/")
    page.locator("[data-copy]").wait_for(state="visible")
    # The skip link comes first and jumps to the content.
    tab_to(page, "a.skip-link", limit=1)
    page.keyboard.press("Enter")
    tab_to(page, "input[data-blank='name']", limit=10)
    page.keyboard.type("Jordan")
    tab_to(page, "input[data-blank='role']", limit=1)
    page.keyboard.type("writers’ PA")
    tab_to(page, "input[data-blank='detail']", limit=1)
    page.keyboard.type("the pace of the room")
    tab_to(page, "input[data-blank='your name']", limit=3)
    page.keyboard.type("Sam")
    preview = page.locator("[data-preview]")
    assert preview.locator("mark.blank-empty").count() == 0
    assert preview.inner_text().startswith("Hi, Jordan!")
    tab_to(page, "[data-copy]", limit=15)
    page.keyboard.press("Enter")
    expect(page.locator("[data-warning]")).to_have_text("Copied. Paste it into your e-mail.")
    assert page.evaluate("navigator.clipboard.readText()").endswith("Sam")


def test_keyboard_only_posting_a_comment(reader_page):
    page = reader_page
    page.goto(f"/articles/{OPEN_ARTICLE}/")
    tab_to(page, "#commentform input[name=name]", limit=80)
    page.keyboard.type("Ada")
    tab_to(page, "#commentform input[name=email]", limit=1)
    page.keyboard.type("ada@example.com")
    tab_to(page, "#commentform textarea[name=body]", limit=2)
    page.keyboard.type("Posted without a mouse.")
    # After the text: "remember me" and the two reply-e-mail checkboxes.
    tab_to(page, "#commentform button[type=submit]", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    comment = Comment.objects.get(author_name="Ada")
    assert comment.body == "Posted without a mouse."
    assert urlsplit(page.url).fragment == f"comment-{comment.pk}"
    assert (
        "Your comment is awaiting moderation."
        in page.locator(f"#comment-{comment.pk}").inner_text()
    )
