"""Related lists are worked out when content changes and stored; a page
reads its list in one query (issue 14, item 7)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from advice.models import RelatedList
from advice.related import related_articles, related_refresh


def _refreshed(make, *args, capture, **kwargs):
    """Run ``make`` and the refresh its commit queues (ImmediateBackend)."""
    with capture(execute=True):
        return make(*args, **kwargs)


def test_new_article_enters_the_stored_lists_of_its_topic(
    make_article, make_topic, django_capture_on_commit_callbacks, django_assert_num_queries
):
    topic = make_topic()
    old = timezone.now() - timedelta(days=5)
    first = _refreshed(
        make_article, capture=django_capture_on_commit_callbacks, topics=[topic], published_at=old
    )
    second = _refreshed(
        make_article, capture=django_capture_on_commit_callbacks, topics=[topic], published_at=old
    )
    assert RelatedList.objects.filter(stale_since__isnull=False).count() == 0
    newest = _refreshed(make_article, capture=django_capture_on_commit_callbacks, topics=[topic])
    with django_assert_num_queries(1):
        assert related_articles(first) == [newest, second]
    assert related_articles(newest) == [second, first]


def test_deleted_or_unpublished_article_leaves_the_lists(
    make_article, make_topic, django_capture_on_commit_callbacks
):
    topic = make_topic()
    capture = django_capture_on_commit_callbacks
    a = _refreshed(make_article, capture=capture, topics=[topic])
    b = _refreshed(make_article, capture=capture, topics=[topic])
    c = _refreshed(make_article, capture=capture, topics=[topic])
    with capture(execute=True):
        b.delete()
    assert related_articles(a) == [c]
    with capture(execute=True):
        c.status = c.Status.DRAFT
        c.save()
    assert related_articles(a) == []


def test_topic_change_moves_the_article_between_lists(
    make_article, make_topic, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    jobs, money = make_topic(name="Jobs"), make_topic(name="Money")
    # No word in common, so text similarity plays no part.
    a = _refreshed(
        make_article, capture=capture, title="Alpha", question="Zebra", answer="Okapi",
        topics=[jobs],
    )  # fmt: skip
    b = _refreshed(
        make_article, capture=capture, title="Beta", question="Quokka", answer="Wombat",
        topics=[money],
    )  # fmt: skip
    assert related_articles(a) == []
    with capture(execute=True):
        b.topics.add(jobs)
    assert related_articles(a) == [b]
    with capture(execute=True):
        jobs.delete()
    assert related_articles(a) == []


def test_scheduled_article_shows_when_due_without_a_refresh(
    make_article, make_topic, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    topic = make_topic()
    due = timezone.now() + timedelta(hours=1)
    a = _refreshed(make_article, capture=capture, topics=[topic])
    later = _refreshed(make_article, capture=capture, topics=[topic], published_at=due)
    assert related_articles(a) == []
    assert related_articles(a, now=due + timedelta(seconds=1)) == [later]


def test_refresh_matches_the_rule_computed_live(make_article, make_topic):
    from advice.related import related_articles_queryset

    topics = [make_topic(name=f"T{n}") for n in range(3)]
    articles = [
        make_article(title=f"Salary question {n}", topics=topics[: 1 + n % 3]) for n in range(9)
    ]
    related_refresh()
    for article in articles:
        assert related_articles(article) == list(related_articles_queryset(article))
