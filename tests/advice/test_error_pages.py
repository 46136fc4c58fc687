"""Error pages (403 CSRF, 404, 500, 503) never turn what the request sent
into a link: the path is shown as escaped text at most, and every link on
them is a fixed path of this site. Old WordPress links made only of slashes
never match an article imported with an empty old path."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.http import Http404
from django.test import Client, RequestFactory

from advice import pages as views
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
        assert not url.startswith("//") and "\\" not in url, url
        assert "evil.example" not in url and "javascript:" not in url.lower(), url


def get_path(client, path: str):
    """GET ``path`` exactly as sent (the test client would read ``//host/``
    as a host, so the raw path goes in ``PATH_INFO``)."""
    return client.get("/", PATH_INFO=path)


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_csrf_page_never_links_to_the_request_path(db, path):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {"body": "My <b>words</b>"}, PATH_INFO=path)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in page
    assert_only_own_links(page)
    assert "evil.example" not in page
    assert "My &lt;b&gt;words&lt;/b&gt;" in page  # the reader's text is kept, escaped
    assert response["Cache-Control"] == "no-store"


def test_csrf_page_for_backslash_path_has_no_href_to_evil_example(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/\\evil.example/x", {"body": "hello"})
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
    response = views.server_error(rf.get("/\\evil.example/x"))
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


# --- Old WordPress links ------------------------------------------------------


@pytest.mark.parametrize("path", ["//", "///", "////"])
def test_slashes_only_path_does_not_match_an_article_with_empty_wordpress_path(
    client, make_article, path
):
    make_article(wp_path="")
    make_article(wp_path="/")
    response = get_path(client, path)
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize("captured", ["", "/", "//", "///"])
def test_wordpress_redirect_refuses_a_path_of_slashes(rf, make_article, captured):
    make_article(wp_path="")
    with pytest.raises(Http404):
        views.wordpress_redirect(rf.get("/" + captured), path=captured)


def test_old_wordpress_path_still_redirects(client, make_article):
    make_article(wp_path="")
    article = make_article(wp_path="/2014/05/thank-you-notes/")
    for path in ["/2014/05/thank-you-notes/", "/2014/05/thank-you-notes"]:
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()
