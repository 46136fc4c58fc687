"""Old WordPress addresses keep working (issue 13, item 2): every permalink
shape and ending answers 301 to the article or the nearest page, to GET and
HEAD alike; unknown addresses and drafts stay the site's friendly 404
(advice/wordpress/redirects.py, old_paths.py; the table is
docs/wordpress-links.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advice.models import Article
from advice.slug_history import article_old_slugs_record

NOT_FOUND_TEXT = "We couldn't find that page"
ARTICLE = "/articles/thank-you-notes/"
COMMENT_FEED = "/articles/thank-you-notes/comments/feed/"


@pytest.fixture
def site(make_article, make_topic):
    """An imported site: one published post, a draft, a topic."""
    topic = make_topic(name="Interviews", slug="interviews")
    make_article(wp_path="")  # imported without an old path
    article = make_article(
        slug="thank-you-notes",
        wp_id=4711,
        wp_path="/2014/05/thank-you-notes/",
        published_at=datetime(2014, 5, 12, 10, tzinfo=UTC),
        topics=[topic],
    )
    make_article(
        slug="draft-post",
        wp_id=4712,
        wp_path="/2014/05/draft-post/",
        status=Article.Status.DRAFT,
        published_at=datetime(2014, 5, 13, 10, tzinfo=UTC),
    )
    return article


ANSWERS = [
    # (old address, where it answers 301 to)
    ("/2014/05/thank-you-notes/", ARTICLE),  # date-based, as stored
    ("/2014/05/thank-you-notes", ARTICLE),
    ("/2014/05/12/thank-you-notes/", ARTICLE),  # date-based with the day
    ("/thank-you-notes/", ARTICLE),  # /%postname%/
    ("/archives/4711", ARTICLE),  # /archives/<id>
    ("/archives/4711/", ARTICLE),
    ("/2014/05/thank-you-notes/amp/", ARTICLE),
    ("/2014/05/thank-you-notes/?amp=1", ARTICLE),
    ("/2014/05/thank-you-notes/embed/", ARTICLE),
    ("/thank-you-notes/amp/", ARTICLE),
    ("/archives/4711/amp/", ARTICLE),
    ("/2014/05/thank-you-notes/trackback/", ARTICLE),
    ("/2014/05/thank-you-notes/feed/", COMMENT_FEED),
    ("/2014/05/thank-you-notes/feed/rss2/", COMMENT_FEED),
    ("/archives/4711/feed/", COMMENT_FEED),
    ("/2014/05/thank-you-notes/comment-page-1/", ARTICLE),  # no comments: the article
    ("/index.php/2014/05/thank-you-notes/", ARTICLE),
    ("/index.php/archives/4711", ARTICLE),
    ("/index.php/thank-you-notes/feed/", COMMENT_FEED),
    ("/2014/05/Thank-You-Notes/", ARTICLE),  # another letter case
    ("/THANK-YOU-NOTES/", ARTICLE),
    ("/2014/05/12/Thank-You-Notes/amp/", ARTICLE),
    ("/category/interviews/", "/topics/interviews/"),
    ("/category/careers/interviews/", "/topics/interviews/"),  # a child category
    ("/tag/interviews/", "/topics/interviews/"),
    ("/tag/Interviews/", "/topics/interviews/"),
    ("/category/interviews/feed/", "/topics/interviews/feed/"),
    ("/category/interviews/page/2/", "/topics/interviews/?page=2"),
    ("/2014/05/", "/archive/2014/05/"),
    ("/2014/05/12/", "/archive/2014/05/"),  # a day: its month
    ("/2014/05/page/2/", "/archive/2014/05/?page=2"),
    ("/index.php/2014/05/", "/archive/2014/05/"),
    ("/page/2/", "/?page=2"),
    ("/feed/rss2/", "/feed/"),
    ("/comments/feed/rss2/", "/comments/feed/"),
    ("/index.php?p=4711", ARTICLE),
    ("/?p=4711", ARTICLE),
    ("/?p=4711&amp=1", ARTICLE),
    ("/?s=thank+you", "/search/?q=thank+you"),
    ("/?s=caf%C3%A9", "/search/?q=caf%C3%A9"),
    ("/index.php?s=notes", "/search/?q=notes"),
    ("/index.php", "/"),
    ("/index.php?utm_source=x", "/"),
]


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize(("address", "target"), ANSWERS)
def test_old_address_answers_301_to_its_page(client, site, address, target, method):
    response = getattr(client, method)(address)
    assert response.status_code == 301, address
    assert response["Location"] == target
    if method == "head":
        assert response.content == b""


@pytest.mark.parametrize(("address", "target"), ANSWERS)
def test_the_page_an_old_address_names_exists(client, site, address, target):
    """Each 301 leads to a page that answers (no chain to a 404); a page
    number beyond the last is the list's own 302 to its last page."""
    response = client.get(target, follow=True)
    assert response.status_code == 200, target
    assert all(status != 301 for _, status in response.redirect_chain), target


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize(
    "address",
    [
        "/2014/05/no-such-post/",
        "/no-such-post/",
        "/archives/999",  # a skipped item's id: the importer keeps no record of it
        "/archives/999/feed/",
        "/category/no-such-topic/",
        "/tag/no-such-topic/",
        "/2014/13/",  # no such month
        "/2014/00/",
        "/index.php/no-such-post/",
        "/wp-login.php",
    ],
)
def test_unknown_old_address_is_the_friendly_404(client, site, address, method):
    response = getattr(client, method)(address)
    assert response.status_code == 404
    if method == "get":
        assert NOT_FOUND_TEXT in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/2014/05/draft-post/",
        "/2014/05/13/draft-post/",
        "/draft-post/",
        "/archives/4712",
        "/2014/05/draft-post/feed/",
        "/index.php/draft-post/amp/",
        "/?p=4712",
    ],
)
def test_old_address_of_a_draft_is_404(client, site, address):
    response = client.get(address)
    assert response.status_code == 404
    assert "Location" not in response


