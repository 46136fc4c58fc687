"""The per-article comment feed: /articles/<slug>/comments/feed/."""

from datetime import timedelta

import feedparser
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advice.comments.feeds import xml_safe
from advice.models import Article, Comment


def feed_url(article):
    return reverse("advice:comment_feed", kwargs={"slug": article.slug})


def test_feed_path_is_the_documented_one(make_article):
    article = make_article(slug="waiting-to-hear-back")
    assert feed_url(article) == "/articles/waiting-to-hear-back/comments/feed/"


def test_feed_lists_approved_comments_only(client, make_article, make_comment):
    article = make_article(title="Waiting to Hear Back")
    shown = make_comment(article, author_name="Noor", body="Two weeks is normal.")
    make_comment(article, body="Still held", status=Comment.Status.PENDING)
    make_comment(article, body="Buy pills", status=Comment.Status.SPAM)
    make_comment(article, body="Rude", status=Comment.Status.REMOVED)
    make_comment(make_article(), body="Another article's comment")

    response = client.get(feed_url(article))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.version == "rss20"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert "Noor" in entry.title
    assert "Two weeks is normal." in entry.summary
    assert entry.link.endswith(f"{article.get_absolute_url()}comments/{shown.pk}/")


def test_feed_never_shows_commenters_email(client, make_article, make_comment):
    article = make_article()
    make_comment(article, author_email="secret-address@example.com")
    assert b"secret-address" not in client.get(feed_url(article)).content


def test_feed_of_unpublished_or_unknown_article_is_404(client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=3))
    assert client.get(feed_url(draft)).status_code == 404
    assert client.get(feed_url(scheduled)).status_code == 404
    assert client.get("/articles/no-such-article/comments/feed/").status_code == 404


def test_feed_of_closed_article_still_lists_its_comments(client, make_article, make_comment):
    article = make_article(comment_status=Article.CommentStatus.CLOSED)
    make_comment(article)
    assert len(feedparser.parse(client.get(feed_url(article)).content).entries) == 1


def test_control_characters_are_stripped_so_the_feed_parses(client, make_article, make_comment):
    article = make_article(title="Bell\x07 title")
    make_comment(article, author_name="Start\x01 of heading", body="Form\x0cfeed and \x1b escape")
    make_comment(article, author_name="רות", body="Thanks 🙈 — C:\\Users\\demo")

    response = client.get(feed_url(article))

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 2
    bodies = " ".join(entry.summary for entry in feed.entries)
    assert "Formfeed and  escape" in bodies
    assert "Thanks 🙈 — C:\\Users\\demo" in bodies
    assert "רות" in " ".join(entry.title for entry in feed.entries)


def test_comment_markup_is_text_not_html(client, make_article, make_comment):
    article = make_article()
    make_comment(article, body="<script>alert(1)</script> see https://example.com")
    feed = feedparser.parse(client.get(feed_url(article)).content)
    summary = feed.entries[0].summary
    assert "<script>" not in summary
    assert "&lt;script&gt;" in summary
    assert 'rel="nofollow ugc"' in summary


def test_feed_query_count_does_not_grow_with_comments(client, make_article, make_comment):
    article = make_article()
    make_comment(article)
    Site.objects.get_current()  # Django's Feed reads the Site row once per process
    with CaptureQueriesContext(connection) as one:
        client.get(feed_url(article))
    for _ in range(20):
        make_comment(article)
    with CaptureQueriesContext(connection) as many:
        response = client.get(feed_url(article))
    assert len(feedparser.parse(response.content).entries) == 21
    assert len(many.captured_queries) == len(one.captured_queries)


def test_xml_safe_keeps_text_and_drops_forbidden_characters():
    assert xml_safe("a\x00b\x08c\x0bd\x0ce\x1ff\ufffe") == "abcdef"
    assert xml_safe("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert xml_safe("Thanks 🙈 שלום") == "Thanks 🙈 שלום"
