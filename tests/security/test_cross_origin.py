"""Cross-site requests (config/origin.py, advice/reader_csrf.py; SECURITY.md
"Cross-site requests"): unsafe requests from another origin are refused by
the browser's own headers, with the reader's text kept; the anonymous forms
need no per-reader token, readers with state and staff still need Django's.

Django's test client sends neither ``Sec-Fetch-Site`` nor ``Origin``; each
case sets them as a browser would (tests/browser/test_cross_origin.py shows
a real Chromium doing it)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.comments.notify import unsubscribe_token
from advice.models import Comment, ReaderQuestion, Topic
from config.origin import REASON_CROSS_ORIGIN, cross_origin_refusal, origin_key, trusted_origin
from tests.advice.comments.posting import post
from tests.advice.questions.conftest import valid_ask_data

OWN = "http://testserver"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_FLOOD_SECONDS = 0


def browser(**cookies) -> Client:
    """A client that, like a browser, has CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


# --- the rule, as a function of values -------------------------------------------------


def _refusal(method="POST", site=None, origin=None, trusted=()):
    return cross_origin_refusal(method, site, origin, lambda: "https://advice.example", trusted)


@pytest.mark.parametrize(
    ("site", "origin", "passes"),
    [
        (None, None, True),  # neither header: not a browser's request
        ("same-origin", None, True),
        ("none", None, True),  # the reader's own act (address bar, bookmark)
        ("same-origin", "https://evil.example", True),  # Sec-Fetch-Site decides
        ("same-site", None, False),
        ("cross-site", None, False),
        ("cross-site", "https://advice.example", False),  # header wins over a matching Origin
        ("Cross-Site", None, False),
        ("something-new", None, False),
        (None, "https://advice.example", True),
        (None, "https://ADVICE.example:443", True),  # same origin, default port spelt out
        (None, "http://advice.example", False),  # another scheme
        (None, "https://advice.example:8443", False),  # another port
        (None, "https://sub.advice.example", False),
        (None, "https://evil.example", False),
        (None, "null", False),
        (None, "", False),
        (None, "https://advice.example/path", False),  # not an origin
    ],
)
def test_the_rule(site, origin, passes):
    reason = _refusal(site=site, origin=origin)
    assert (reason is None) == passes, reason
    if not passes:
        assert reason.startswith(REASON_CROSS_ORIGIN)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE"])
def test_safe_methods_always_pass(method):
    assert _refusal(method, site="cross-site", origin="null") is None


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"])
def test_every_unsafe_method_is_checked(method):
    assert _refusal(method, site="cross-site") is not None


def test_trusted_origins_pass_whatever_sec_fetch_site_says():
    trusted = ["https://editor.example", "https://*.partner.example"]
    for origin in (
        "https://editor.example",
        "https://a.partner.example",
        "https://partner.example",
    ):
        assert _refusal(site="cross-site", origin=origin, trusted=trusted) is None, origin
        assert _refusal(origin=origin, trusted=trusted) is None, origin
    for origin in ("http://editor.example", "https://editor.example:8443", "https://evil.example"):
        assert _refusal(site="cross-site", origin=origin, trusted=trusted) is not None, origin
    assert not trusted_origin("null", trusted)


def test_origin_key_normal_form():
    assert origin_key("HTTPS://Example.COM") == ("https", "example.com", 443)
    assert origin_key("http://127.0.0.1:8000") == ("http", "127.0.0.1", 8000)
    for bad in (
        "null",
        "",
        "file://x",
        "https://",
        "https://a.example:99999",
        "https://u@a.example",
    ):
        assert origin_key(bad) is None, bad


# --- the site: the comment form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 303),
        ({"Sec-Fetch-Site": "same-origin"}, 303),
        ({"Sec-Fetch-Site": "none"}, 303),
        ({"Sec-Fetch-Site": "same-origin", "Origin": OWN}, 303),
        ({"Origin": OWN}, 303),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": OWN}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "https://testserver"}, 403),  # another scheme
        ({"Origin": "http://testserver:8080"}, 403),  # another port
        ({"Origin": "https://evil.example"}, 403),
    ],
)
def test_stateless_comment_by_the_browsers_headers(make_article, headers, status):
    article = make_article()
    response = post(browser(), article, body="Words from a reader.", headers=headers)
    assert response.status_code == status
    if status == 303:
        assert Comment.objects.filter(body="Words from a reader.").count() == 1
        return
    page = response.content.decode()
    assert "This form was sent from a page on another site" in page
    assert "Words from a reader." in page  # the reader's text is kept
    assert response["Cache-Control"] == "no-store"
    assert not Comment.objects.exists()


