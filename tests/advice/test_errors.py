"""Error pages and /healthz (advice/errors.py). Error pages (403 CSRF, 404,
500, 503) never turn what the request sent into a link: the path is shown as
escaped text at most, and every link on them is a fixed path of this site."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client, RequestFactory

from advice import errors
from advice.comments.cookies import REMEMBER_COOKIE
from advice.middleware import unavailable_response

HOSTILE_PATHS = [
    "/\\evil.example/x",
    "//evil.example/",
    "/\\/evil.example/",
    "/%5Cevil.example/x",
    "/<script>alert(1)</script>",
    '/"><a href="https://evil.example/">x</a>',
    "/javascript:alert(1)",
]


class LinkReader(HTMLParser):
    """Every URL-valued attribute (href, src, action, formaction) of a page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction"} and value is not None:
                self.urls.append(value)


def urls_of(html: str) -> list[str]:
    reader = LinkReader()
    reader.feed(html)
    return reader.urls


def assert_only_own_links(html: str) -> None:
    """Every link is a path on this site (one leading slash, no backslash)
    or a same-page anchor; none names another host."""
    for url in urls_of(html):
        assert url.startswith(("/", "#")), url
        assert not url.startswith("//"), url
        assert "\\" not in url, url
        assert "evil.example" not in url, url
        assert "javascript:" not in url.lower(), url


def get_path(client, path: str):
    """GET ``path`` exactly as sent (the test client would read ``//host/``
    as a host, so the raw path goes in ``PATH_INFO``)."""
    return client.get("/", PATH_INFO=path)


def comment_form_path(path: str) -> str:
    """A POST address holding ``path``'s text: the comment form of an article
    slug made of it (only a matched view reaches the CSRF check; unknown
    paths are 404, see the 404 tests)."""
    return "/articles/" + path.strip("/").replace("/", "_") + "/comments/"


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_csrf_page_never_links_to_the_request_path(db, path):
    client = Client(enforce_csrf_checks=True)
    client.cookies[REMEMBER_COOKIE] = "x"  # a reader with state: the token is checked
    response = client.post("/", {"body": "My <b>words</b>"}, PATH_INFO=comment_form_path(path))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in page
    assert_only_own_links(page)
    assert "evil.example" not in page
    assert "My &lt;b&gt;words&lt;/b&gt;" in page  # the reader's text is kept, escaped
    assert response["Cache-Control"] == "no-store"


def test_csrf_page_for_backslash_path_has_no_href_to_evil_example(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies[REMEMBER_COOKIE] = "x"  # a reader with state: the token is checked
    response = client.post(comment_form_path("/\\evil.example/x"), {"body": "hello"})
    page = response.content.decode()
    assert response.status_code == 403
    assert not [url for url in urls_of(page) if "evil.example" in url]
    assert "evil.example" not in page


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_404_page_shows_the_path_only_as_escaped_text(client, db, path):
    response = get_path(client, path)
    page = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in page
    assert_only_own_links(page)
    assert "<script>alert" not in page
    assert '"><a href="https://evil.example/' not in page


def test_404_page_names_the_missing_path_as_text(client, db):
    page = get_path(client, "/<script>").content.decode()
    assert '<code dir="ltr">/&lt;script&gt;</code>' in page
    assert "<script>" not in page

    page = get_path(client, "//evil.example/").content.decode()
    assert '<code dir="ltr">//evil.example/</code>' in page
    assert not [url for url in urls_of(page) if "evil.example" in url]


def test_500_page_has_only_own_links(rf):
    response = errors.server_error(rf.get("/\\evil.example/x"))
    page = response.content.decode()
    assert response.status_code == 500
    assert_only_own_links(page)
    assert "evil.example" not in page


def test_503_page_does_not_show_or_link_the_request_path(db):
    request = RequestFactory().post("/\\evil.example/x", {"body": "kept text"})
    response = unavailable_response(request)
    page = response.content.decode()
    assert response.status_code == 503
    assert "kept text" in page
    assert "evil.example" not in page
    assert_only_own_links(page)


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/topics/%00/",
        "/articles/a%00b/",
        "/articles/x%00/comments/feed/",
        "/topics/%1f/feed/",
        "/notes/%00/",
        "/notes/%00/reminder.ics",
        "/2016/05/%00/",
    ],
)
def test_control_characters_in_a_path_are_not_found_not_an_error(client, db, path):
    assert client.get(path).status_code == 404


def test_healthz_answers_when_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
