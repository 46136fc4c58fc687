"""Search reads an article's approved comments too (lowest weight), kept
current by database triggers on every write path, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from advice.comments.moderation import (
    comment_approve,
    comment_remove,
    comment_restore,
    comment_spam,
)
from advice.models import Article, Comment
from advice.search.queries import best_comment, has_match, search_article_ids, search_index_ensure
from advice.wordpress.importer import wxr_import
from tests.conftest import corpus_path

SEED_SLUG = "post-interview-thank-you-note"


@pytest.fixture
def seed(db, make_article, make_comment) -> Article:
    """The seed post imported from its WXR export (three approved comments;
    "follow-up" is only in the third), beside unrelated articles, one of
    which has "follow-up" only in a held comment."""
    wxr_import(corpus_path("seed", "post-interview-thank-you-note.wxr.xml"))
    for n in range(4):
        make_article(title=f"Commuting question {n}", answer="Take the early train.")
    other = make_article(title="Desk plants", answer="A fern survives anything.")
    make_comment(other, body="Any follow-up on the cactus?", status=Comment.Status.PENDING)
    return Article.objects.get(slug=SEED_SLUG)


def test_seed_article_is_the_top_hit_for_follow_up(seed):
    assert "follow" not in (seed.title + seed.question + seed.answer).lower()
    assert search_article_ids("follow-up") == [seed.pk]


def test_seed_article_is_found_for_thank_you_note(seed):
    assert search_article_ids("thank you note")[0] == seed.pk


def test_search_page_quotes_the_comment_only_when_the_article_text_does_not_match(client, seed):
    page = client.get("/search/", {"q": "follow-up"}).content.decode()
    assert "1 answer for" in page
    assert "From a reader’s comment:" in page
    assert "sending <mark>follow</mark>-up emails" in page

    page = client.get("/search/", {"q": "thank you note"}).content.decode()
    assert "From a reader’s comment:" not in page
    assert "<mark>note</mark>" in page


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


def test_every_word_may_come_from_the_article_or_its_comments(make_article, make_comment):
    article = make_article(title="Thank-you note length")
    make_comment(article, body="I always use a fountain pen.")
    assert search_article_ids("thank fountain") == [article.pk]


def test_article_text_outranks_comments(make_article, make_comment):
    in_comment = make_article(title="Odd question", answer="Keep it short.")
    make_comment(in_comment, body="My portfolio helped, portfolio portfolio.")
    in_answer = make_article(title="Another question", answer="Mention the portfolio once.")
    in_title = make_article(title="Your portfolio", answer="Keep it short.")
    assert search_article_ids("portfolio") == [in_title.pk, in_answer.pk, in_comment.pk]


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

    from advice.search import queries as search

    old = importlib.import_module("advice.migrations.0004_search_comments")
    article = make_article(title="Open offices")
    make_comment(article, body="Headphones are essential.")
    if connection.vendor == "sqlite":
        statements = search.SQLITE_UNINSTALL + old.SQLITE_INSTALL + old.SQLITE_REBUILD
    else:
        statements = search.PG_UNINSTALL + old.PG_INSTALL + old.PG_REBUILD
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    assert search_index_ensure(connection) is True
    assert search_index_ensure(connection) is False
    assert search_article_ids("headphones") == [article.pk]
    assert search_article_ids("open offices") == [article.pk]
    make_comment(article, body="Earplugs too.")
    assert search_article_ids("earplugs offices") == [article.pk]


def test_best_comment_and_has_match_are_plain_functions():
    bodies = ["Nothing here.", "A note.", "A thank-you note!"]
    assert best_comment(bodies, ["thank", "note"]) == "A thank-you note!"
    assert best_comment(bodies, ["zebra"]) is None
    assert has_match("Following up", ["follow"])
    assert not has_match("", ["follow"])


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
