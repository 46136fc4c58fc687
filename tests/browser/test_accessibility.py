"""Accessibility in a real browser: axe-core (the npm package, pinned in
package.json) finds no violations on the pages readers use, and text that
readers write in any script is marked ``dir="auto"`` so each piece takes its
own direction; the live note preview is announced politely.

axe is injected into the page, which the site's Content Security Policy
forbids; the axe checks therefore use a browser context of their own that
bypasses CSP. Every other test keeps the policy in force."""

from __future__ import annotations

import pytest

from advice.models import Article
from tests.browser.conftest import CHECKED_PAGES, NODE_MODULES, required_tool

pytestmark = pytest.mark.browser

AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


@pytest.fixture(scope="session")
def axe_script() -> str:
    """The text of axe-core's minified build (from ``npm ci``)."""
    path = required_tool(NODE_MODULES / "axe-core" / "axe.min.js", "`make test` runs npm ci")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe_page(browser_page_factory):
    """A page in a context that bypasses CSP, for injecting axe only."""
    page = browser_page_factory(bypass_csp=True)
    page.set_default_timeout(10_000)  # milliseconds
    return page


def axe_violations(page, script: str) -> list[dict]:
    """Run axe on the page as it is now; its violations, shortened."""
    page.add_script_tag(content=script)
    return page.evaluate(AXE_RUN_JS)


@pytest.mark.parametrize("name", list(CHECKED_PAGES))
def test_page_has_no_axe_violations(name, demo_site, axe_page, axe_script):
    response = axe_page.goto(demo_site[name])
    assert response.status == (404 if name == "not-found" else 200)
    if name in {"article-open", "drafter"}:
        # Let the drafter's script take over first: check the page as used.
        axe_page.locator("[data-copy]").first.wait_for(state="visible")
    assert axe_violations(axe_page, axe_script) == []


def test_reply_form_and_refused_comment_have_no_axe_violations(
    demo_site, axe_page, axe_script, make_comment, timing_rules_off
):
    """The comment form in its other states: moved under a comment for a
    reply, and shown again with errors after a refusal."""
    article = Article.objects.get(slug="how-long-to-wait-before-following-up")
    dana = make_comment(article, author_name="Dana")
    axe_page.goto(demo_site["article-open"])
    axe_page.locator(f"#comment-{dana.pk} .comment-reply-link").click()
    assert axe_page.locator(f"#comment-{dana.pk} #respond").is_visible()
    assert axe_violations(axe_page, axe_script) == []

    form = axe_page.locator("#commentform")
    form.locator("input[name=email]").fill("not-an-address")
    form.locator("textarea[name=body]").fill("A reply with a bad address.")
    form.locator("input[name=name]").fill("Ren")
    # Let the server judge the address (the browser would refuse it first).
    form.evaluate("form => { form.noValidate = true; }")
    with axe_page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    assert axe_page.locator(".errorlist").count() == 1
    assert axe_violations(axe_page, axe_script) == []


def test_reader_written_text_is_marked_dir_auto(browser_page_factory, demo_site, make_comment):
    """Comments, names, questions and note blanks take the direction of what
    was written: a Hebrew comment reads right to left beside English ones."""
    article = Article.objects.get(slug="how-long-to-wait-before-following-up")
    hebrew = make_comment(article, author_name="נועה", body="תודה רבה על העצה!")
    page = browser_page_factory()
    page.goto(demo_site["article-open"])
    comment = page.locator(f"#comment-{hebrew.pk}")
    for part in (".comment-author", ".comment-body"):
        assert comment.locator(part).get_attribute("dir") == "auto"
        assert comment.locator(part).evaluate("el => getComputedStyle(el).direction") == "rtl"
    english = page.locator(".comment-body").first
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"
    for field in ("input[name=name]", "textarea[name=body]"):
        assert page.locator(f"#commentform {field}").get_attribute("dir") == "auto"

    # Note blanks, and the filled-in words in the live preview.
    blanks = page.locator("section.drafter input[data-blank]")
    assert blanks.count() >= 3
    assert set(blanks.evaluate_all("els => els.map(el => el.dir)")) == {"auto"}
    blanks.first.fill("مريم")
    filled = page.locator("[data-preview] span.blank-filled")
    assert filled.get_attribute("dir") == "auto"
    assert filled.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator("textarea[data-plain]").get_attribute("dir") == "auto"

    page.goto(demo_site["ask"])
    for field in ("input[name=name]", "textarea[name=question]"):
        assert page.locator(f"#ask-form {field}").get_attribute("dir") == "auto"


def test_live_note_preview_is_announced_politely(browser_page_factory, demo_site):
    page = browser_page_factory()
    for name in ("drafter", "article-open"):
        page.goto(demo_site[name])
        preview = page.locator("section.drafter [data-preview]")
        assert preview.get_attribute("aria-live") == "polite"
        # Warnings (Copy with blanks empty) interrupt: they are alerts.
        assert page.locator("section.drafter [data-warning]").get_attribute("role") == "alert"
