"""A topic's page (``advice.pages.topic_detail``): what it lists, in which
order, and what it costs in queries as the topic grows (issue 14, item 7)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advice.models import Article


@pytest.fixture
def rendered(settings):
    """Every request renders: no fragments, no whole pages from the cache."""
    settings.FRAGMENT_CACHE = False
    settings.PAGE_CACHE = False


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _titles(client, url) -> list[str]:
    page = client.get(url).content.decode()
    return re.findall(r"<h2><a [^>]*>([^<]*)</a></h2>", page)


def test_topic_page_query_count_is_the_same_for_1_and_50_articles(
    client, make_article, make_topic, make_comment, rendered
):
    topic = make_topic()
    make_comment(make_article(topics=[topic]))
    one = _queries_for(client, topic.get_absolute_url())
    for _ in range(49):
        make_comment(make_article(topics=[topic, make_topic()]))
    fifty = _queries_for(client, topic.get_absolute_url())
    # The topic, the count of its published articles, one page of them with
    # authors and comment counts: nothing per article.
    assert one == fifty == 3


def test_topic_page_lists_newest_first_ties_by_latest_id_ten_a_page(
    client, make_article, make_topic, rendered
):
    topic = make_topic()
    same_time = timezone.now() - timedelta(days=2)
    tied = [make_article(title=f"Tied {n:02d}", published_at=same_time) for n in range(11)]
    for article in tied:
        article.topics.add(topic)
    make_article(title="Newest", topics=[topic])
    make_article(title="Other topic", topics=[make_topic()])
    make_article(title="Draft", topics=[topic], status=Article.Status.DRAFT)
    make_article(title="Scheduled", topics=[topic], published_at=timezone.now() + timedelta(days=1))

    first = _titles(client, topic.get_absolute_url())
    second = _titles(client, topic.get_absolute_url() + "?page=2")

    # Equal publish times: the article created last comes first (-id).
    assert first == ["Newest"] + [f"Tied {n:02d}" for n in range(10, 1, -1)]
    assert second == ["Tied 01", "Tied 00"]
