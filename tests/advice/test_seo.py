"""What search engines read: sitemap, robots.txt, canonical link, Open Graph
and Twitter card meta, QAPage JSON-LD; and the topics index."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import defusedxml.ElementTree as ET
import pytest
from django.utils import timezone

from advice.models import Article
from advice.seo import json_ld

# Absolute URLs come from settings.SITE_URL, never from the request's host
# (tests/advice/test_host_header.py checks a forged Host does not get in).
SITE = "https://advice.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class HeadReader(HTMLParser):
    """Collects <meta>, <link rel> and ld+json script contents."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.ld_json: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, attrs.get("content", ""))
        elif tag == "link" and attrs.get("rel"):
            self.links[attrs["rel"]] = attrs.get("href", "")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.ld_json.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.ld_json[-1] += data


def read_head(client, url: str) -> HeadReader:
    reader = HeadReader()
    reader.feed(client.get(url).content.decode())
    return reader


def test_sitemap_lists_published_articles_and_topics_with_lastmod(client, make_article, make_topic):
    topic = make_topic(slug="interviews")
    empty_topic = make_topic(slug="empty")
    article = make_article(topics=[topic])
    draft = make_article(status=Article.Status.DRAFT, topics=[empty_topic])
    make_article(published_at=timezone.now() + timedelta(days=2), topics=[empty_topic])
    response = client.get("/sitemap.xml")  # an index of sections (advice.sitemaps)
    assert response.status_code == 200
    sections = [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP_NS}loc")]
    entries = {}
    for section in sections:
        root = ET.fromstring(client.get(section.removeprefix(SITE)).content)
        entries.update(
            (url.find(f"{SITEMAP_NS}loc").text, url.find(f"{SITEMAP_NS}lastmod").text)
            for url in root.iter(f"{SITEMAP_NS}url")
        )
    article_url = SITE + article.get_absolute_url()
    assert entries[article_url] == article.updated_at.date().isoformat()
    assert entries[SITE + "/topics/interviews/"]
    assert SITE + "/topics/empty/" not in entries
    assert SITE + draft.get_absolute_url() not in entries
    assert len(entries) == 2


def test_robots_txt_is_plain_text_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_article_has_canonical_open_graph_and_twitter_card(client, make_article):
    article = make_article(
        title="Post-Interview Thank You Note",
        asker="Bianca",
        question="What are your thoughts on sending a post-interview note?",
    )
    head = read_head(client, article.get_absolute_url() + "?utm_source=x")
    url = SITE + article.get_absolute_url()
    assert head.links["canonical"] == url
    assert head.meta["og:url"] == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == "Post-Interview Thank You Note"
    assert head.meta["og:description"].startswith("What are your thoughts")
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["twitter:title"] == "Post-Interview Thank You Note"


def test_article_has_qapage_json_ld_naming_the_asker(client, make_article):
    article = make_article(
        title="Thank-you note?", asker="Bianca", question="Is it *appropriate*?",
        answer="Yes, it's **fine**.",
    )  # fmt: skip
    head = read_head(client, article.get_absolute_url())
    assert len(head.ld_json) == 1
    data = json.loads(head.ld_json[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "QAPage"
    question = data["mainEntity"]
    assert question["@type"] == "Question"
    assert question["name"] == "Thank-you note?"
    assert question["text"] == "Is it appropriate?"
    assert question["author"] == {"@type": "Person", "name": "Bianca"}
    assert question["answerCount"] == 1
    answer = question["acceptedAnswer"]
    assert answer["@type"] == "Answer"
    assert answer["text"] == "Yes, it's fine."
    assert answer["url"] == SITE + article.get_absolute_url()


def test_json_ld_cannot_be_broken_out_of(client, make_article):
    nasty = '</script><script>alert(1)</script><!-- "quoted" & more'
    article = make_article(title=nasty, asker=nasty, question="`" + nasty + "`", answer=nasty)
    page = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["mainEntity"]["name"] == nasty
    assert data["mainEntity"]["author"]["name"] == nasty
    assert "<script>alert(1)" not in page


def test_json_ld_escapes_markup_characters():
    text = json_ld({"a": "</script>&<!--"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == {"a": "</script>&<!--"}


def test_blank_asker_is_anonymous_in_json_ld(client, make_article):
    article = make_article(asker="")
    data = json.loads(read_head(client, article.get_absolute_url()).ld_json[0])
    assert data["mainEntity"]["author"]["name"] == "Anonymous"


def test_topics_index_counts_published_articles_in_one_query(
    client, make_article, make_topic, django_assert_num_queries
):
    topics = [make_topic(name=f"Topic {n:02d}") for n in range(12)]
    for n, topic in enumerate(topics):
        for _ in range(n % 3):
            make_article(topics=[topic])
    make_article(status=Article.Status.DRAFT, topics=[topics[0]])
    # The page cache's site-version read, then the topics with their counts.
    with django_assert_num_queries(2):
        page = client.get("/topics/").content.decode()
    assert 'Topic 00</a> <span class="count">(0)</span>' in page
    assert 'Topic 02</a> <span class="count">(2)</span>' in page
