"""Fragment caching and conditional GET (advice.caching): cached parts are
reused, change when what they show changes, end at the next scheduled publish
or automatic close, and never carry one reader's data to another."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from advice import caching
from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.comments.forms import form_token
from advice.comments.moderation import comment_approve, comment_remove
from advice.models import Article, Comment
from advice.related import related_refresh
from advice.site_version import SiteVersion

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


# --- pure rules -------------------------------------------------------------------


def test_fragment_timeout_ends_at_the_next_scheduled_publish_or_close():
    in_90_s = T0 + timedelta(seconds=90)
    in_1_day = T0 + timedelta(days=1)
    assert caching.fragment_timeout(T0, [None, in_1_day], 300) == 300
    assert caching.fragment_timeout(T0, [in_90_s, in_1_day], 300) == 90
    assert caching.fragment_timeout(T0, [T0 + timedelta(milliseconds=10)], 300) == 1
    assert caching.fragment_timeout(T0, [T0 - timedelta(hours=1)], 300) == 300  # past: ignored


def test_last_modified_is_the_latest_change_rounded_up_within_the_window():
    changed = T0 - timedelta(days=3, microseconds=-500_000)  # a fraction of a second
    now = T0 + timedelta(minutes=10)
    assert caching.last_modified([changed, None], now, window=0) == int(changed.timestamp()) + 1
    # A revalidation period starting at 12:00 hides older changes.
    assert caching.last_modified([changed], now, window=3600) == int(T0.timestamp())
    # A close time still ahead is not a change yet.
    later = now + timedelta(hours=2)
    assert caching.last_modified([changed, later], now, window=0) == int(changed.timestamp()) + 1


@pytest.mark.parametrize("cookie", ["sessionid", BROWSER_COOKIE, REMEMBER_COOKIE])
def test_a_reader_with_state_of_their_own_gets_no_conditional_get(cookie):
    assert caching.conditional_get_allowed({"csrftoken": "x"})
    assert not caching.conditional_get_allowed({"csrftoken": "x", cookie: "y"})


# --- helpers ------------------------------------------------------------------------


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries.captured_queries)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _comment_section(response) -> str:
    page = _text(response)
    return page[page.index('id="comments"') : page.index('id="respond"')]


def _post(client, article, **fields):
    data = {
        "name": "Ana",
        "email": "ana@example.com",
        "url": "",
        "body": "Thank you for this.",
        "token": form_token(article.pk, timezone.now() - timedelta(seconds=30)),
        "honeypot": "",
    }
    data.update(fields)
    return client.post(reverse("advice:comment_post", args=[article.slug]), data)


@pytest.fixture
def article_with_comments(make_article, make_topic, make_comment):
    topic = make_topic()
    article = make_article(topics=[topic], comments_close_at=timezone.now() + timedelta(days=30))
    make_article(title="A neighbour in the same topic", topics=[topic])
    for i in range(5):
        make_comment(article, body=f"Approved comment {i}.")
    related_refresh()  # as the task queue does after the commit (advice.related)
    _backdate_all()
    article.refresh_from_db()
    return article


def _backdate_all():
    """Every article last changed an hour ago, so a change now is a later
    second (HTTP dates count whole seconds)."""
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.update(updated_at=an_hour_ago)
    SiteVersion.objects.update(changed_at=an_hour_ago)


# --- reuse ----------------------------------------------------------------------------


def test_second_request_reuses_comment_tree_and_related_list(
    client, article_with_comments, settings
):
    settings.PAGE_CACHE = False  # the fragments, not the whole page (test_page_cache.py)
    url = article_with_comments.get_absolute_url()
    first, cold = _get(client, url)
    second, warm = _get(client, url)
    assert first.status_code == second.status_code == 200
    assert warm <= cold - 2  # the comment tree and related-list queries are gone
    assert _comment_section(first) == _comment_section(second)
    assert "Approved comment 4." in _comment_section(second)
    assert "A neighbour in the same topic" in _text(second)


def test_home_list_is_reused_until_an_article_changes(client, make_article):
    make_article(title="First answer")
    _, cold = _get(client, "/")
    second, warm = _get(client, "/")
    assert warm < cold
    assert "First answer" in _text(second)
    make_article(title="Second answer")
    assert "Second answer" in _text(client.get("/"))


def test_with_fragment_cache_off_nothing_is_reused(client, article_with_comments, settings):
    settings.FRAGMENT_CACHE = False
    url = article_with_comments.get_absolute_url()
    first, cold = _get(client, url)
    second, again = _get(client, url)
    assert cold == again
    assert "Last-Modified" not in second
    assert "no-store" in second["Cache-Control"]


# --- invalidation -------------------------------------------------------------------


def test_comment_tree_shows_an_approved_comment_at_once(
    client, article_with_comments, make_comment
):
    url = article_with_comments.get_absolute_url()
    held = make_comment(article_with_comments, body="Waiting words.", status=Comment.Status.PENDING)
    assert "Waiting words." not in _text(client.get(url))
    comment_approve(comments=[held])
    assert "Waiting words." in _comment_section(client.get(url))


def test_comment_tree_drops_a_removed_comment_at_once(client, article_with_comments):
    url = article_with_comments.get_absolute_url()
    assert "Approved comment 2." in _comment_section(client.get(url))
    comment_remove(comments=article_with_comments.comments.filter(body="Approved comment 2."))
    page = _comment_section(client.get(url))
    assert "Approved comment 2." not in page
    assert "4 Responses" in page


def test_comment_tree_shows_a_comment_posted_approved_at_once(
    client, article_with_comments, settings
):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_TIMING_RULES = False
    url = article_with_comments.get_absolute_url()
    assert "6 Responses" not in _text(client.get(url))
    response = _post(Client(), article_with_comments, body="Posted and approved.")
    assert response.status_code == 303
    page = _comment_section(client.get(url))
    assert "Posted and approved." in page
    assert "6 Responses" in page


def test_related_list_follows_an_edit_of_the_related_article(client, article_with_comments):
    url = article_with_comments.get_absolute_url()
    assert "A neighbour in the same topic" in _text(client.get(url))
    neighbour = Article.objects.get(title="A neighbour in the same topic")
    neighbour.title = "A renamed neighbour"
    neighbour.save()
    related_refresh()  # as the task queue does after the commit
    page = _text(client.get(url))
    assert "A renamed neighbour" in page
    assert "A neighbour in the same topic" not in page


def test_closed_comments_are_never_served_from_an_open_page_entry(
    client, article_with_comments, settings
):
    # The comment tree's entry; the whole page's ends at the close time
    # (test_page_cache.py: test_the_entry_ends_at_the_automatic_close_time).
    settings.PAGE_CACHE = False
    url = article_with_comments.get_absolute_url()
    assert 'class="comment-reply-link"' in _text(client.get(url))
    Article.objects.filter(pk=article_with_comments.pk).update(  # the close time passes
        comments_close_at=timezone.now() - timedelta(seconds=1)
    )
    page = _text(client.get(url))
    assert "Comments are closed." in page
    assert 'class="comment-reply-link"' not in page


def test_scheduled_article_shows_once_its_time_has_come(client, make_article, make_topic):
    topic = make_topic()
    shown = make_article(title="Out already", topics=[topic])
    due = timezone.now() + timedelta(hours=1)
    scheduled = make_article(title="Coming soon", published_at=due, topics=[topic])
    related_refresh()  # as the task queue does after the commit
    assert "Coming soon" not in _text(client.get("/"))
    assert "Coming soon" not in _text(client.get(shown.get_absolute_url()))
    assert "Coming soon" not in _text(client.get(topic.get_absolute_url()))
    # Its time comes: nothing is saved (updated_at stays), the time passes.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    assert "Coming soon" in _text(client.get("/"))
    assert "Coming soon" in _text(client.get(shown.get_absolute_url()))
    assert "Coming soon" in _text(client.get(topic.get_absolute_url()))


def test_entries_end_at_the_next_scheduled_publish(make_article):
    now = timezone.now()
    due = now + timedelta(seconds=120)
    make_article(published_at=due)
    state = caching.site_state(now)
    assert state.next_publish == due
    assert caching.fragment_timeout(now, [state.next_publish], 300) == 120


# --- no reader gets another reader's data -------------------------------------------


@pytest.mark.parametrize("writer_first", [True, False])
def test_no_reader_sees_another_readers_held_comment_or_name(
    article_with_comments, settings, writer_first
):
    settings.COMMENTS_TIMING_RULES = False
    url = article_with_comments.get_absolute_url()
    writer, other = Client(), Client()
    writer.get(url)
    response = _post(
        writer,
        article_with_comments,
        name="Zelda Held",
        body="My private held words.",
        remember="on",
    )
    assert response.status_code == 303
    assert {BROWSER_COOKIE, REMEMBER_COOKIE} <= set(writer.cookies)

    order = [writer, other] if writer_first else [other, writer]
    pages = {id(c): c.get(url) for c in order}
    mine, theirs = pages[id(writer)], pages[id(other)]
    assert "My private held words." in _text(mine)
    assert 'value="Zelda Held"' in _text(mine)
    assert "My private held words." not in _text(theirs)
    assert "Zelda Held" not in _text(theirs)
    assert "csrfmiddlewaretoken" not in theirs.content.decode()
    # The writer's page is theirs alone: never stored, never revalidated.
    assert "no-store" in mine["Cache-Control"]
    assert "Last-Modified" not in mine
    assert "public" in theirs["Cache-Control"]


# --- conditional GET --------------------------------------------------------------------


def test_article_page_answers_304_until_it_changes(client, article_with_comments, make_comment):
    url = article_with_comments.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=10"
    stamp = first["Last-Modified"]

    again, queries = _get(client, url, if_modified_since=stamp)
    assert again.status_code == 304
    assert again.content == b""
    assert queries == 1  # the site version (advice.page_cache)

    held = make_comment(article_with_comments, body="Fresh news.", status=Comment.Status.PENDING)
    comment_approve(comments=[held])
    fresh = client.get(url, headers={"if-modified-since": stamp})
    assert fresh.status_code == 200
    assert "Fresh news." in _text(fresh)


def test_a_reader_without_cookies_gets_304_the_page_holds_no_token(article_with_comments):
    url = article_with_comments.get_absolute_url()
    first = Client().get(url)
    assert "csrftoken" not in first.cookies
    again = Client().get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_no_304_for_a_reader_with_a_remembered_name(article_with_comments, settings):
    settings.COMMENTS_TIMING_RULES = False
    url = article_with_comments.get_absolute_url()
    writer = Client()
    writer.get(url)
    assert _post(writer, article_with_comments, name="Yusuf", remember="on").status_code == 303
    future = http_date((timezone.now() + timedelta(days=1)).timestamp())
    page = writer.get(url, headers={"if-modified-since": future})
    assert page.status_code == 200
    assert 'value="Yusuf"' in _text(page)


def test_no_304_for_staff(staff_client, article_with_comments):
    url = article_with_comments.get_absolute_url()
    future = http_date((timezone.now() + timedelta(days=1)).timestamp())
    staff_client.get(url)
    page = staff_client.get(url, headers={"if-modified-since": future})
    assert page.status_code == 200
    assert "Last-Modified" not in page


def test_home_page_answers_304_until_an_article_is_published(client, make_article):
    make_article(title="Old news")
    _backdate_all()
    stamp = client.get("/")["Last-Modified"]
    assert client.get("/", headers={"if-modified-since": stamp}).status_code == 304
    make_article(title="New answer")
    page = client.get("/", headers={"if-modified-since": stamp})
    assert page.status_code == 200
    assert "New answer" in _text(page)


def test_comment_deleted_in_the_admin_leaves_the_tree_at_once(
    client, staff_client, article_with_comments
):
    url = article_with_comments.get_absolute_url()
    assert "Approved comment 3." in _comment_section(client.get(url))
    doomed = article_with_comments.comments.get(body="Approved comment 3.")
    response = staff_client.post(
        "/admin/advice/comment/?status=all",
        {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=doomed.pk).exists()
    assert "Approved comment 3." not in _comment_section(client.get(url))
