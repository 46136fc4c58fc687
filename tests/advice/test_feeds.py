"""RSS 2.0 and Atom feeds of the latest articles and of each topic."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.utils import timezone

from advice.feeds import FEED_ITEMS, xml_safe
from advice.models import Article

# Absolute URLs come from settings.SITE_URL, never from the request's host
# (tests/advice/test_host_header.py checks a forged Host does not get in).
SITE = "https://advice.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


FEEDS = ["/feed/", "/feed/atom/"]


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def test_xml_safe_strips_only_what_xml_forbids():
    assert xml_safe("a\x0bb\x1fc\x00d\ufffe") == "abcd"
    assert xml_safe("tab\tnew\nline\r ok — ü 🙂") == "tab\tnew\nline\r ok — ü 🙂"
    assert xml_safe(None) == ""


def test_rss_feed_has_latest_articles_with_full_answer_html(client, make_article, make_topic):
    topic = make_topic(name="Interviews")
    article = make_article(
        title="Thank-you notes", asker="Bianca", question="Should I?",
        answer="Yes, **briefly**.\n\n> Hi, [name]!", topics=[topic],
    )  # fmt: skip
    make_article(title="Secret draft", status=Article.Status.DRAFT)
    make_article(title="Next week", published_at=timezone.now() + timedelta(days=7))
    response, parsed = parse(client, "/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert parsed.version == "rss20"
    assert [e.title for e in parsed.entries] == ["Thank-you notes"]
    entry = parsed.entries[0]
    assert entry.link == SITE + article.get_absolute_url()
    assert "<strong>briefly</strong>" in entry.description
    assert "<blockquote>" in entry.description
    assert "Bianca" in entry.description
    assert [t.term for t in entry.tags] == ["Interviews"]


def test_atom_feed_carries_full_html_content(client, make_article):
    make_article(title="Cover letters", question="How long?", answer="One page, *tops*.")
    response, parsed = parse(client, "/feed/atom/")
    assert parsed.version == "atom10"
    entry = parsed.entries[0]
    assert entry.title == "Cover letters"
    assert "<em>tops</em>" in entry.content[0].value
    assert entry.summary == "How long?"


@pytest.mark.parametrize("url", FEEDS)
def test_feed_holds_the_latest_twenty(client, make_article, url):
    now = timezone.now()
    for n in range(FEED_ITEMS + 3):
        make_article(title=f"Item {n:02d}", published_at=now - timedelta(hours=n + 1))
    _, parsed = parse(client, url)
    assert len(parsed.entries) == FEED_ITEMS
    assert parsed.entries[0].title == "Item 00"


@pytest.mark.parametrize("url", [*FEEDS, "/topics/odd/feed/"])
def test_control_characters_never_break_a_feed(client, make_article, make_topic, url):
    topic = make_topic(name="Odd\x0b topic", slug="odd")
    make_article(
        title="Vertical\x0btab and unit\x1fseparator",
        asker="Bi\x1fanca",
        question="Why\x0b?",
        answer="Because\x1f.\x0b Really.",
        topics=[topic],
    )
    _, parsed = parse(client, url)
    entry = parsed.entries[0]
    assert entry.title == "Verticaltab and unitseparator"


def test_topic_feed_lists_only_that_topic(client, make_article, make_topic):
    interviews = make_topic(name="Interviews", slug="interviews")
    make_article(title="In topic", topics=[interviews])
    make_article(title="Elsewhere")
    _, parsed = parse(client, "/topics/interviews/feed/")
    assert [e.title for e in parsed.entries] == ["In topic"]
    assert "Interviews" in parsed.feed.title
    assert client.get("/topics/no-such-topic/feed/").status_code == 404
    assert client.get("/topics/%00/feed/").status_code == 404


def test_feed_query_count_does_not_grow_with_items(
    client, make_article, make_topic, django_assert_num_queries
):
    topic = make_topic()
    for _ in range(FEED_ITEMS):
        make_article(topics=[topic])
    # Django's Feed looks up the Site row once per process (then cached).
    Site.objects.get_current()
    # The site version (advice.page_cache), articles with authors, their topics.
    with django_assert_num_queries(3):
        client.get("/feed/")
