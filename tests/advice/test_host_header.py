"""Public, cacheable answers never repeat the request's host or scheme.

robots.txt, the sitemap, the article and comment feeds, and the article
page's canonical link, ``og:url``, JSON-LD and share links are served to
every reader (and kept by a front cache), so each absolute URL in them
comes from ``settings.SITE_URL``. A request with a forged ``Host`` (one an
over-wide ``ALLOWED_HOSTS`` lets through), ``X-Forwarded-Host`` (when
``USE_X_FORWARDED_HOST`` is on) or ``X-Forwarded-Proto`` must not get in.
"""

from __future__ import annotations

import re

import feedparser
import pytest
from django.urls import reverse

SITE = "https://advice.example"
EVIL = "evil.example"

# Ways a request can claim another host or scheme.
FORGED = {
    "host": {"HTTP_HOST": EVIL},
    "host-with-port": {"HTTP_HOST": f"{EVIL}:8443"},
    "subdomain": {"HTTP_HOST": f"{EVIL}.advice.example"},
    "forwarded-host": {"HTTP_X_FORWARDED_HOST": EVIL, "HTTP_X_FORWARDED_PROTO": "http"},
    "forwarded-both": {
        "HTTP_HOST": EVIL,
        "HTTP_X_FORWARDED_HOST": f"{EVIL}:81",
        "HTTP_X_FORWARDED_PROTO": "https",
    },
}


@pytest.fixture(autouse=True)
def _trusting_settings(settings):
    """The widest settings a deployment might use: any host allowed, the
    proxy's forwarded host and scheme believed."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def site(make_article, make_topic, make_comment):
    topic = make_topic(slug="interviews")
    article = make_article(slug="thank-you-notes", topics=[topic])
    make_comment(article, body="Nice answer.")
    return {"article": article, "topic": topic}


def public_urls(site) -> list[str]:
    article, topic = site["article"], site["topic"]
    return [
        "/robots.txt",
        "/sitemap.xml",
        reverse("advice:feed"),
        reverse("advice:feed_atom"),
        reverse("advice:topic_feed", kwargs={"slug": topic.slug}),
        reverse("advice:comment_feed", kwargs={"slug": article.slug}),
        article.get_absolute_url(),
        reverse("advice:home"),
        topic.get_absolute_url(),
    ]


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_forged_host_never_appears_in_a_public_answer(client, site, forged):
    for url in public_urls(site):
        response = client.get(url, **forged)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert EVIL not in body, url
        assert "http://advice.example" not in body, url  # the scheme is SITE_URL's too
        assert EVIL not in response.get("Location", ""), url


def test_robots_txt_names_the_sitemap_on_site_url(client, db):
    response = client.get("/robots.txt", HTTP_HOST=EVIL)
    assert f"Sitemap: {SITE}/sitemap.xml" in response.content.decode()
    # Nothing in it depends on the request, so one cached copy fits everyone.
    assert "public" in response["Cache-Control"]


def test_sitemap_locations_are_on_site_url(client, site):
    body = client.get("/sitemap.xml", HTTP_HOST=EVIL).content.decode()
    locations = re.findall(r"<loc>(.*?)</loc>", body)
    assert locations
    assert all(loc.startswith(SITE + "/") for loc in locations), locations


@pytest.mark.parametrize(
    "name", ["advice:feed", "advice:feed_atom", "advice:topic_feed", "advice:comment_feed"]
)
def test_feed_links_are_on_site_url(client, site, name):
    kwargs = {}
    if name == "advice:topic_feed":
        kwargs = {"slug": site["topic"].slug}
    elif name == "advice:comment_feed":
        kwargs = {"slug": site["article"].slug}
    url = reverse(name, kwargs=kwargs)
    parsed = feedparser.parse(client.get(url, HTTP_HOST=EVIL).content)
    assert not parsed.bozo
    links = [parsed.feed.link] + [link.href for link in parsed.feed.get("links", [])]
    for entry in parsed.entries:
        links += [entry.link, entry.get("id", entry.link)]
    assert links
    assert all(link.startswith(SITE + "/") for link in links), links
    assert SITE + url in links  # the feed's own (self) link


def test_article_page_absolute_urls_are_on_site_url(client, site):
    article = site["article"]
    page = client.get(article.get_absolute_url(), HTTP_HOST=EVIL).content.decode()
    expected = SITE + article.get_absolute_url()
    assert f'<link rel="canonical" href="{expected}">' in page
    assert f'<meta property="og:url" content="{expected}">' in page
    assert f'"url":"{expected}"' in page  # JSON-LD
    assert "u=https%3A%2F%2Fadvice.example%2Farticles%2Fthank-you-notes%2F" in page  # share
    assert EVIL not in page
