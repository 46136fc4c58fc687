"""The QuerySet rules in advice/models.py: one method per "which rows" rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advice.models import Article, Comment, Topic


def _slugs(queryset) -> set[str]:
    return set(queryset.values_list("slug", flat=True))


def test_published_excludes_drafts_and_scheduled_articles(make_article):
    now = timezone.now()
    make_article(slug="live", published_at=now - timedelta(hours=1))
    make_article(slug="draft", status=Article.Status.DRAFT, published_at=now - timedelta(hours=1))
    make_article(slug="later", published_at=now + timedelta(hours=1))
    assert _slugs(Article.objects.published(now)) == {"live"}


def test_scheduled_is_published_status_with_a_future_time(make_article):
    now = timezone.now()
    make_article(slug="live", published_at=now - timedelta(hours=1))
    make_article(slug="later", published_at=now + timedelta(hours=1))
    make_article(slug="draft-later", status=Article.Status.DRAFT, published_at=now + timedelta(1))
    assert _slugs(Article.objects.scheduled(now)) == {"later"}
    # A scheduled article becomes published once its time is reached.
    assert _slugs(Article.objects.published(now + timedelta(hours=2))) == {"live", "later"}
    assert _slugs(Article.objects.scheduled(now + timedelta(hours=2))) == set()


def test_drafts_are_articles_whose_status_is_not_published(make_article):
    now = timezone.now()
    make_article(slug="live")
    make_article(slug="later", published_at=now + timedelta(hours=1))
    make_article(slug="draft", status=Article.Status.DRAFT)
    assert _slugs(Article.objects.drafts()) == {"draft"}


@pytest.mark.parametrize("answer", ["", " ", "\n\t  \n"])
def test_without_answer_finds_an_empty_or_blank_answer(make_article, answer):
    make_article(slug="blank", status=Article.Status.DRAFT, answer=answer)
    make_article(slug="answered", status=Article.Status.DRAFT, answer="  Say no.  ")
    assert _slugs(Article.objects.without_answer()) == {"blank"}
    assert _slugs(Article.objects.with_answer()) == {"answered"}


def test_with_approved_count_counts_only_approved_comments(make_article, make_comment):
    article = make_article()
    quiet = make_article()
    make_comment(article)
    make_comment(article)
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        make_comment(article, status=status)
    counts = dict(Article.objects.with_approved_count().values_list("pk", "approved_comment_count"))
    assert counts == {article.pk: 2, quiet.pk: 0}


def test_with_held_count_counts_only_held_comments(make_article, make_comment):
    article = make_article()
    make_comment(article)
    make_comment(article, status=Comment.Status.PENDING)
    make_comment(article, status=Comment.Status.SPAM)
    row = Article.objects.with_approved_count().with_held_count().get(pk=article.pk)
    assert (row.approved_comment_count, row.held_comment_count) == (1, 1)


def test_for_listing_is_published_order_with_approved_counts(make_article, make_comment):
    now = timezone.now()
    older = make_article(published_at=now - timedelta(days=2))
    newer = make_article(published_at=now - timedelta(days=1))
    make_comment(older)
    make_comment(older, status=Comment.Status.PENDING)
    rows = list(Article.objects.published(now).for_listing())
    assert rows == [newer, older]
    assert [r.approved_comment_count for r in rows] == [0, 1]


def test_visible_and_held_comments(make_article, make_comment):
    article = make_article()
    approved = make_comment(article)
    held = make_comment(article, status=Comment.Status.PENDING)
    make_comment(article, status=Comment.Status.SPAM)
    make_comment(article, status=Comment.Status.REMOVED)
    assert list(Comment.objects.visible()) == [approved]
    assert list(Comment.objects.held()) == [held]


def test_topic_counts_only_published_articles(make_article, make_topic):
    topic = make_topic()
    make_article(topics=[topic])
    make_article(topics=[topic], status=Article.Status.DRAFT)
    make_article(topics=[topic], published_at=timezone.now() + timedelta(days=1))
    assert Topic.objects.annotate_published_counts().get(pk=topic.pk).article_count == 1
