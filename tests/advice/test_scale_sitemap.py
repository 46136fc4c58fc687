"""The sitemap is an index of sections of at most 50,000 URLs each, every
file served from the cache and renewed by content changes (issue 14)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from advice import sitemaps

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _locs(content: bytes, tag: str) -> list[str]:
    return [e.find(f"{NS}loc").text for e in ET.fromstring(content).iter(f"{NS}{tag}")]


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_index_names_each_section_and_sections_are_valid(client, make_article, make_topic):
    make_article(topics=[make_topic()])
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    sections = _locs(index.content, "sitemap")
    assert [_path(u) for u in sections] == ["/sitemap-articles.xml", "/sitemap-topics.xml"]
    for url in sections:
        response = client.get(_path(url))
        assert response.status_code == 200
        assert len(_locs(response.content, "url")) == 1
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_section_is_split_at_its_url_limit(client, make_article, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    for _ in range(5):
        make_article()
    sections = [_path(u) for u in _locs(client.get("/sitemap.xml").content, "sitemap")]
    pages = [s for s in sections if s.startswith("/sitemap-articles.xml")]
    assert pages == [
        "/sitemap-articles.xml",
        "/sitemap-articles.xml?p=2",
        "/sitemap-articles.xml?p=3",
    ]
    counts = [len(_locs(client.get(p).content, "url")) for p in pages]
    assert counts == [2, 2, 1]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_section_limit_is_the_sitemaps_org_limit():
    assert sitemaps.ArticleSitemap.limit == sitemaps.TopicSitemap.limit == 50_000


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-articles.xml"])
def test_sitemap_files_come_from_the_cache(client, make_article, django_assert_num_queries, url):
    make_article()
    client.get(url)
    with django_assert_num_queries(1):  # the site version; the XML from the cache
        assert client.get(url).status_code == 200


def test_cached_section_follows_new_and_deleted_articles(client, make_article):
    first = make_article()
    client.get("/sitemap-articles.xml")
    second = make_article()
    fresh = client.get("/sitemap-articles.xml").content.decode()
    assert second.get_absolute_url() in fresh
    assert first.get_absolute_url() in fresh
    first.delete()
    assert first.get_absolute_url() not in client.get("/sitemap-articles.xml").content.decode()
