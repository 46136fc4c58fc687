"""Importing WordPress exports: the seed post, every corpus file, and crafted
edge cases, through ``wxr_import`` and ``manage.py import_wxr``."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import strip_tags

from advice.models import Article, Comment, Topic
from advice.wordpress.importer import wxr_import
from advice.wordpress.wxr import WXRError
from tests.conftest import corpus_path

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[3]
SEED_URL = "/articles/post-interview-thank-you-note/"


def seed_path() -> Path:
    return corpus_path("seed", "post-interview-thank-you-note.wxr.xml")


def table_counts() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Comment.objects.count(),
        Topic.objects.count(),
        Article.topics.through.objects.count(),
    )


def post_xml(
    post_id: int,
    *,
    title: str = "A post",
    name: str = "",
    status: str = "publish",
    post_type: str = "post",
    password: str = "",
    content: str = "Some advice.",
    comments: str = "",
    link: str | None = None,
    date_gmt: str = "2020-01-02 03:04:05",
    date: str = "2020-01-02 04:04:05",
    comment_status: str = "open",
    extra: str = "",
) -> str:
    link = link if link is not None else f"https://small.example/?p={post_id}"
    return f"""
  <item>
    <title>{title}</title>
    <link>{link}</link>
    <content:encoded><![CDATA[{content}]]></content:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{date_gmt}</wp:post_date_gmt>
    <wp:comment_status>{comment_status}</wp:comment_status>
    <wp:post_name>{name}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_type>{post_type}</wp:post_type>
    <wp:post_password>{password}</wp:post_password>
    {extra}
    {comments}
  </item>"""


def comment_xml(
    comment_id: int,
    *,
    parent: int = 0,
    approved: str = "1",
    kind: str = "",
    author: str = "Reader",
    email: str = "reader@example.com",
    url: str = "",
    ip: str = "192.0.2.1",
    body: str = "A comment.",
    date_gmt: str = "2020-02-03 04:05:06",
    date: str = "2020-02-03 05:05:06",
) -> str:
    return f"""
    <wp:comment>
      <wp:comment_id>{comment_id}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email>{email}</wp:comment_author_email>
      <wp:comment_author_url>{url}</wp:comment_author_url>
      <wp:comment_author_IP>{ip}</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date_gmt}</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
    </wp:comment>"""


def small_wxr(tmp_path, body: str, *, prolog: str = "", name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Small</title><link>https://small.example</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>"
            "<wp:base_site_url>https://small.example</wp:base_site_url>\n"
            f"{body}\n</channel>\n</rss>\n"
        ).encode()
    )
    return path


def import_command(path, *args) -> str:
    out = StringIO()
    call_command("import_wxr", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# ---------------------------------------------------------------------------
# The seed post


def test_seed_post_page_shows_asker_question_answer_and_closed_comments(client):
    summary = wxr_import(seed_path())
    assert (summary.articles_imported, summary.comments_imported) == (1, 3)

    article = Article.objects.get(slug="post-interview-thank-you-note")
    assert article.asker == "Bianca"
    assert article.question.startswith("I just had an interview with a coordinator.")
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2016, 5, 10, 16, 0, tzinfo=UTC)
    assert article.comment_status == Article.CommentStatus.CLOSED

    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", article.answer_html, re.S)
    assert len(quotes) == 2
    assert len(re.findall(r"<p>", quotes[0])) == 3
    assert "[show]" in quotes[1]

    response = client.get(SEED_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bianca" in page
    assert "asks:" in page
    assert "What are your thoughts on sending a post-interview note?" in page
    assert "Hi, [name]!" in page
    assert "3 Responses" in page
    assert "Comments are closed." in page
    assert "Sometimes the payoffs are slow." in page


def test_seed_comments_keep_author_status_date_and_ip():
    wxr_import(seed_path())
    comments = list(Comment.objects.order_by("wp_id"))
    assert [c.wp_id for c in comments] == [2001, 2002, 2003]
    first = comments[0]
    assert first.author_name == "A showrunner"
    assert first.author_email == "reader1@example.com"
    assert first.author_url == ""
    assert first.status == Comment.Status.APPROVED
    assert first.created_at == datetime(2016, 5, 10, 18, 12, tzinfo=UTC)
    assert first.ip_address == "192.0.2.10"
    assert first.parent is None
    assert "\n\nWhether that was related" in comments[1].body


def test_seed_categories_and_tags_become_topics_but_not_the_default_category():
    wxr_import(seed_path())
    article = Article.objects.get(slug="post-interview-thank-you-note")
    assert {(t.slug, t.name) for t in article.topics.all()} == {("interviews", "interviews")}
    assert not Topic.objects.filter(slug="uncategorized").exists()


def test_old_wordpress_path_redirects_to_the_article(client):
    wxr_import(seed_path())
    article = Article.objects.get(slug="post-interview-thank-you-note")
    assert article.wp_path == "/2016/05/10/post-interview-thank-you-note/"
    response = client.get("/2016/05/10/post-interview-thank-you-note/")
    assert response.status_code == 301
    assert response["Location"] == SEED_URL


def test_old_wordpress_short_link_redirects_to_the_article(client):
    wxr_import(seed_path())
    response = client.get("/?p=101")
    assert response.status_code == 301
    assert response["Location"] == SEED_URL


def test_reimporting_the_same_file_adds_nothing():
    first = wxr_import(seed_path())
    counts = table_counts()
    second = wxr_import(seed_path())
    assert table_counts() == counts
    assert (second.articles_imported, second.articles_updated, second.articles_unchanged) == (
        0,
        0,
        1,
    )
    assert (second.comments_imported, second.comments_existing) == (0, 3)
    assert (second.topics_created, second.topics_existing) == (0, 1)
    assert first.topics_created == 1  # "uncategorized" is not a topic


def test_dry_run_writes_nothing_and_reports_what_a_real_run_would():
    output = import_command(seed_path(), "--dry-run")
    assert table_counts() == (0, 0, 0, 0)
    assert "Dry run: nothing was written." in output
    real = import_command(seed_path())
    assert output.replace("Dry run: nothing was written.\n", "") == real
    assert "Articles: 1 imported" in real
    assert "Comments: 3 imported" in real


def test_reimport_updates_an_article_whose_export_changed(tmp_path):
    wxr_import(small_wxr(tmp_path, post_xml(5, title="Old title", name="kept")))
    summary = wxr_import(small_wxr(tmp_path, post_xml(5, title="New title", name="kept")))
    assert (summary.articles_imported, summary.articles_updated) == (0, 1)
    article = Article.objects.get()
    assert (article.title, article.slug) == ("New title", "kept")


# ---------------------------------------------------------------------------
# Every corpus file


def test_theme_unit_test_data_counts_and_ten_deep_reply_chain():
    summary = wxr_import(corpus_path("wxr", "theme-unit-test-data.xml"))

    assert summary.items == 186
    assert summary.articles_imported == 58
    assert (summary.published, summary.scheduled) == (55, 1)
    assert summary.drafts == {"draft": 1, "password-protected": 1}
    # Pages became flat pages (issue 13 item 8); they were counted as skipped.
    assert summary.items_skipped == {"attachment": 37, "nav_menu_item": 70}
    assert summary.pages_imported == 21
    assert summary.comments_imported == 24
    assert summary.comments_skipped == {"pingback": 2, "trackback": 2, "on a skipped item": 5}
    assert summary.replies_made_top_level == 0
    assert summary.topics_created == Topic.objects.count() == 180  # without "uncategorized"
    assert summary.terms_skipped == {"nav_menu": 6, "default category": 1}
    assert Article.objects.count() == 58
    assert Comment.objects.count() == 24

    deepest = Comment.objects.get(wp_id=915)
    chain = []
    comment = deepest
    while comment is not None:
        chain.append(comment.wp_id)
        comment = comment.parent
    assert chain == [915, 914, 913, 912, 911, 910, 907, 906, 905, 904]
    assert {c.article.wp_id for c in Comment.objects.filter(wp_id__in=chain)} == {1148}

    scheduled = Article.objects.get(wp_id=1153)
    assert scheduled.status == Article.Status.PUBLISHED
    assert scheduled.published_at == datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()
    assert Article.objects.get(wp_id=1168).status == Article.Status.DRAFT  # password
    assert Article.objects.get(wp_id=1164).slug == "draft"  # no post_name: from the title
    assert Article.objects.get(wp_id=1150).comment_status == Article.CommentStatus.CLOSED
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 1
    special = Article.objects.get(wp_id=1174)
    assert special.title == "Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\;:'\"?,.>"


def test_theme_unit_test_data_titles_read_as_text_and_comment_bodies_are_stored_exactly():
    path = corpus_path("wxr", "theme-unit-test-data.xml")
    wxr_import(path)
    wp = "{https://wordpress.org/export/1.2/}"
    titles, bodies = {}, {}
    for item in ET.parse(path).getroot().iter("item"):
        if item.findtext(f"{wp}post_type") != "post":
            continue
        titles[int(item.findtext(f"{wp}post_id"))] = html.unescape(
            strip_tags(item.findtext("title"))
        )
        for comment in item.iter(f"{wp}comment"):
            bodies[int(comment.findtext(f"{wp}comment_id"))] = comment.findtext(
                f"{wp}comment_content"
            )
    assert dict(Article.objects.values_list("wp_id", "title")) == titles
    assert titles[1173] == "Markup: Title With Markup"  # <em>, <b>, <sup> in the source
    stored = dict(Comment.objects.values_list("wp_id", "body"))
    assert stored == {wp_id: body for wp_id, body in bodies.items() if wp_id in stored}
    assert len(stored) == 24


def test_theme_unit_test_data_reimport_adds_nothing():
    path = corpus_path("wxr", "theme-unit-test-data.xml")
    wxr_import(path, batch_size=7)
    counts = table_counts()
    summary = wxr_import(path, batch_size=50)
    assert table_counts() == counts
    assert (summary.articles_imported, summary.articles_unchanged) == (0, 58)
    assert (summary.comments_imported, summary.comments_existing) == (0, 24)


def test_theme_unit_test_data_articles_render(client):
    wxr_import(corpus_path("wxr", "theme-unit-test-data.xml"))
    article = Article.objects.get(wp_id=1148)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "19 Responses" in response.content.decode()  # 20 comments, 1 held
    lists = Article.objects.get(wp_id=1000)
    assert "<ul>" in lists.answer_html
    assert "<ol>" in lists.answer_html


def test_valid_wxr_1_0_counts():
    summary = wxr_import(corpus_path("wxr", "valid-wxr-1.0.xml"))
    assert (summary.items, summary.articles_imported) == (6, 3)
    assert summary.items_skipped == {}  # its 3 pages were skipped before issue 13 item 8
    assert summary.pages_imported == 3
    assert (summary.comments_imported, sum(summary.comments_skipped.values())) == (1, 0)
    assert summary.topics_created == 8  # without "uncategorized"
    alpha = Article.objects.get(slug="alpha-post")
    assert {t.slug for t in alpha.topics.all()} == {"alpha", "news", "roar"}
    child = Article.objects.get(slug="child-post")
    assert {t.slug for t in child.topics.all()} == {"child", "chicken", "face"}
    comment = Comment.objects.get()
    assert comment.author_url == "http://wordpress.org/"
    assert comment.ip_address is None


def test_pelican_export_counts_drafts_orphan_reply_and_custom_types():
    summary = wxr_import(corpus_path("wxr", "wordpressexport.xml"))
    assert summary.items == 20
    assert summary.articles_imported == 9
    assert (summary.published, summary.drafts) == (5, {"draft": 4})
    assert summary.items_skipped == {
        "attachment": 4,
        "custom1": 2,
        "custom2": 1,
        "repeated WordPress id": 2,
    }
    assert summary.comments_imported == 3
    assert summary.comments_skipped == {"pingback": 1}
    assert summary.replies_made_top_level == 1
    # 7 declared, 4 on items, without "uncategorized"
    assert summary.topics_created == Topic.objects.count() == 10

    assert Comment.objects.get(wp_id=122).parent is None  # parent 121 not in the file
    assert Comment.objects.get(wp_id=117).parent.wp_id == 116
    assert not Comment.objects.filter(wp_id=156).exists()  # trashed pingback
    assert Article.objects.get(wp_id=168).slug == "post-168"  # no name, no title
    assert Article.objects.get(wp_id=168).title == ""
    assert Article.objects.get(wp_id=471).title == "Special chars: l'é"
    # The title's HTML is "some <html> entities": a browser shows no tag there.
    entity_title = Article.objects.get(wp_id=175).title
    assert entity_title == "A normal post with some  entities in the title. You can't miss them."
    draft = Article.objects.get(wp_id=174)
    assert draft.status == Article.Status.DRAFT
    # post_date_gmt 0000-00-00: the local post_date is used.
    assert draft.published_at.year == 2012


def test_utf8_challenges_are_stored_exactly_as_parsed():
    path = corpus_path("wxr", "wxr-utf-8-challenges.xml")
    summary = wxr_import(path)
    # Its one category is the default one (nicename "uncat\u202eegorized\u202c"),
    # which is not made a topic.
    assert (summary.articles_imported, summary.topics_created) == (1, 0)

    reference = ET.parse(path).getroot().find("channel/item")
    article = Article.objects.get()
    assert article.title == reference.findtext("title")
    assert (
        article.title
        == '"The Road \u202eNot\u202c Taken" by Rob\u202dert \u202eFrost \u202a🌲\u202c'
    )
    assert article.slug == "hello-world-utf8-test"
    assert "🚀🌟💫" in article.answer_html
    assert "السلام عليكم" in article.answer_html
    assert not Topic.objects.exists()


@pytest.mark.parametrize(("name", "line"), [("malformed.xml", 90), ("crazy-cdata.xml", 18)])
def test_file_that_is_not_well_formed_is_refused_naming_the_line(name, line):
    wxr_import(seed_path())
    before = table_counts()
    with pytest.raises(CommandError, match=rf"line {line}, column \d+.*Nothing was imported"):
        import_command(corpus_path("wxr", name))
    assert table_counts() == before


def test_command_exits_non_zero_for_a_file_that_is_not_well_formed():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_wxr", str(corpus_path("wxr", "malformed.xml"))],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "mismatched tag at line 90, column 2" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------
# Crafted files


def test_external_entity_file_is_refused_and_nothing_written(tmp_path):
    prolog = '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    path = small_wxr(tmp_path, post_xml(1, title="&secret;"), prolog=prolog)
    with pytest.raises(WXRError, match="line 2"):
        wxr_import(path)
    assert table_counts() == (0, 0, 0, 0)


def test_billion_laughs_file_is_refused_and_nothing_written(tmp_path):
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    path = small_wxr(tmp_path, post_xml(1, title="&a9;"), prolog=f"<!DOCTYPE rss [{entities}]>\n")
    with pytest.raises(CommandError, match="entities"):
        import_command(path)
    assert table_counts() == (0, 0, 0, 0)


def test_control_byte_is_refused_cleanly_and_nothing_written(tmp_path):
    body = post_xml(1) + post_xml(2, title="Bad \x01 byte")
    path = small_wxr(tmp_path, body)
    with pytest.raises(CommandError, match=r"not well-formed \(invalid token\) at line \d+"):
        import_command(path)
    assert table_counts() == (0, 0, 0, 0)


def test_status_mapping(tmp_path):
    future = "2999-01-01 00:00:00"
    body = "".join(
        [
            post_xml(1, status="publish"),
            post_xml(2, status="future", date_gmt=future, date=future),
            post_xml(3, status="draft"),
            post_xml(4, status="pending"),
            post_xml(5, status="private"),
            post_xml(6, status="publish", password="secret"),
            post_xml(7, status="trash"),
            post_xml(8, post_type="page"),
            post_xml(9, post_type="attachment", status="inherit"),
            post_xml(10, post_type="nav_menu_item"),
            post_xml(11, post_type="recipe"),
        ]
    )
    summary = wxr_import(small_wxr(tmp_path, body))
    status = dict(Article.objects.values_list("wp_id", "status"))
    assert status == {
        1: "published",
        2: "published",
        3: "draft",
        4: "draft",
        5: "draft",
        6: "draft",
    }
    assert Article.objects.get(wp_id=2).published_at == datetime(2999, 1, 1, tzinfo=UTC)
    assert list(Article.objects.published().values_list("wp_id", flat=True)) == [1]
    assert summary.drafts == {"draft": 1, "pending": 1, "private": 1, "password-protected": 1}
    assert summary.items_skipped == {
        "status trash": 1,
        "page without an address": 1,  # link "?p=8", no post_name
        "attachment": 1,
        "nav_menu_item": 1,
        "recipe": 1,
    }


def test_comment_statuses_parents_and_dates(tmp_path):
    comments = "".join(
        [
            comment_xml(1, approved="1"),
            comment_xml(2, approved="0", parent=1),
            comment_xml(3, approved="spam"),
            comment_xml(4, approved="trash", parent=3),
            comment_xml(5, parent=99),  # parent not in the file
            comment_xml(6, parent=10),  # parent on another post
            comment_xml(7, kind="pingback"),
            comment_xml(8, kind="trackback"),
            comment_xml(9, parent=7),  # parent skipped (pingback)
            comment_xml(11, date_gmt="0000-00-00 00:00:00", date="2021-06-07 08:09:10"),
            comment_xml(12, parent=13),  # parent later in the file
            comment_xml(13),
        ]
    )
    body = post_xml(1, comments=comments, comment_status="closed") + post_xml(
        2, comments=comment_xml(10)
    )
    summary = wxr_import(small_wxr(tmp_path, body))

    rows = {c.wp_id: c for c in Comment.objects.select_related("parent")}
    assert {k: c.status for k, c in rows.items() if k < 5} == {
        1: "approved",
        2: "pending",
        3: "spam",
        4: "removed",
    }
    assert rows[2].parent == rows[1]
    assert rows[4].parent == rows[3]
    assert rows[12].parent == rows[13]
    assert rows[5].parent is None
    assert rows[6].parent is None
    assert rows[9].parent is None
    assert summary.replies_made_top_level == 3
    assert summary.comments_skipped == {"pingback": 1, "trackback": 1}
    assert rows[1].created_at == datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)
    local = timezone.get_current_timezone()
    assert rows[11].created_at == datetime(2021, 6, 7, 8, 9, 10, tzinfo=local)
    assert Article.objects.get(wp_id=1).comment_status == Article.CommentStatus.CLOSED
    assert Article.objects.get(wp_id=2).comment_status == Article.CommentStatus.OPEN


def test_long_values_are_cut_and_counted_and_unsafe_websites_dropped(tmp_path):
    comments = "".join(
        [
            comment_xml(1, author="N" * 300, url="javascript:alert(1)", ip="not-an-ip"),
            comment_xml(2, url="https://example.com/me", email="e" * 120 + "@example.com"),
        ]
    )
    summary = wxr_import(small_wxr(tmp_path, post_xml(1, title="T" * 310, comments=comments)))
    assert len(Article.objects.get().title) == 300
    first, second = Comment.objects.order_by("wp_id")
    assert first.author_name == "N" * 245
    assert (first.author_url, first.ip_address) == ("", None)
    assert second.author_url == "https://example.com/me"
    assert len(second.author_email) == 100
    assert summary.truncated == {"article title": 1, "comment name": 1, "comment e-mail": 1}
    assert summary.cleaned == {
        "website not http/https, dropped": 1,
        "IP address not valid, dropped": 1,
    }
    output_lines = summary.lines()
    assert any(line.startswith("Cut to the field's length:") for line in output_lines)


def test_odd_ids_urls_and_addresses_do_not_break_the_import(tmp_path):
    comments = "".join(
        [
            comment_xml(1, url="http://[broken", ip="fe80::1%eth0"),
            comment_xml(2, ip="2001:db8::1"),
            comment_xml(99999999999999999999999),
            comment_xml(3, parent=99999999999999999999999),
        ]
    )
    body = post_xml(1, link="http://[broken/", comments=comments) + post_xml(
        99999999999999999999999
    )
    summary = wxr_import(small_wxr(tmp_path, body))
    assert summary.items_skipped == {"no WordPress id": 1}
    assert summary.comments_skipped == {"no WordPress id": 1}
    rows = {c.wp_id: c for c in Comment.objects.all()}
    assert (rows[1].author_url, rows[1].ip_address) == ("", None)
    assert rows[2].ip_address == "2001:db8::1"
    assert rows[3].parent is None
    assert Article.objects.get().wp_path == ""


def test_comment_text_is_stored_exactly(tmp_path):
    body = "Back\\slash \\n &amp; &#039; <br /> 🎉 \u200b\u202e rtl \u2028 end"
    wxr_import(small_wxr(tmp_path, post_xml(1, comments=comment_xml(1, body=body))))
    assert Comment.objects.get().body == body


def test_slugs_are_readable_and_unique(tmp_path, make_article):
    make_article(slug="taken")
    body = "".join(
        [
            post_xml(1, name="%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80"),
            post_xml(2, name="taken"),
            post_xml(3, name="taken"),
            post_xml(4, name="", title="Ελληνικός τίτλος"),
            post_xml(5, name="", title="🎉"),
        ]
    )
    wxr_import(small_wxr(tmp_path, body))
    slugs = dict(Article.objects.filter(wp_id__isnull=False).values_list("wp_id", "slug"))
    assert slugs == {
        1: "привет-мир",
        2: "taken-2",
        3: "taken-3",
        4: "ελληνικός-τίτλος",
        5: "post-5",
    }


def test_topic_names_are_unescaped_and_matched_by_slug(tmp_path, make_topic):
    make_topic(slug="careers", name="Careers (ours)")
    terms = (
        "<wp:category><wp:category_nicename>careers</wp:category_nicename>"
        "<wp:cat_name><![CDATA[Careers]]></wp:cat_name></wp:category>"
        "<wp:tag><wp:tag_slug>cv-%26-letters</wp:tag_slug>"
        "<wp:tag_name><![CDATA[CV &amp; letters]]></wp:tag_name></wp:tag>"
    )
    extra = (
        '<category domain="category" nicename="careers"><![CDATA[Careers]]></category>'
        '<category domain="post_tag" nicename="cv-%26-letters"><![CDATA[CV &amp; letters]]>'
        "</category>"
        '<category domain="post_format" nicename="post-format-aside">Aside</category>'
    )
    summary = wxr_import(small_wxr(tmp_path, terms + post_xml(1, extra=extra)))
    assert (summary.topics_created, summary.topics_existing) == (1, 1)
    article = Article.objects.get(wp_id=1)
    assert {(t.slug, t.name) for t in article.topics.all()} == {
        ("careers", "Careers (ours)"),
        ("cv-letters", "CV & letters"),
    }


def test_old_path_of_a_draft_does_not_redirect(client, tmp_path):
    link = "https://small.example/2020/01/secret/"
    wxr_import(small_wxr(tmp_path, post_xml(1, status="draft", link=link)))
    assert client.get("/2020/01/secret/").status_code == 404
    assert client.get("/?p=1").status_code == 404


def test_command_prints_a_summary(tmp_path):
    output = import_command(small_wxr(tmp_path, post_xml(1) + post_xml(2, post_type="page")))
    assert "Items read: 2" in output
    assert "Articles: 1 imported, 0 updated, 0 unchanged" in output
    assert "Items skipped: 1 (1 page without an address)" in output


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        import_command(tmp_path / "missing.xml")
