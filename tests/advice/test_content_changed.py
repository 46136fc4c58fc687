"""An article's "content changed" time (advice.content_changes): what feed
readers and search engines are told changed, apart from comment activity.

Approving a comment on a month-old article leaves the feeds' ``<updated>``
and ``<lastBuildDate>``, the sitemap's ``<lastmod>`` and JSON-LD
``dateModified`` as they were, while the article page's ``Last-Modified``
moves (it shows the comment); editing the article or its topics moves all
of them. RSS item dates stay the publish time."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from importlib import import_module

import defusedxml.ElementTree as ET
import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.comments import moderation
from advice.models import Article, Comment
from advice.publishing import articles_set_comment_status, articles_touch
from tests.advice.test_admin import inline_management_data

SITE = "https://advice.example"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def month_old(make_article, make_topic):
    """A published article (in a topic) written and last changed 30 days ago."""
    long_ago = timezone.now() - timedelta(days=30)
    topic = make_topic(name="Interviews", slug="interviews")
    article = make_article(
        title="Following up after an interview",
        answer="Wait a week.",
        published_at=long_ago,
        topics=[topic],
    )
    Article.objects.filter(pk=article.pk).update(content_changed_at=long_ago, updated_at=long_ago)
    article.refresh_from_db()
    article.topic = topic
    return article


def article_url(article) -> str:
    return SITE + article.get_absolute_url()


def dates(article) -> dict[str, str]:
    """Every date readers' tools read about ``article``, as served now: RSS
    channel ``lastBuildDate`` and the item's ``pubDate``, Atom feed and entry
    ``updated``, the sitemap's ``lastmod`` of the article and of its topic,
    JSON-LD ``dateModified``, the Open Graph modified time, and the page's
    ``Last-Modified`` (a reader with no cookies)."""
    client = Client()
    rss = ET.fromstring(client.get(reverse("advice:feed")).content)
    item = next(i for i in rss.iter("item") if i.findtext("link") == article_url(article))
    atom = ET.fromstring(client.get(reverse("advice:feed_atom")).content)
    entry = next(
        e
        for e in atom.iter(f"{ATOM}entry")
        if e.find(f"{ATOM}link").get("href") == article_url(article)
    )
    lastmod = {}
    for section in ("articles", "topics"):  # /sitemap.xml is their index
        url = reverse("sitemap_section", kwargs={"section": section})
        sitemap = ET.fromstring(client.get(url).content)
        lastmod.update(
            {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in sitemap}
        )
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    og = re.search(r'<meta property="article:modified_time" content="([^"]+)"', html).group(1)
    return {
        "rss lastBuildDate": rss.find("channel").findtext("lastBuildDate"),
        "rss pubDate": item.findtext("pubDate"),
        "atom feed updated": atom.findtext(f"{ATOM}updated"),
        "atom entry updated": entry.findtext(f"{ATOM}updated"),
        "sitemap article": lastmod[article_url(article)],
        "sitemap topic": lastmod[SITE + article.topic.get_absolute_url()],
        "json-ld dateModified": ld["mainEntity"]["acceptedAnswer"]["dateModified"],
        "og modified_time": og,
        # The page's validators: Last-Modified is left out until the second
        # of a change has passed (HTTP dates count whole seconds); the ETag
        # (the site version) moves at once (advice.page_cache).
        "validators": (page.get("Last-Modified"), page["ETag"]),
    }


CONTENT_DATES = [
    "rss lastBuildDate",
    "atom feed updated",
    "atom entry updated",
    "sitemap article",
    "sitemap topic",
    "json-ld dateModified",
    "og modified_time",
]


def test_approving_a_comment_changes_only_the_pages_last_modified(month_old, make_comment):
    held = make_comment(month_old, status=Comment.Status.PENDING)
    before = dates(month_old)

    assert moderation.comment_approve(comments=[held]) == 1
    after = dates(month_old)

    for name in CONTENT_DATES:
        assert after[name] == before[name], name
    assert after["rss pubDate"] == before["rss pubDate"]
    assert after["validators"] != before["validators"]  # the page shows the comment
    assert Client().get(month_old.get_absolute_url()).content.decode().count(held.body) == 1


def test_every_comment_action_leaves_the_content_time_alone(month_old, make_comment):
    comment = make_comment(month_old)
    changed = month_old.content_changed_at
    moderation.comment_remove(comments=[comment])
    moderation.comment_restore(comments=[comment])
    moderation.comment_spam(comments=[comment])
    articles_touch(article_ids=[month_old.pk])
    articles_set_comment_status(articles=[month_old], status=Article.CommentStatus.CLOSED)
    month_old.refresh_from_db()
    assert month_old.content_changed_at == changed
    assert month_old.updated_at > changed  # the page caches still see each change


def test_editing_the_answer_changes_every_date(month_old):
    before = dates(month_old)
    article = Article.objects.get(pk=month_old.pk)  # as the shell or admin loads it
    article.answer = "Wait a week, then write once."
    article.save()
    article.topic = month_old.topic
    after = dates(article)

    for name in [*CONTENT_DATES, "validators"]:
        assert after[name] != before[name], name
    assert after["rss pubDate"] == before["rss pubDate"]  # items keep their publish time
    assert after["sitemap article"].startswith(timezone.now().date().isoformat())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a, t: a.topics.add(t), id="article.topics.add"),
        pytest.param(lambda a, t: a.topics.remove(a.topic), id="article.topics.remove"),
        pytest.param(lambda a, t: a.topics.set([t]), id="article.topics.set"),
        pytest.param(lambda a, t: a.topics.clear(), id="article.topics.clear"),
        pytest.param(lambda a, t: t.articles.add(a), id="topic.articles.add"),
        pytest.param(lambda a, t: a.topic.articles.remove(a), id="topic.articles.remove"),
        pytest.param(lambda a, t: a.topic.articles.clear(), id="topic.articles.clear"),
    ],
)
def test_changing_topics_changes_the_content_time(month_old, make_topic, change):
    other = make_topic(name="Salaries", slug="salaries")
    before = month_old.content_changed_at
    change(month_old, other)
    stored = Article.objects.get(pk=month_old.pk)
    assert stored.content_changed_at > before
    assert stored.updated_at > before  # the page shows its topics


def test_changing_topics_changes_the_feed_and_sitemap(month_old, make_topic):
    before = dates(month_old)
    month_old.topics.add(make_topic(name="Salaries", slug="salaries"))
    after = dates(month_old)
    for name in [
        "rss lastBuildDate",
        "atom entry updated",
        "sitemap article",
        "json-ld dateModified",
    ]:
        assert after[name] != before[name], name


def test_setting_the_same_topics_again_changes_nothing(month_old):
    before = month_old.content_changed_at
    month_old.topics.set([month_old.topic])
    month_old.topics.add(month_old.topic)
    assert Article.objects.get(pk=month_old.pk).content_changed_at == before


@pytest.mark.parametrize(
    ("field", "value", "changes"),
    [
        ("title", "A new title", True),
        ("asker", "Bianca", True),
        ("question", "A new question?", True),
        ("answer", "A new answer.", True),
        ("slug", "a-new-address", False),
        ("comment_status", Article.CommentStatus.CLOSED, False),
        ("status", Article.Status.DRAFT, False),
    ],
)
def test_only_the_articles_own_content_moves_the_time(month_old, field, value, changes):
    before = month_old.content_changed_at
    setattr(month_old, field, value)
    month_old.save()
    stored = Article.objects.get(pk=month_old.pk)
    assert (stored.content_changed_at > before) is changes
    assert stored.updated_at > before


def test_a_new_byline_is_a_content_change(month_old, django_user_model):
    before = month_old.content_changed_at
    month_old.author = django_user_model.objects.create_user(username="columnist")
    month_old.save(update_fields=["author"])
    assert Article.objects.get(pk=month_old.pk).content_changed_at > before


def test_save_with_update_fields_stores_the_new_time(month_old):
    before = month_old.content_changed_at
    month_old.answer = "Shorter."
    month_old.save(update_fields=["answer"])
    assert Article.objects.get(pk=month_old.pk).content_changed_at > before


def test_an_instance_not_loaded_from_the_database_is_compared_with_its_row(month_old):
    before = month_old.content_changed_at
    same = Article.objects.filter(pk=month_old.pk).values()[0]
    Article(**same).save()
    assert Article.objects.get(pk=month_old.pk).content_changed_at == before
    Article(**{**same, "title": "Retitled"}).save()
    assert Article.objects.get(pk=month_old.pk).content_changed_at > before


def test_deferred_fields_do_not_hide_an_edit(month_old):
    before = month_old.content_changed_at
    article = Article.objects.only("slug").get(pk=month_old.pk)
    article.title = "Retitled"
    assert article.answer  # loads a deferred field; the edit stays an edit
    article.save()
    assert Article.objects.get(pk=month_old.pk).content_changed_at > before


def test_line_endings_and_outer_blanks_are_no_change(month_old):
    Article.objects.filter(pk=month_old.pk).update(question="First line.\nSecond line.")
    before = month_old.content_changed_at
    article = Article.objects.get(pk=month_old.pk)
    article.question = "First line.\r\nSecond line.\r\n"  # as a browser sends a text box
    article.save()
    assert Article.objects.get(pk=month_old.pk).content_changed_at == before


def test_admin_save_changes_the_time_only_when_content_changes(staff_client, month_old):
    Article.objects.filter(pk=month_old.pk).update(
        author=staff_client.user, question="Should I call?\nOr write?"
    )
    url = reverse("admin:advice_article_change", args=[month_old.pk])
    published = timezone.localtime(month_old.published_at)
    data = {
        **inline_management_data(staff_client, url),
        "title": month_old.title,
        "slug": month_old.slug,
        "asker": month_old.asker,
        "question": "Should I call?\r\nOr write?\r\n",  # as a browser sends a text box
        "answer": month_old.answer,
        "topics": [str(month_old.topic.pk)],
        "status": month_old.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "author": str(staff_client.user.pk),
        "comment_status": Article.CommentStatus.CLOSED,
    }
    before = month_old.content_changed_at

    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    stored = Article.objects.get(pk=month_old.pk)
    assert stored.comment_status == Article.CommentStatus.CLOSED
    assert stored.content_changed_at == before

    assert (
        staff_client.post(url, {**data, "title": "Following up, a week later"}).status_code == 302
    )
    assert Article.objects.get(pk=month_old.pk).content_changed_at > before


def test_modified_at_is_never_before_the_publish_time(make_article):
    tomorrow = timezone.now() + timedelta(days=1)
    scheduled = make_article(published_at=tomorrow)
    assert scheduled.content_changed_at < tomorrow
    assert scheduled.modified_at == tomorrow


def test_the_migration_fills_the_earlier_of_publish_and_update_time(make_article):
    fill = import_module("advice.migrations.0007_article_content_changed_at").fill_content_changed
    now = timezone.now()
    discussed = make_article(published_at=now - timedelta(days=30))  # comments moved updated_at
    scheduled = make_article(published_at=now + timedelta(days=2))
    Article.objects.filter(pk=discussed.pk).update(updated_at=now - timedelta(days=1))
    Article.objects.filter(pk=scheduled.pk).update(updated_at=now - timedelta(days=3))

    fill(django_apps, None)

    assert Article.objects.get(pk=discussed.pk).content_changed_at == now - timedelta(days=30)
    assert Article.objects.get(pk=scheduled.pk).content_changed_at == now - timedelta(days=3)