def test_an_old_address_never_leads_to_a_scheduled_article(client, make_article):
    make_article(
        slug="later",
        wp_id=1,
        wp_path="/2099/01/later/",
        published_at=datetime(2099, 1, 1, tzinfo=UTC),
    )
    assert client.get("/2099/01/later/").status_code == 404
    assert client.get("/later/").status_code == 404
    assert client.get("/archives/1").status_code == 404


def test_wordpress_old_slug_answers_in_every_shape(client, site):
    """``_wp_old_slug`` values kept at import name the article too."""
    assert article_old_slugs_record(site, ["thanks-after-an-interview"]) == 1
    for address in [
        "/2014/05/thanks-after-an-interview/",
        "/thanks-after-an-interview/",
        "/2014/05/12/Thanks-After-An-Interview/feed/",
    ]:
        response = client.get(address)
        assert response.status_code == 301
        assert response["Location"] in (ARTICLE, COMMENT_FEED)


def test_the_date_picks_the_post_when_two_share_a_name(client, site, make_article):
    """An imported post whose name was taken here got ``-2``: the date in
    the address tells the two apart."""
    later = make_article(
        slug="thank-you-notes-2",
        wp_path="/2015/01/thank-you-notes/",
        published_at=datetime(2015, 1, 20, 9, tzinfo=UTC),
    )
    response = client.get("/2015/01/20/thank-you-notes/")
    assert response["Location"] == later.get_absolute_url()
    response = client.get("/2014/05/12/thank-you-notes/")
    assert response["Location"] == ARTICLE


def test_a_page_of_the_site_wins_over_an_old_address(client, make_article):
    make_article(slug="x", wp_path="/topics/")
    assert client.get("/topics/").status_code == 200


def test_comment_page_answers_with_the_page_holding_its_first_comment(
    client, site, make_comment, settings
):
    """WordPress's comment page N starts with the ((N-1) x 50 + 1)th
    top-level comment, oldest first; we answer with our page holding it."""
    settings.COMMENTS_PER_PAGE = 20
    roots = [make_comment(site) for _ in range(60)]
    make_comment(site, parent=roots[0])  # a reply: not counted as a thread
    response = client.get("/2014/05/thank-you-notes/comment-page-2/")
    assert response.status_code == 301
    # Display order: root 0, its reply, roots 1..59; root 50 is entry 51 → page 3.
    assert response["Location"] == f"{ARTICLE}?cpage=3#comment-{roots[50].pk}"
    page = client.get(response["Location"].split("#")[0])
    assert f'id="comment-{roots[50].pk}"' in page.content.decode()


def test_comment_page_beyond_the_comments_answers_with_the_article(client, site, make_comment):
    make_comment(site)
    response = client.head("/thank-you-notes/comment-page-7/")
    assert response.status_code == 301
    assert response["Location"] == ARTICLE


def test_post_to_an_old_address_is_not_redirected(client, site):
    assert client.post("/2014/05/thank-you-notes/").status_code in (403, 404, 405)
