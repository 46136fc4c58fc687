"""The search index is kept by database triggers on every write path
(save, queryset.update, M2M changes, moderation, delete), holds approved
comments only, and is repaired after a migrate, on SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import connection

from advice.comments.moderation import (
    comment_approve,
    comment_remove,
    comment_restore,
    comment_spam,
)
from advice.models import Article, Comment, Topic
from advice.search import postgres, sqlite
from advice.search.index import search_index_ensure
from advice.search.queries import search_article_ids


def test_index_follows_queryset_update_topic_changes_and_delete(make_article, make_topic):
    """The index is kept by database triggers, so writes that skip save()
    (bulk updates in the admin, queryset.update(), M2M changes, a renamed
    topic) keep it current."""
    topic = make_topic(name="Etiquette")
    article = make_article(title="Original wording")
    Article.objects.filter(pk=article.pk).update(title="Rewritten heading")
    assert search_article_ids("original") == []
    assert search_article_ids("rewritten") == [article.pk]

    article.topics.add(topic)
    assert search_article_ids("etiquette") == [article.pk]
    Topic.objects.filter(pk=topic.pk).update(name="Manners")
    assert search_article_ids("etiquette") == []
    assert search_article_ids("manners") == [article.pk]
    article.topics.remove(topic)
    assert search_article_ids("manners") == []

    draft = make_article(title="Unpublished rewrite", status=Article.Status.DRAFT)
    assert search_article_ids("unpublished") == []
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    assert search_article_ids("unpublished") == [draft.pk]

    Article.objects.filter(pk=article.pk).delete()
    assert search_article_ids("rewritten") == []


def test_a_lost_index_is_repaired(make_article):
    """Django rebuilds a SQLite table for many ALTERs, which drops its
    triggers; search_index_ensure (run after migrate) puts them back and
    refills the index. On PostgreSQL it recreates a missing index table."""
    article = make_article(title="Probation period")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER advice_article_fts_update")
        else:
            cursor.execute("DROP TABLE advice_article_search")
    assert search_index_ensure(connection) is True
    Article.objects.filter(pk=article.pk).update(title="Trial period")
    assert search_article_ids("trial") == [article.pk]
    assert search_index_ensure(connection) is False


def test_comment_words_find_the_article_only_while_the_comment_is_approved(
    make_article, make_comment
):
    article = make_article(title="Reference checks")
    comment = make_comment(article, body="My xylophone teacher was a reference.", status="pending")
    assert search_article_ids("xylophone") == []

    assert comment_approve(comments=[comment]) == 1
    assert search_article_ids("xylophone") == [article.pk]

    assert comment_remove(comments=[comment]) == 1
    assert search_article_ids("xylophone") == []

    assert comment_restore(comments=[comment]) == 1
    assert search_article_ids("xylophone") == [article.pk]

    assert comment_spam(comments=[comment]) == 1
    assert search_article_ids("xylophone") == []

    comment_approve(comments=Comment.objects.filter(pk=comment.pk))
    Comment.objects.filter(pk=comment.pk).delete()
    assert search_article_ids("xylophone") == []


def test_an_edited_comment_is_searched_by_its_new_words(make_article, make_comment):
    article = make_article(title="Notice periods")
    comment = make_comment(article, body="Two weeks is customary.")
    make_comment(article, body="Mine was a month.")
    Comment.objects.filter(pk=comment.pk).update(body="Three weeks felt right.")
    assert search_article_ids("customary") == []
    assert search_article_ids("three weeks") == [article.pk]
    # The other approved comment is still indexed.
    assert search_article_ids("month") == [article.pk]


def test_deleting_an_article_with_comments_leaves_no_hit(make_article, make_comment):
    article = make_article(title="Sabbatical")
    make_comment(article, body="A glacier trek.")
    Article.objects.filter(pk=article.pk).delete()
    assert search_article_ids("glacier") == []


def test_a_lost_comment_trigger_is_repaired(make_article, make_comment):
    article = make_article(title="Dress codes")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER advice_comment_fts_insert")
        else:
            cursor.execute("DROP TRIGGER advice_article_search_comment_insert ON advice_comment")
    make_comment(article, body="Sneakers on Fridays.")  # not indexed: no trigger
    assert search_index_ensure(connection) is True  # re-installed and rebuilt
    assert search_article_ids("sneakers") == [article.pk]
    make_comment(article, body="Ties on Mondays.")
    assert search_article_ids("ties") == [article.pk]
    assert search_index_ensure(connection) is False


def test_an_index_made_by_migration_0004_is_upgraded(make_article, make_comment):
    """Migration 0004 made one index row per article holding all its
    comments; 0006 (and the post_migrate check) replace it with one row per
    comment."""
    import importlib

    old = importlib.import_module("advice.migrations.0004_search_comments")
    article = make_article(title="Open offices")
    make_comment(article, body="Headphones are essential.")
    if connection.vendor == "sqlite":
        statements = sqlite.SQLITE_UNINSTALL + old.SQLITE_INSTALL + old.SQLITE_REBUILD
    else:
        statements = postgres.PG_UNINSTALL + old.PG_INSTALL + old.PG_REBUILD
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    assert search_index_ensure(connection) is True
    assert search_index_ensure(connection) is False
    assert search_article_ids("headphones") == [article.pk]
    assert search_article_ids("open offices") == [article.pk]
    make_comment(article, body="Earplugs too.")
    assert search_article_ids("earplugs offices") == [article.pk]


def test_one_bulk_moderation_update_reindexes_every_affected_article(make_article, make_comment):
    first, second = make_article(title="Layoffs"), make_article(title="Bonuses")
    held = [
        make_comment(first, body="Severance talk.", status="pending"),
        make_comment(second, body="Severance again.", status="pending"),
        make_comment(second, body="Unrelated.", status="pending"),
    ]
    assert comment_approve(comments=Comment.objects.filter(pk__in=[c.pk for c in held])) == 3
    assert sorted(search_article_ids("severance")) == sorted([first.pk, second.pk])
    # A comment moved to another article takes its words along.
    Comment.objects.filter(pk=held[0].pk).update(article=second)
    assert search_article_ids("severance talk") == [second.pk]
    assert search_article_ids("layoffs severance") == []
