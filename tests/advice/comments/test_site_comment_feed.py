"""The site-wide comment feed, /comments/feed/ (WordPress's address for it;
advice/comments/feeds.py, SiteCommentsFeed): the newest approved comments of
published articles."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from django.urls import reverse
from django.utils import timezone

from advice.comments.feeds import COMMENT_FEED_ITEMS
from advice.models import Article, Comment


def test_feed_address_is_wordpresss():
    assert reverse("advice:site_comment_feed") == "/comments/feed/"


def test_feed_lists_approved_comments_of_published_articles_newest_first(
    client, make_article, make_comment
):
    now = timezone.now()
    first = make_article(title="Thank-you notes")
    second = make_article(title="Salary talks")
    older = make_comment(first, author_name="Noor", body="Send it the same day.")
    newer = make_comment(second, author_name="Ravi", body="Ask for the range first.")
    Comment.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=2))
    Comment.objects.filter(pk=newer.pk).update(created_at=now - timedelta(hours=1))
    make_comment(first, body="Still held", status=Comment.Status.PENDING)
    make_comment(first, body="Buy pills", status=Comment.Status.SPAM)
    make_comment(first, body="Rude", status=Comment.Status.REMOVED)
    draft = make_article(status=Article.Status.DRAFT)
    make_comment(draft, body="On a draft")
    scheduled = make_article(published_at=now + timedelta(days=2))
    make_comment(scheduled, body="On a scheduled article")

    response = client.get("/comments/feed/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == [
        "Ravi on “Salary talks”",
        "Noor on “Thank-you notes”",
    ]
    assert "Ask for the range first." in feed.entries[0].summary
    assert feed.entries[0].link.endswith(f"/articles/{second.slug}/comments/{newer.pk}/")
    assert feed.feed.link.endswith("/")
    assert "@example.com" not in response.content.decode()


def test_feed_holds_the_newest_fifty(client, make_article, make_comment, django_assert_num_queries):
    article = make_article()
    comments = [make_comment(article) for _ in range(COMMENT_FEED_ITEMS + 5)]
    client.get("/comments/feed/")  # Django's feed reads the Site row once per process
    with django_assert_num_queries(1):  # the comments with their articles
        response = client.get("/comments/feed/")
    entries = feedparser.parse(response.content).entries
    assert len(entries) == COMMENT_FEED_ITEMS == 50
    assert entries[0].link.endswith(f"/comments/{comments[-1].pk}/")


def test_feed_answers_head_and_refuses_post(client, db):
    head = client.head("/comments/feed/")
    assert head.status_code == 200
    assert head.content == b""
    assert client.post("/comments/feed/").status_code == 405
