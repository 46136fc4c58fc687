"""Reading WordPress exports: validation pass and streaming items (no database)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from advice.wordpress.wxr import Item, Term, WXRError, iter_wxr, validate_wxr
from tests.conftest import corpus_path

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{ns}">
<channel>
  <title>Small site</title>
  <link>https://small.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://small.example</wp:base_site_url>
"""


def small_wxr(tmp_path, body: str = "", *, ns="http://wordpress.org/export/1.2/", head=None):
    path = tmp_path / "export.xml"
    text = (head if head is not None else WXR_HEAD.format(ns=ns)) + body + "</channel></rss>\n"
    path.write_bytes(text.encode("utf-8"))
    return path


def read_all(path) -> tuple[list[Term], list[Item]]:
    values = list(iter_wxr(path))
    return (
        [v for v in values if isinstance(v, Term)],
        [v for v in values if isinstance(v, Item)],
    )


def test_seed_export_reads_channel_item_terms_and_comments():
    path = corpus_path("seed", "post-interview-thank-you-note.wxr.xml")
    channel = validate_wxr(path)
    assert channel.wxr_version == "1.2"
    assert channel.site == "https://advice.example.com"
    assert channel.item_count == 1

    terms, items = read_all(path)
    assert {(t.taxonomy, t.slug, t.name) for t in terms} == {
        ("category", "uncategorized", "Uncategorized"),
        ("post_tag", "interviews", "interviews"),
    }
    (post,) = items
    assert post.post_id == 101
    assert post.post_type == "post"
    assert post.status == "publish"
    assert post.comment_status == "closed"
    assert post.post_date_gmt == "2016-05-10 16:00:00"
    assert post.link == "https://advice.example.com/2016/05/10/post-interview-thank-you-note/"
    assert post.content.startswith("<strong>Bianca asks:</strong>\n\n<em>I just had")
    assert [(c.id, c.parent, c.approved) for c in post.comments] == [
        (2001, 0, "1"),
        (2002, 0, "1"),
        (2003, 0, "1"),
    ]
    assert post.comments[0].author_ip == "192.0.2.10"
    assert {(t.domain, t.nicename) for t in post.terms} == {
        ("category", "uncategorized"),
        ("post_tag", "interviews"),
    }


def test_https_namespace_of_wordpress_com_exports_is_read():
    path = corpus_path("wxr", "theme-unit-test-data.xml")
    channel = validate_wxr(path)
    assert channel.item_count == 186
    # WordPress.com gives every blog this base_site_url; the blog URL identifies the site.
    assert channel.base_site_url == "https://wordpress.com/"
    assert channel.site == "https://wpthemetestdata.wordpress.com"

    terms, items = read_all(path)
    assert Counter(i.post_type for i in items) == {
        "post": 58,
        "page": 21,
        "attachment": 37,
        "nav_menu_item": 70,
    }
    # 68 <wp:category>, 110 <wp:tag>, 7 <wp:term> (one more category, 6 menus)
    assert Counter(t.taxonomy for t in terms) == {"category": 69, "post_tag": 110, "nav_menu": 6}
    assert sum(len(i.comments) for i in items) == 33
    chain = {c.id: c.parent for i in items for c in i.comments}
    assert chain[905] == 904
    assert chain[915] == 914


def test_wxr_1_0_namespace_is_read():
    path = corpus_path("wxr", "valid-wxr-1.0.xml")
    assert validate_wxr(path).wxr_version == "1.0"
    terms, items = read_all(path)
    assert len(terms) == 9
    assert [(i.post_id, i.post_type) for i in items] == [
        (1, "post"),
        (2, "page"),
        (4, "post"),
        (6, "post"),
        (8, "page"),
        (10, "page"),
    ]
    alpha = items[2]
    assert ("tag", "news", "news") in {(t.domain, t.nicename, t.name) for t in alpha.terms}
    assert ("", "", "alpha") in {(t.domain, t.nicename, t.name) for t in alpha.terms}


@pytest.mark.parametrize(
    ("name", "line", "column", "reason"),
    [
        ("malformed.xml", 90, 2, "mismatched tag"),
        ("crazy-cdata.xml", 18, 71, "not well-formed (invalid token)"),
    ],
)
def test_file_that_is_not_well_formed_is_refused_with_its_line(name, line, column, reason):
    with pytest.raises(WXRError) as caught:
        validate_wxr(corpus_path("wxr", name))
    assert (caught.value.line, caught.value.column) == (line, column)
    assert reason in str(caught.value)
    assert f"line {line}, column {column}" in str(caught.value)


def test_external_entity_is_refused(tmp_path):
    head = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        + WXR_HEAD.format(ns="http://wordpress.org/export/1.2/").split("\n", 1)[1]
    )
    path = small_wxr(tmp_path, "<item><title>&secret;</title></item>", head=head)
    with pytest.raises(WXRError) as caught:
        validate_wxr(path)
    assert caught.value.line == 2
    assert "entities" in str(caught.value)


def test_entity_expansion_bomb_is_refused(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    head = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{entities}]>\n'
        + WXR_HEAD.format(ns="http://wordpress.org/export/1.2/").split("\n", 1)[1]
    )
    path = small_wxr(tmp_path, "<item><title>&lol9;</title></item>", head=head)
    with pytest.raises(WXRError) as caught:
        validate_wxr(path)
    assert caught.value.line == 2


def test_control_byte_is_refused_with_its_line(tmp_path):
    path = small_wxr(tmp_path, "<item>\n<title>Bad \x01 byte</title>\n</item>\n")
    with pytest.raises(WXRError) as caught:
        validate_wxr(path)
    assert (caught.value.line, caught.value.column) == (12, 11)
    assert "not well-formed" in str(caught.value)


def test_plain_rss_feed_is_not_taken_for_a_wordpress_export(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<rss version="2.0"><channel><title>x</title><item><title>y</title></item></channel></rss>'
    )
    with pytest.raises(WXRError, match="Not a WordPress export"):
        validate_wxr(path)


def test_other_document_is_not_taken_for_a_wordpress_export(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<html><body>hello</body></html>")
    with pytest.raises(WXRError, match="Not a WordPress export"):
        validate_wxr(path)


@pytest.mark.parametrize(
    "ns",
    [
        "http://wordpress.org/export/1.1/",
        "https://wordpress.org/export/1.2/",
        "https://wordpress.org/export/1.0/",
    ],
)
def test_items_are_read_under_each_wordpress_namespace(tmp_path, ns):
    body = """<item><title>T</title><wp:post_id>7</wp:post_id>
      <wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
      <wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_parent>0</wp:comment_parent>
      </wp:comment></item>"""
    _, (item,) = read_all(small_wxr(tmp_path, body, ns=ns))
    assert (item.post_id, item.post_type, item.status) == (7, "post", "publish")
    assert [c.id for c in item.comments] == [3]


def test_text_is_exactly_what_the_xml_parser_gives():
    path = corpus_path("wxr", "wxr-utf-8-challenges.xml")
    reference = ET.parse(path).getroot().find("channel/item")
    wp = "{http://wordpress.org/export/1.2/}"
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"

    _, (item,) = read_all(path)

    assert item.title == reference.findtext("title")
    assert "\u202e" in item.title
    assert "🌲" in item.title
    assert item.post_name == reference.findtext(f"{wp}post_name")
    assert item.content == reference.findtext(content)
    assert "&#xD800;" in item.content  # inside CDATA: literal text, not a character
    assert item.guid == reference.findtext("guid")
