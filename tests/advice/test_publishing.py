"""Publishing articles and opening / closing their comments in bulk
(:mod:`advice.publishing`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advice import publishing
from advice.models import Article


def test_touch_sets_updated_at_of_the_given_articles_only(make_article):
    now = timezone.now() + timedelta(minutes=5)
    touched, other = make_article(), make_article()
    before = Article.objects.get(pk=other.pk).updated_at
    assert publishing.articles_touch(article_ids=[touched.pk], now=now) == 1
    assert Article.objects.get(pk=touched.pk).updated_at == now
    assert Article.objects.get(pk=other.pk).updated_at == before


def test_touch_takes_a_values_queryset_of_ids(make_article):
    now = timezone.now() + timedelta(minutes=5)
    first, second = make_article(), make_article()
    ids = Article.objects.filter(pk__in=[first.pk, second.pk]).values("pk")
    assert publishing.articles_touch(article_ids=ids, now=now) == 2


def test_publish_leaves_drafts_without_an_answer(make_article):
    now = timezone.now()
    empty = make_article(status=Article.Status.DRAFT, answer="  \n ")
    assert publishing.articles_publish(articles=[empty], now=now) == 0
    empty.refresh_from_db()
    assert empty.status == Article.Status.DRAFT


def test_close_and_open_comments(make_article):
    now = timezone.now()
    open_one = make_article()
    past_close = make_article(comments_close_at=now - timedelta(hours=1))
    future_close = make_article(comments_close_at=now + timedelta(days=3))

    closed = publishing.articles_set_comment_status(
        articles=Article.objects.all(), status=Article.CommentStatus.CLOSED, now=now
    )
    assert closed == 3
    for article in (open_one, past_close, future_close):
        article.refresh_from_db()
        assert not article.comments_open(now)

    opened = publishing.articles_set_comment_status(
        articles=Article.objects.all(), status=Article.CommentStatus.OPEN, now=now
    )
    assert opened == 3
    for article in (open_one, past_close, future_close):
        article.refresh_from_db()
        assert article.comments_open(now)
    assert future_close.comments_close_at == now + timedelta(days=3)  # kept
    assert past_close.comments_close_at is None  # passed: cleared so "open" means open


def test_set_comment_status_refuses_unknown_status(make_article):
    with pytest.raises(ValueError):
        publishing.articles_set_comment_status(articles=[make_article()], status="maybe")


def test_publish_dates_old_drafts_now_and_keeps_schedules(make_article):
    now = timezone.now()
    old_draft = make_article(status=Article.Status.DRAFT, published_at=now - timedelta(days=9))
    scheduled = make_article(status=Article.Status.DRAFT, published_at=now + timedelta(days=2))
    live = make_article(published_at=now - timedelta(days=5))

    assert publishing.articles_publish(articles=Article.objects.all(), now=now) == 2

    for article in (old_draft, scheduled, live):
        article.refresh_from_db()
    assert old_draft.is_published(now)
    assert old_draft.published_at == now
    assert scheduled.status == Article.Status.PUBLISHED
    assert not scheduled.is_published(now)
    assert live.published_at == now - timedelta(days=5)
