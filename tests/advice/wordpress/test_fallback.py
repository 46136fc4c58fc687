"""Old WordPress links are a fallback (advice/wordpress/redirects.py,
``OldLinkFallbackMiddleware``): looked up only when no URL pattern matched
and the slash redirect did not answer, so they shadow no page of the site."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, ProgrammingError, connection

from advice.models import Article

NOT_FOUND_TEXT = "We couldn't find that page"


@pytest.fixture
def old_article(make_article):
    make_article(wp_path="")  # an article imported without an old path
    return make_article(slug="thank-you-notes", wp_path="/2014/05/old-slug/")


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("path", ["/2014/05/old-slug/", "/2014/05/old-slug"])
def test_old_permalink_answers_301_to_the_article(client, old_article, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 301
    assert response["Location"] == old_article.get_absolute_url() == "/articles/thank-you-notes/"


def test_old_permalink_stored_without_final_slash_is_found_with_it(client, make_article):
    article = make_article(wp_path="/archives/123")
    response = client.get("/archives/123/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize(
    "path", ["/2014/05/no-such-slug/", "/2014/05/no-such-slug", "/wp-login.php"]
)
def test_unknown_path_is_the_sites_404_page(client, old_article, path):
    response = client.get(path)
    assert response.status_code == 404
    assert NOT_FOUND_TEXT in response.content.decode()


def test_old_path_of_a_draft_is_404(client, make_article):
    make_article(wp_path="/2015/01/draft/", status=Article.Status.DRAFT)
    response = client.get("/2015/01/draft/")
    assert response.status_code == 404
    assert NOT_FOUND_TEXT in response.content.decode()


@pytest.mark.parametrize("method", ["get", "head"])
def test_article_address_without_final_slash_answers_301_to_it(client, old_article, method):
    response = getattr(client, method)("/articles/thank-you-notes?cpage=2")
    assert response.status_code == 301
    assert response["Location"] == "/articles/thank-you-notes/?cpage=2"


def test_site_pages_win_over_an_old_path_that_names_them(client, make_article):
    """An old path equal to one of the site's own addresses never hides it."""
    make_article(wp_path="/topics/")
    make_article(wp_path="/search")
    assert client.get("/topics/").status_code == 200
    response = client.get("/search?q=notes")
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=notes"


def test_a_page_that_answers_404_itself_is_not_looked_up(client, make_article):
    """A pattern matched and its view said 404: that is the answer."""
    make_article(wp_path="/articles/gone/")
    response = client.get("/articles/gone/")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/old-post/", "/static/old-post/", "/media/old-post/"])
def test_admin_static_and_upload_paths_never_redirect_to_an_article(client, make_article, path):
    article = make_article(wp_path=path)
    response = client.get(path)
    assert response.status_code != 301
    assert response.get("Location", "") != article.get_absolute_url()


@pytest.mark.parametrize("path", ["/old%00slug/", "/old%7Fslug/", "/old%0Aslug"])
def test_path_with_control_characters_is_404(client, old_article, path):
    response = client.get(path)
    assert response.status_code == 404


def test_post_to_an_old_path_is_not_redirected(client, old_article):
    """A 301 would turn the POST into a GET: only GET and HEAD are looked up."""
    assert client.post("/2014/05/old-slug/").status_code == 404


def _failing(error):
    """A database execute wrapper that raises ``error`` for the old-link
    query (Django's documented hook, ``connection.execute_wrapper``)."""

    def wrapper(execute, sql, params, many, context):
        if "wp_path" in sql:
            raise error
        return execute(sql, params, many, context)

    return wrapper


def test_database_outage_during_the_lookup_answers_503_not_404(client, old_article):
    """A crawler told 404 would drop the old link; 503 says "come back"."""
    with connection.execute_wrapper(_failing(OperationalError("database is locked"))):
        response = client.get("/2014/05/old-slug/")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_failing_lookup_keeps_the_404_and_is_logged(client, old_article, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="advice.wordpress.redirects"),
        connection.execute_wrapper(_failing(ProgrammingError("no such column"))),
    ):
        response = client.get("/2014/05/old-slug/")
    assert response.status_code == 404
    assert NOT_FOUND_TEXT in response.content.decode()
    assert "Old-link lookup failed" in caplog.text
