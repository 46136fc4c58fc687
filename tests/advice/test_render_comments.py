"""Each comment's HTML is rendered once per process
(advice/templatetags/comment_tags.py): what readers see must still follow
every change of the comment, of the page around it and of the reader."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advice.models import Comment
from advice.templatetags import comment_tags
from tests.advice.comments.posting import comment_from, post


@pytest.fixture(autouse=True)
def _cold_pages(settings):
    # The fragment cache off: only the per-comment rendering is under test.
    settings.FRAGMENT_CACHE = False
    settings.COMMENTS_TIMING_RULES = False


def _page(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_changed_comment_shows_its_new_text_name_and_website(client, make_article, make_comment):
    article = make_article()
    comment = make_comment(article, author_name="Old Name", body="The first text.")
    assert "The first text." in _page(client, article)
    Comment.objects.filter(pk=comment.pk).update(  # no save(), no signal: the row alone
        author_name="New Name",
        author_url="https://new.example/",
        body="The second text.",
        edited_at=timezone.now(),
    )
    page = _page(client, article)
    assert "The second text." in page
    assert "The first text." not in page
    assert '<a href="https://new.example/" rel="nofollow ugc">New Name</a>' in page
    assert "Old Name" not in page
    assert '<span class="comment-edited">edited</span>' in page


def test_a_comment_shows_in_the_time_zone_of_the_site(client, make_article, make_comment, settings):
    article = make_article()
    make_comment(article, created_at=datetime(2024, 1, 15, 12, 0, tzinfo=UTC))
    assert '<time datetime="2024-01-15T12:00:00+0000">15 January 2024, 12:00</time>' in _page(
        client, article
    )
    settings.TIME_ZONE = "Europe/Paris"
    page = _page(client, article)
    assert '<time datetime="2024-01-15T13:00:00+0100">15 January 2024, 13:00</time>' in page


def test_the_edit_link_is_the_writers_alone(client, make_article, make_comment):
    article = make_article()
    make_comment(article, author_email="ana@example.com")  # approved before: Ana's next is too
    writer = Client()
    mine = comment_from(post(writer, article, body="Approved at once."))
    assert mine.status == Comment.Status.APPROVED
    edit = f"/articles/{article.slug}/comments/{mine.pk}/edit/"
    assert edit not in _page(Client(), article)
    assert edit in _page(writer, article)
    assert edit not in _page(Client(), article)


def test_a_held_comment_is_marked_for_its_writer_and_unmarked_once_approved(client, make_article):
    article = make_article()
    writer = Client()
    held = comment_from(post(writer, article, body="Waiting for a moderator."))
    assert held.status == Comment.Status.PENDING
    page = _page(writer, article)
    assert f'<li id="comment-{held.pk}" class="comment depth-1 held">' in page
    assert "Your comment is awaiting moderation." in page
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.APPROVED)
    page = _page(writer, article)
    assert f'<li id="comment-{held.pk}" class="comment depth-1">' in page
    assert "Your comment is awaiting moderation." not in page
    assert f"replytocom={held.pk}#respond" in page


def test_reply_links_follow_the_comment_page_and_closing(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    *_, third = (make_comment(article) for _ in range(3))
    on_page_2 = _page(client, article, "?cpage=2")
    assert f'href="?cpage=2&amp;replytocom={third.pk}#respond"' in on_page_2
    settings.COMMENTS_PER_PAGE = 3  # now on page 1
    assert f'href="?replytocom={third.pk}#respond"' in _page(client, article)
    article.comment_status = article.CommentStatus.CLOSED
    article.save()
    page = _page(client, article)
    assert f"replytocom={third.pk}" not in page
    assert "Comments are closed." in page


def test_a_reply_says_whom_it_answers_when_the_nesting_is_not_shown(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_MAX_DEPTH = 2
    article = make_article()
    parent = make_comment(article, parent=make_comment(article), author_name="Parent Writer")
    make_comment(article, parent=parent)  # shown at depth 2, beside its parent
    page = _page(client, article)
    assert f'Reply to <a href="#comment-{parent.pk}">Parent Writer</a>' in page
    settings.COMMENTS_MAX_DEPTH = 5
    assert "Reply to <a href" not in _page(client, article)


def test_a_long_comment_is_shown_whole(client, make_article, make_comment):
    body = "Long paragraph. " * (comment_tags.ITEM_MEMO_CHARS // 8) + "THE END"
    article = make_article()
    make_comment(article, body=body)
    assert "THE END" in _page(client, article)


def test_text_is_escaped_linked_and_imported_html_cleaned(client, make_article, make_comment):
    article = make_article()
    make_comment(article, body="<b>bold?</b> see https://example.com/a\n\nNext paragraph.")
    make_comment(
        article,
        body="imported",
        body_html='<p>Hi <a href="https://x.example/">x</a><script>alert(1)</script></p>',
    )
    page = _page(client, article)
    assert (
        '<p>&lt;b&gt;bold?&lt;/b&gt; see <a rel="nofollow ugc" href="https://example.com/a">'
        "https://example.com/a</a></p>\n\n<p>Next paragraph.</p>"
    ) in page
    assert '<a href="https://x.example/" rel="nofollow ugc">x</a>' in page
    assert "alert(1)" not in page


@pytest.mark.parametrize("fragment_cache", [False, True])
def test_a_reader_with_state_costs_the_same_queries_whatever_the_comment_count(
    make_article, settings, fragment_cache
):
    settings.FRAGMENT_CACHE = fragment_cache
    counts = {}
    for n in (0, 5, 50, 500):
        article = make_article()
        Comment.objects.bulk_create(
            Comment(
                article=article,
                author_name=f"R{i}",
                author_email=f"r{i}@example.com",
                body=f"Comment {i}, see https://example.com/{i}",
                status=Comment.Status.APPROVED,
            )
            for i in range(n)
        )
        reader = Client()
        posted = post(reader, article, body="Mine, held.", remember="on")
        assert comment_from(posted).status == Comment.Status.PENDING
        assert {"comment_author", "comment_browser"} <= set(reader.cookies)
        url = posted["Location"].split("#")[0]  # the comment page holding it
        reader.get(url)  # fragments, when cached, are in place
        with CaptureQueriesContext(connection) as queries:
            response = reader.get(url)
        page = response.content.decode()
        assert "Your comment is awaiting moderation." in page
        assert 'value="Ana"' in page  # the remembered name
        counts[n] = len(queries.captured_queries)
    # Longer than one comment page: two queries more at most, whatever its
    # length (advice.comments.views._comment_thread_html).
    assert counts[0] == counts[5] == counts[50], counts
    assert counts[500] <= counts[5] + 2, counts
