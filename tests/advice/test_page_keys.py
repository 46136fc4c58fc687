"""A cached fragment means what the page shows: every query value a cached
fragment reads is in one normal form (config.pagequery) for its key and its
render, and a page asked for in any other form answers 301 to the normal one;
a page beyond the last answers a never-cached 302 (it may exist later)."""

from __future__ import annotations

import html

import pytest

from advice.pages import ARTICLES_PER_PAGE
from config.pagequery import MAX_PAGE, normal_page, page_path

ODD_FORMS_OF_3 = ["+3", "%2B3", "03", "%203", "3&cpage=3", "2&cpage=3"]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (None, 1),
        ("", 1),
        ("1", 1),
        ("3", 3),
        ("+3", 3),
        (" 3", 3),
        ("03", 3),
        ("0", 1),
        ("-3", 1),
        ("abc", 1),
        ("3.0", 1),
        ("\x00", 1),
        ("9" * 40, 1),
        (str(MAX_PAGE + 1), MAX_PAGE),
    ],
)
def test_normal_page(raw, number):
    assert normal_page(raw) == number


@pytest.fixture
def three_comment_pages(make_article, make_comment, settings):
    """An article whose six top-level comments make three pages of two."""
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    for n in range(6):
        make_comment(article, body=f"Comment {n} here.")
    return article


def test_plus_three_is_not_stored_under_the_plain_article(client, three_comment_pages):
    url = three_comment_pages.get_absolute_url()
    response = client.get(f"{url}?cpage=%2B3")
    assert response.status_code == 301
    assert response["Location"] == f"{url}?cpage=3"
    response = client.get(f"{url}?cpage=+3")  # "+" is a space in a query: " 3"
    assert response.status_code == 301
    assert response["Location"] == f"{url}?cpage=3"
    plain = text(client.get(url))
    assert "Comment 0 here." in plain
    assert "Comment 5 here." not in plain
    assert "Comment page 1 of 3" in plain
    third = text(client.get(f"{url}?cpage=3"))
    assert "Comment 5 here." in third
    assert "Comment 0 here." not in third


@pytest.mark.parametrize("query", ODD_FORMS_OF_3)
def test_any_form_of_a_comment_page_goes_to_its_normal_form(client, three_comment_pages, query):
    url = three_comment_pages.get_absolute_url()
    response = client.get(f"{url}?cpage={query}")
    assert response.status_code == 301
    assert response["Location"] == f"{url}?cpage=3"
    for number in (1, 2, 3):  # every page still shows what its URL says
        page = text(client.get(url if number == 1 else f"{url}?cpage={number}"))
        assert f"Comment page {number} of 3" in page


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("cpage=1", ""),
        ("cpage=abc", ""),
        ("cpage=-2", ""),
        ("cpage=", ""),
        # {reply}: an approved comment (any other id goes to the page without it)
        ("cpage=%2B3&replytocom={reply}", "?cpage=3&replytocom={reply}"),
        ("replytocom={reply}&cpage=1", "?replytocom={reply}"),
    ],
)
def test_comment_page_spellings_redirect_for_good(client, three_comment_pages, query, target):
    url = three_comment_pages.get_absolute_url()
    reply = three_comment_pages.comments.visible().first().pk
    query, target = query.format(reply=reply), target.format(reply=reply)
    response = client.get(f"{url}?{query}", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain
    assert all(code == 301 for _, code in response.redirect_chain)
    assert response.redirect_chain[-1][0] == url + target


def assert_temporary_uncached(response, location: str):
    """A page beyond the last: 302, never 301, and nobody may keep it."""
    assert response.status_code == 302
    assert response["Location"] == location
    cache_control = response["Cache-Control"]
    for directive in ("no-store", "no-cache", "max-age=0"):
        assert directive in cache_control


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("cpage=4", "?cpage=3"),
        ("cpage=9&replytocom={reply}", "?cpage=3&replytocom={reply}"),
        (f"cpage={MAX_PAGE}", "?cpage=3"),
    ],
)
def test_comment_page_beyond_the_last_redirects_for_now(client, three_comment_pages, query, target):
    url = three_comment_pages.get_absolute_url()
    reply = three_comment_pages.comments.visible().first().pk
    query, target = query.format(reply=reply), target.format(reply=reply)
    assert_temporary_uncached(client.get(f"{url}?{query}"), url + target)


