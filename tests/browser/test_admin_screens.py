"""The admin screens editors and moderators use, in a real browser at
1280 px: axe-core finds no serious or critical violation on the comment and
article lists and change forms, the held-comment queue and the reader
questions; the comment list fits the window (no sideways scrolling); the
editor's live preview shows a card naming the note template for a marker.
Each screen is photographed into ``ci-output/screenshots/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from advice.models import Article, Comment, ReaderQuestion
from tests.browser.conftest import NODE_MODULES, required_tool
from tests.browser.test_accessibility import axe_violations

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "ci-output" / "screenshots"
WIDE = {"width": 1280, "height": 900}
SERIOUS = {"serious", "critical"}
PASSWORD = "pw-editor-123"


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.fixture
def admin_screens(demo_site, django_user_model, make_comment):
    """The demo content with a long held comment and a reader question;
    the admin paths to check, by name."""
    django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True, is_superuser=True
    )
    article = Article.objects.get(slug="how-long-to-wait-before-following-up")
    held = make_comment(
        article,
        author_name="Kai Montgomery-Ellison",
        author_email="kai.montgomery-ellison@a-rather-long-domain.example",
        body="A long comment that keeps going " * 20,
        status=Comment.Status.PENDING,
        ip_address="2001:db8:85a3::8a2e:370:7334",
    )
    question = ReaderQuestion.objects.create(
        name="Ines", email="ines@example.com", question="Should I send a thank-you note?",
        ip_address="203.0.113.9", article=article,
    )  # fmt: skip
    return {
        "comments-held": "/admin/advice/comment/",
        "comments-all": "/admin/advice/comment/?status=all",
        "comment-change": f"/admin/advice/comment/{held.pk}/change/",
        "articles": "/admin/advice/article/",
        "article-change": f"/admin/advice/article/{article.pk}/change/",
        "questions": "/admin/advice/readerquestion/",
        "question-change": f"/admin/advice/readerquestion/{question.pk}/change/",
    }


@pytest.fixture(scope="session")
def axe_text() -> str:
    """axe-core's minified build (from ``npm ci``, which ``make test`` runs)."""
    path = required_tool(NODE_MODULES / "axe-core" / "axe.min.js", "`make test` runs npm ci")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe_admin_page(browser_page_factory):
    """A page at 1280 px in a context that bypasses CSP, for injecting axe."""
    page = browser_page_factory(bypass_csp=True, viewport=WIDE)
    page.set_default_timeout(10_000)  # milliseconds
    return page


def test_admin_screens_pass_axe_fit_the_window_and_are_photographed(
    admin_screens, axe_admin_page, axe_text
):
    page = axe_admin_page
    log_in(page, "editor")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, path in admin_screens.items():
        response = page.goto(path)
        assert response.status == 200, path
        page.screenshot(path=SCREENSHOTS / f"admin-{name}-1280.png", full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= WIDE["width"], f"{path} scrolls sideways: {wide} px"
        # Django puts a list in a box of its own that scrolls sideways.
        table = page.evaluate(
            "(() => { const box = document.querySelector('.results');"
            " return box ? box.scrollWidth - box.clientWidth : 0; })()"
        )
        assert table <= 0, f"{path}: the list scrolls sideways by {table} px"
        serious = [v for v in axe_violations(page, axe_text) if v["impact"] in SERIOUS]
        if serious:
            found[path] = serious
    assert found == {}, found


def test_comment_list_reads_as_moderators_expect(admin_screens, browser_page_factory):
    page = browser_page_factory(viewport=WIDE)
    page.set_default_timeout(10_000)
    log_in(page, "editor")
    assert page.title().endswith("| Ask the Columnist")
    assert page.locator("#site-name").inner_text() == "Ask the Columnist"
    page.goto(admin_screens["comments-held"])
    filters = page.locator("#changelist-filter").inner_text()
    assert "By the columnist" in filters
    assert "By by columnist" not in filters
    row = page.locator("#result_list tbody tr").first
    assert row.locator(".field-excerpt").inner_text().startswith("A long comment that keeps")
    assert "2001:db8" not in page.locator("#result_list").inner_text()
    page.goto(admin_screens["comment-change"])
    assert page.locator(".field-ip_address_shown label").inner_text() == "IP address:"
    page.goto(admin_screens["question-change"])
    labels = page.locator(".form-row label").all_inner_texts()
    assert labels.count("Article:") == 1
    assert "IP address:" in labels


def test_preview_shows_a_card_for_a_note_marker(admin_screens, browser_page_factory):
    page = browser_page_factory(viewport=WIDE)
    page.set_default_timeout(10_000)
    log_in(page, "editor")
    page.goto("/admin/advice/article/add/")
    help_text = page.locator("#id_answer_helptext").inner_text()
    assert "{{note:<slug>}}" in help_text
    assert "thank-you-after-interview" in help_text
    answer = page.locator("#id_answer")
    answer.click()
    answer.press_sequentially("Use this:\n\n{{note:thank-you-after-interview}}\n\nGood luck.")
    preview = page.locator("#id_answer").locator("xpath=..").locator(".markdownx-preview")
    card = preview.locator(".note-placeholder")
    card.wait_for()
    assert "Note drafter: " in card.inner_text()
    assert "{{note:thank-you-after-interview}}" in card.inner_text()
    assert "<p>{{note:" not in preview.inner_html()
    page.screenshot(path=SCREENSHOTS / "admin-article-preview-1280.png", full_page=True)


@pytest.mark.parametrize("width", [320, 375])
def test_admin_screens_on_a_phone_are_photographed(admin_screens, browser_page_factory, width):
    """The same screens at phone widths (Django's admin has its own narrow
    layout): each answers and shows its content, photographed for review."""
    page = browser_page_factory(viewport={"width": width, "height": 800})
    log_in(page, "editor")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in admin_screens.items():
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("#content h1").first.is_visible(), path
        page.screenshot(path=SCREENSHOTS / f"admin-{name}-{width}.png", full_page=True)
