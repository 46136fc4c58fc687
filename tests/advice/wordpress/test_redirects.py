"""Old WordPress links answer 301 to the imported article
(advice/wordpress/redirects.py). Links made only of slashes never match an
article imported with an empty old path. The fallback that asks the link
shapes is tested in test_fallback.py."""

import pytest

from advice.wordpress.redirects import permalink_redirect, short_link_redirect


@pytest.mark.parametrize("path", ["//", "///", "////"])
def test_slashes_only_path_does_not_match_an_article_with_empty_wordpress_path(
    client, make_article, path
):
    make_article(wp_path="")
    make_article(wp_path="/")
    response = client.get("/", PATH_INFO=path)  # raw path: "//x/" is not a host here
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize("path", ["", "/", "//", "///"])
def test_permalink_shape_refuses_a_path_of_slashes(make_article, path):
    make_article(wp_path="")
    make_article(wp_path="/")
    assert permalink_redirect(path) is None


def test_old_wordpress_path_still_redirects(client, make_article):
    make_article(wp_path="")
    article = make_article(wp_path="/2014/05/thank-you-notes/")
    for path in ["/2014/05/thank-you-notes/", "/2014/05/thank-you-notes"]:
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()


def test_short_link_answers_301_to_the_published_article(client, make_article):
    article = make_article(wp_id=4711)
    response = client.get("/?p=4711")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize("value", ["", "abc", "²", "-1"])
def test_short_link_that_is_not_a_number_leaves_the_home_page_alone(value):
    assert short_link_redirect(value) is None


def test_short_link_to_a_draft_is_404(client, make_article):
    from advice.models import Article

    make_article(wp_id=4712, status=Article.Status.DRAFT)
    assert client.get("/?p=4712").status_code == 404


def test_head_on_an_old_wordpress_path_answers_like_get(client, make_article):
    """Link checkers ask with HEAD: the old link answers the same 301."""
    article = make_article(wp_path="/2016/05/10/old-slug/")
    response = client.head("/2016/05/10/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert response.content == b""
