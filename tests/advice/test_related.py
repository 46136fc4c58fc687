"""Related articles under each article: shared topics first, then similar
words, in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advice.models import Article
from advice.related import RELATED_ARTICLES, related_articles, related_refresh


def test_shared_topics_come_first_then_similar_words(make_article, make_topic):
    interviews, notes = make_topic(name="Interviews"), make_topic(name="Notes")
    article = make_article(
        title="Thank-you note after an interview",
        question="Should I send one?",
        topics=[interviews, notes],
    )
    two_shared = make_article(title="Unrelated words", topics=[interviews, notes])
    one_shared_old = make_article(
        title="Other words", topics=[notes], published_at=timezone.now() - timedelta(days=30)
    )
    one_shared_new = make_article(title="More words", topics=[interviews])
    similar = make_article(title="Writing a thank-you note")
    make_article(title="Commuting by train")
    related_refresh()  # as the queue does after the commit
    related = related_articles(article)
    assert related == [two_shared, one_shared_new, one_shared_old, similar]


def test_related_never_lists_the_article_or_unpublished_ones(make_article, make_topic):
    topic = make_topic()
    article = make_article(title="Salary negotiation", topics=[topic])
    make_article(title="Salary negotiation draft", topics=[topic], status=Article.Status.DRAFT)
    make_article(
        title="Salary negotiation later",
        topics=[topic],
        published_at=timezone.now() + timedelta(days=1),
    )
    related_refresh()  # as the queue does after the commit
    assert related_articles(article) == []


def test_related_is_capped(make_article, make_topic):
    topic = make_topic()
    article = make_article(topics=[topic])
    for _ in range(RELATED_ARTICLES + 4):
        make_article(topics=[topic])
    related_refresh()  # as the queue does after the commit
    assert len(related_articles(article)) == RELATED_ARTICLES


@pytest.mark.parametrize("others", [0, 1, 5, 40])
def test_related_costs_one_query(make_article, make_topic, django_assert_num_queries, others):
    topics = [make_topic() for _ in range(3)]
    article = make_article(title="Reference letter request", topics=topics)
    for n in range(others):
        make_article(title=f"Reference letter {n}", topics=topics[: n % 3 + 1])
    related_refresh()  # as the queue does after the commit
    with django_assert_num_queries(1):
        related = related_articles(article)
    assert len(related) == min(others, RELATED_ARTICLES)


def test_article_page_shows_related_articles(client, make_article, make_topic):
    topic = make_topic()
    article = make_article(topics=[topic])
    other = make_article(title="A neighbouring <answer>", topics=[topic])
    related_refresh()  # as the queue does after the commit
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Related answers" in page
    assert f'href="{other.get_absolute_url()}"' in page
    assert "A neighbouring &lt;answer&gt;" in page


def test_article_page_query_count_is_the_same_with_1_or_30_related(
    client, make_article, make_topic
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for others in (1, 30):
        topic = make_topic()
        article = make_article(topics=[topic])
        for _ in range(others):
            make_article(topics=[topic])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