def test_a_trusted_origin_may_post(make_article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://columnist.example"]
    article = make_article()
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://columnist.example"}
    assert post(browser(), article, headers=headers).status_code == 303


def test_origin_follows_the_proxys_scheme(make_article, settings):
    """Behind TLS-ending proxy the request's own origin is https."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    article = make_article()
    proxied = {"X-Forwarded-Proto": "https", "Host": "testserver"}
    assert (
        post(browser(), article, headers={**proxied, "Origin": "https://testserver"}).status_code
        == 303
    )
    assert post(browser(), article, headers={**proxied, "Origin": OWN}).status_code == 403


@pytest.mark.parametrize("cookie", [REMEMBER_COOKIE, BROWSER_COOKIE, "sessionid"])
def test_a_reader_with_state_needs_the_csrf_token_text_kept(make_article, cookie):
    article = make_article()
    response = post(browser(**{cookie: "x"}), article, body="My stateful words.")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in page
    assert "My stateful words." in page
    assert response["Cache-Control"] == "no-store"
    assert not Comment.objects.exists()


def test_a_reader_with_state_posts_with_the_token_of_their_page(make_article):
    article = make_article()
    client = browser(**{REMEMBER_COOKIE: "x"})
    token = CSRF_FIELD.search(client.get(article.get_absolute_url()).content.decode())[1]
    response = post(client, article, body="With my token.", csrfmiddlewaretoken=token)
    assert response.status_code == 303
    assert Comment.objects.filter(body="With my token.").exists()


def test_a_token_does_not_excuse_a_cross_site_post(make_article):
    article = make_article()
    client = browser(**{REMEMBER_COOKIE: "x"})
    token = CSRF_FIELD.search(client.get(article.get_absolute_url()).content.decode())[1]
    headers = {"Sec-Fetch-Site": "cross-site"}
    response = post(client, article, csrfmiddlewaretoken=token, headers=headers)
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_the_comments_redirect_that_sets_cookies_is_never_stored(make_article):
    response = post(browser(), make_article(), remember="on")
    assert response.status_code == 303
    assert {BROWSER_COOKIE, REMEMBER_COOKIE} <= set(response.cookies)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_method_the_view_does_not_answer_is_405_before_the_origin_check(make_article):
    article = make_article()
    response = browser().put(article.get_absolute_url(), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 405


# --- the Ask form, the drafter, one-click unsubscribe -------------------------------------


def test_a_question_from_another_site_is_refused_text_kept(db):
    data = valid_ask_data(question="Is this my question, sent from elsewhere?")
    response = browser().post("/ask/", data, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert "Is this my question, sent from elsewhere?" in response.content.decode()
    assert not ReaderQuestion.objects.exists()


def test_a_stateless_question_needs_no_token_and_every_answer_is_no_store(db):
    sent = browser().post("/ask/", valid_ask_data(), headers={"Sec-Fetch-Site": "same-origin"})
    assert sent.status_code == 303
    assert "no-store" in sent["Cache-Control"]
    assert ReaderQuestion.objects.count() == 1
    refused = browser().post("/ask/", valid_ask_data(email="not an address"))
    assert refused.status_code == 400
    assert "no-store" in refused["Cache-Control"]


def test_a_question_from_a_reader_with_state_needs_the_token(db):
    client = browser(**{BROWSER_COOKIE: "x"})
    response = client.post("/ask/", valid_ask_data(question="Kept question text"))
    assert response.status_code == 403
    assert "Kept question text" in response.content.decode()
    token = CSRF_FIELD.search(client.get("/ask/").content.decode())[1]
    sent = client.post("/ask/", valid_ask_data(csrfmiddlewaretoken=token))
    assert sent.status_code == 303


def test_the_drafters_post_back_from_another_site_is_refused(make_article):
    article = make_article()
    data = {"note": "thanks", "blank_1": "Dana"}
    response = browser().post(
        article.get_absolute_url(), data, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert "Dana" in response.content.decode()  # a note blank, kept


def test_one_click_unsubscribe_is_exempt(db):
    """A forged token answers 400 from the view itself: the origin check let
    the mail client's POST through (RFC 8058)."""
    cross = {"Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example"}
    assert browser().post("/comments/unsubscribe/forged/", headers=cross).status_code == 400
    good = unsubscribe_token("no-such-subscription")
    response = browser().post(f"/comments/unsubscribe/{good}/", headers=cross)
    assert response.status_code == 200
    # The confirmation link is not exempt: its page's form posts same-origin.
    confirm = browser().post("/comments/confirm/forged/", headers=cross)
    assert confirm.status_code == 403


# --- staff keep their tokens ------------------------------------------------------------------


@pytest.fixture
def staff_browser(django_user_model):
    user = django_user_model.objects.create_user(
        username="editor", password="pw-editor-123", is_staff=True, is_superuser=True
    )
    client = browser()
    client.force_login(user)
    return client


def test_a_staff_post_without_the_csrf_token_is_refused(staff_browser):
    response = staff_browser.post("/admin/advice/topic/add/", {"name": "Forged", "slug": "forged"})
    assert response.status_code == 403
    assert not Topic.objects.filter(slug="forged").exists()


def test_a_staff_post_with_the_token_is_accepted(staff_browser):
    page = staff_browser.get("/admin/advice/topic/add/").content.decode()
    token = CSRF_FIELD.search(page)[1]
    data = {"name": "Real", "slug": "real", "description": "", "csrfmiddlewaretoken": token}
    response = staff_browser.post(
        "/admin/advice/topic/add/", data, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Topic.objects.filter(slug="real").exists()


def test_a_staff_comment_without_the_token_is_refused(staff_browser, make_article):
    article = make_article()
    response = post(staff_browser, article, body="Columnist words")
    assert response.status_code == 403
    assert "Columnist words" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/logout/", "/admin/password_change/"])
def test_admin_login_logout_and_password_keep_their_tokens(staff_browser, path):
    client = browser() if path == "/admin/login/" else staff_browser
    response = client.post(path, {"username": "editor", "password": "pw-editor-123"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/editor/markdownx/markdownify/", "/editor/markdownx/upload/"])
def test_editor_endpoints_keep_their_tokens(staff_browser, path):
    response = staff_browser.post(path, {"content": "# hi"})
    assert response.status_code == 403