def test_a_huge_comment_page_is_spelled_max_page_then_sent_to_the_last(client, three_comment_pages):
    url = three_comment_pages.get_absolute_url()
    response = client.get(f"{url}?cpage=99999999", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{url}?cpage={MAX_PAGE}", 301), (f"{url}?cpage=3", 302)]


def test_a_comment_page_that_comes_into_being_is_served(
    client, make_article, make_comment, settings
):
    """``?cpage=2`` on a one-page article is a temporary 302 to page 1; once
    a comment makes page 2, the same URL (where the comment POST's 303 goes)
    answers 200 with page 2."""
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    make_comment(article, body="Comment 0 here.")
    make_comment(article, body="Comment 1 here.")
    url = article.get_absolute_url()
    assert_temporary_uncached(client.get(f"{url}?cpage=2"), url)
    make_comment(article, body="Comment 2 here.")
    article.save()  # the version every comment change bumps
    second = text(client.get(f"{url}?cpage=2"))
    assert "Comment 2 here." in second
    assert "Comment 0 here." not in second
    assert "Comment page 2 of 2" in second


def test_a_page_removed_by_moderation_redirects_to_the_last_one(client, three_comment_pages):
    url = three_comment_pages.get_absolute_url()
    assert "Comment 5 here." in text(client.get(f"{url}?cpage=3"))  # cached now
    for comment in three_comment_pages.comments.order_by("-pk")[:2]:
        comment.status = comment.Status.REMOVED
        comment.save()
    three_comment_pages.save()  # the version every comment change bumps
    assert_temporary_uncached(client.get(f"{url}?cpage=3"), f"{url}?cpage=2")


# --- home and topic lists --------------------------------------------------------------


@pytest.fixture
def three_list_pages(make_article, make_topic):
    """2 * ARTICLES_PER_PAGE + 1 published articles in one topic: three pages."""
    from datetime import timedelta

    from django.utils import timezone

    topic = make_topic()
    now = timezone.now()
    for n in range(2 * ARTICLES_PER_PAGE + 1):
        make_article(
            title=f"Listed number {n:02d}",
            published_at=now - timedelta(hours=100 - n),
            topics=[topic],
        )
    return topic


@pytest.mark.parametrize("which", ["home", "topic"])
def test_list_pages_have_one_url_and_one_key_each(client, three_list_pages, which):
    url = "/" if which == "home" else three_list_pages.get_absolute_url()
    newest, oldest = f"Listed number {2 * ARTICLES_PER_PAGE:02d}", "Listed number 00"
    for query in ["%2B3", "+3", "03", "3&page=3"]:
        response = client.get(f"{url}?page={query}", follow=True)
        assert response.status_code == 200, query
        assert response.redirect_chain[-1] == (f"{url}?page=3", 301), query
    for query in ["4", "7", str(MAX_PAGE)]:  # beyond the last page: for now only
        assert_temporary_uncached(client.get(f"{url}?page={query}"), f"{url}?page=3")
    response = client.get(f"{url}?page=%2B7", follow=True)  # spelling, then range
    assert response.redirect_chain == [(f"{url}?page=7", 301), (f"{url}?page=3", 302)]
    for query in ["1", "abc", "-1", "0", ""]:
        response = client.get(f"{url}?page={query}")
        assert response.status_code == 301, query
        assert response["Location"] == url, query
    plain = text(client.get(url))
    assert newest in plain
    assert oldest not in plain
    assert "Page 1 of 3" in plain
    last = text(client.get(f"{url}?page=3"))
    assert oldest in last
    assert newest not in last
    assert "Page 3 of 3" in last
    second = text(client.get(f"{url}?page=2"))
    assert 'rel="prev" href="."' in second  # page 1 is linked in its normal form


def test_home_old_wordpress_links_still_come_first(client, make_article):
    article = make_article(wp_id=42)
    response = client.get("/?p=42&page=+3")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


# --- the note drafter ------------------------------------------------------------------


def test_drafter_way_back_is_the_page_path_in_normal_form(rf):
    request = rf.get("/articles/x/", {"cpage": "+3", "utm_source": "mail", "replytocom": "9"})
    assert page_path(request, ["cpage"]) == "/articles/x/?cpage=3"
    assert page_path(rf.get("/articles/x/", {"cpage": "1", "page": "abc"}), ["cpage"]) == (
        "/articles/x/"
    )


def test_drafter_way_back_keeps_only_the_page_parameters_the_page_reads(rf):
    request = rf.get("/articles/x/", {"cpage": "3", "page": "\u0663"})  # Arabic-Indic 3
    assert page_path(request, ["cpage"]) == "/articles/x/?cpage=3"
    assert page_path(rf.get("/articles/x/", {"page": "3"}), ["cpage"]) == "/articles/x/"
    assert page_path(rf.get("/x/", {"page": "3", "cpage": "2"}), []) == "/x/"
    assert page_path(rf.get("/x/", {"page": "3", "cpage": "2"}), ["page"]) == "/x/?page=3"


def test_cached_drafter_never_carries_another_readers_query(client, make_article, db):
    from notes.models import NoteTemplate

    note = NoteTemplate.objects.create(
        title="Thanks", slug="thanks-keys", subject="Thanks", body="Hi, [name]!\n\n[your name]"
    )
    article = make_article(answer="Before.\n\n{{note:thanks-keys}}\n\nAfter.")
    url = article.get_absolute_url()
    first = text(client.get(f"{url}?utm_source=%22evil%22&replytocom=1", follow=True))
    assert f'name="back" value="{url}"' in first
    again = text(client.get(url))
    assert f'name="back" value="{url}"' in again
    assert "evil" not in again
    assert note.pk
