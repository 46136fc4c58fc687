"""Cross-site requests in a real browser (config/origin.py; SECURITY.md
"Cross-site requests"). Django's test client sends neither
``Sec-Fetch-Site`` nor ``Origin``; Debian's Chromium does. A page on a second
origin (a small HTTP server on 127.0.0.1, the site being reached as
localhost) holds a copy of the comment form, with the shared form token a
forger can read from the public page, and posts it to the site: the site
refuses it with its 403 page showing the reader's text, and stores nothing.
The same form sent from the site's own page, by a reader without state and
so without a CSRF token, is stored."""

from __future__ import annotations

import html
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from advice.models import Comment

pytestmark = pytest.mark.browser

TOKEN_FIELD = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def article(transactional_db, make_article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    return make_article(title="Open for comments")


@pytest.fixture
def other_origin():
    """A second origin (``http://127.0.0.1:<port>``) serving the HTML that
    :func:`serve` is given, at ``/``. Yields ``serve``; it returns the page's
    address."""
    pages = {"/": b""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(markup: str) -> str:
        pages["/"] = markup.encode()
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    server.shutdown()
    server.server_close()


def forged_form(action: str, token: str, body: str) -> str:
    """Another site's page holding a copy of the comment form."""
    return f"""<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body>
<form method="post" action="{html.escape(action)}">
<input name="name" value="Mallory"><input name="email" value="m@example.com">
<textarea name="body">{html.escape(body)}</textarea>
<input type="hidden" name="token" value="{html.escape(token)}">
<button type="submit">Send</button></form></body></html>"""


def test_a_comment_form_posted_from_another_origin_is_refused_and_kept(
    article, browser_page_factory, live_server, other_origin
):
    assert live_server.url.startswith("http://localhost:")
    # The shared token, as anyone reading the public page gets it.
    page_html = Client().get(article.get_absolute_url()).content.decode()
    token = TOKEN_FIELD.search(page_html)[1]
    action = f"{live_server.url}{article.get_absolute_url()}comments/"
    elsewhere = other_origin(forged_form(action, token, "Words a forger put in my mouth."))

    page = browser_page_factory()
    page.goto(elsewhere)
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    assert page.url == action
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Please send that again"
    assert "sent from a page on another site" in page.content()
    kept = page.locator("textarea[readonly]").evaluate_all("(boxes) => boxes.map((b) => b.value)")
    assert "Words a forger put in my mouth." in kept
    assert not Comment.objects.exists()


def test_the_same_form_from_the_sites_own_page_is_stored_without_a_csrf_token(
    article, browser_page_factory, timing_rules_off
):
    page = browser_page_factory()
    page.goto(article.get_absolute_url())
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0
    assert page.context.cookies() == []  # a stateless page sets no cookie
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_body", "Posted from the page itself.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert Comment.objects.filter(body="Posted from the page itself.").count() == 1
    assert "awaiting moderation" in page.content()


def test_the_too_fast_stamp_comes_from_the_page_script(article, browser_page_factory, settings):
    """The shared token cannot say how long this reader's form was open;
    static/js/form_opened.js does, and a form sent at once is refused."""
    settings.COMMENTS_TIMING_RULES = True
    settings.COMMENTS_SIGNATURE_MIN_AGE = 3600
    page = browser_page_factory()
    page.goto(article.get_absolute_url())
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_body", "Quick words.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert "faster than a person can type" in page.content()
    assert not Comment.objects.exists()
