"""Issue 13, items 1, 4, 5, 6: what readers see after a WordPress import
(titles, comment names and bodies as WordPress showed them; "(no title)"),
the default category, re-import keeping editors' work, and the import's
report of new addresses and quoted-note candidates."""

from __future__ import annotations

import csv
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advice.models import Article, Comment, Topic
from advice.privacy.data import comments_erase
from advice.wordpress.importer import wxr_import
from advice.wordpress.records import comment_body_html, html_to_text
from tests.advice.wordpress.test_import import comment_xml, post_xml, seed_path, small_wxr

pytestmark = pytest.mark.django_db

TITLE_SOURCE = "Raise &amp; review: what&#8217;s &quot;fair&quot;?"
TITLE = 'Raise & review: what’s "fair"?'
COMMENT_SOURCE = (
    "Thanks!<br />\nI didn&#039;t <em>know</em> that &amp; it "
    '<a href="https://example.org/x">helped</a>.'
)
NAME_SOURCE = "Pat O&#039;Reader"


def import_post(tmp_path, **fields):
    """Import one post (``post_xml`` fields) with the issue's title and comment."""
    fields.setdefault("title", f"<![CDATA[{TITLE_SOURCE}]]>")
    fields.setdefault(
        "comments", comment_xml(7, author=NAME_SOURCE, body=COMMENT_SOURCE, ip="192.0.2.9")
    )
    summary = wxr_import(small_wxr(tmp_path, post_xml(1, name="fair", **fields)))
    return summary, Article.objects.get(wp_id=1)


def shows_no_markup_as_text(page: str) -> bool:
    """No escaped tag or double-escaped entity of the sources shows as text."""
    return not re.search(r"&lt;/?(em|br|a|p)\b|&amp;(#0?39|#8217|quot|amp);", page)


# --- 1. Text reads as it did on WordPress ------------------------------------


def test_title_is_stored_as_the_text_wordpress_showed():
    assert html_to_text(TITLE_SOURCE) == TITLE
    assert html_to_text("Markup: <em>With</em> <b>Mark<sup>up</sup></b>") == "Markup: With Markup"
    assert html_to_text("1 &lt; 2 and a\\b 🌲 \u202eשלום") == "1 < 2 and a\\b 🌲 \u202eשלום"


def test_title_reads_decoded_on_the_page_title_tag_json_ld_and_feed(client, tmp_path):
    _, article = import_post(tmp_path)
    assert article.title == TITLE
    page = client.get(article.get_absolute_url()).content.decode()
    escaped = "Raise &amp; review: what’s &quot;fair&quot;?"
    assert f"<h1>{escaped}</h1>" in page
    assert f"<title>{escaped} — " in page
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    )
    assert data["mainEntity"]["name"] == TITLE
    assert shows_no_markup_as_text(page)
    feed = client.get("/feed/").content.decode()
    assert '<title>Raise &amp; review: what’s "fair"?</title>' in feed
    assert "&amp;amp;" not in feed
    assert "&amp;#8217;" not in feed


def test_title_reads_decoded_in_search_results_and_the_admin(client, staff_client, tmp_path):
    _, article = import_post(tmp_path)
    results = client.get("/search/", {"q": "review"}).content.decode()
    assert "Raise &amp; " in results
    assert "what’s &quot;fair&quot;?" in results
    assert shows_no_markup_as_text(results)
    admin = staff_client.get("/admin/advice/article/").content.decode()
    assert "Raise &amp; review: what’s &quot;fair&quot;?" in admin
    assert shows_no_markup_as_text(admin)


def test_comment_keeps_its_source_and_shows_its_break_emphasis_and_ugc_link(client, tmp_path):
    _, article = import_post(tmp_path)
    comment = Comment.objects.get(wp_id=7)
    assert comment.body == COMMENT_SOURCE  # kept as WordPress stored it, for an export
    assert comment.author_name == "Pat O'Reader"
    assert comment.body_html == (
        "<p>Thanks!<br>\nI didn't <em>know</em> that &amp; it "
        '<a href="https://example.org/x" rel="nofollow ugc">helped</a>.</p>'
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert comment.body_html in page
    assert "Pat O&#x27;Reader" in page
    assert shows_no_markup_as_text(page)
    feed = client.get(f"{article.get_absolute_url()}comments/feed/").content.decode()
    assert "Pat O'Reader on “Raise &amp; review" in feed
    assert "I didn't &lt;em&gt;know&lt;/em&gt;" in feed  # the HTML, once escaped in XML


def test_comment_script_is_removed_and_text_stays_byte_exact(tmp_path):
    body = 'a\\b \\\\ 😀 שלום \u202eRTL\u202c <script>alert("x")</script><b onclick="x()">bold</b>'
    import_post(tmp_path, comments=comment_xml(8, body=body))
    comment = Comment.objects.get(wp_id=8)
    assert comment.body == body
    assert "script" not in comment.body_html
    assert "alert" not in comment.body_html
    assert "onclick" not in comment.body_html
    assert "<b>bold</b>" in comment.body_html
    assert "a\\b \\\\ 😀 שלום \u202eRTL\u202c" in comment.body_html


def test_comment_paragraphs_and_markdown_like_text_show_as_written():
    html = comment_body_html("One *star* and 1. not a list\n\n<p>Two</p>\n# not a heading")
    assert html == "<p>One *star* and 1. not a list</p>\n<p>Two</p>\n<p># not a heading</p>"
    assert comment_body_html("  ") == ""


def test_comments_written_here_keep_their_plain_text_rules(client, make_article, make_comment):
    article = make_article()
    make_comment(article, body="I didn't <em>know</em> &amp; see https://example.org/y")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "I didn&#x27;t &lt;em&gt;know&lt;/em&gt; &amp;amp; see" in page
    assert 'rel="nofollow ugc" href="https://example.org/y"' in page


def test_search_snippet_of_an_imported_comment_quotes_its_text(client, tmp_path):
    import_post(tmp_path, content="Nothing to see.")
    results = client.get("/search/", {"q": "helped"}).content.decode()
    assert "<mark>helped</mark>" in results
    assert "I didn&#x27;t know that &amp; it" in results
    assert shows_no_markup_as_text(results)


def test_erasing_a_commenters_data_erases_the_imported_rendering(tmp_path):
    body = "Write to pat@example.org <em>any time</em>"
    comments = comment_xml(9, email="pat@example.org", body=body) + comment_xml(
        10, email="sam@example.org", body="<em>Sam</em> was here"
    )
    import_post(tmp_path, comments=comments)
    comments_erase("pat@example.org", remove_text=False, by=None, key="t1")
    comments_erase("sam@example.org", remove_text=True, by=None, key="t2")
    kept, removed = Comment.objects.get(wp_id=9), Comment.objects.get(wp_id=10)
    assert "pat@example.org" not in kept.body + kept.body_html
    assert "<em>any time</em>" in kept.body_html
    assert (removed.body, removed.body_html) == ("[removed]", "")


# --- 4. The default category; "(no title)" ------------------------------------


def test_the_default_category_is_no_topic_but_a_tag_of_that_name_is(tmp_path):
    extra = (
        '<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]>'
        '</category><category domain="post_tag" nicename="uncategorized">Uncategorized'
        '</category><category domain="category" nicename="raises">Raises</category>'
    )
    terms = (
        "<wp:category><wp:category_nicename>uncategorized</wp:category_nicename>"
        "<wp:cat_name>Uncategorized</wp:cat_name></wp:category>"
    )
    summary = wxr_import(small_wxr(tmp_path, terms + post_xml(1, extra=extra)))
    assert summary.terms_skipped == {"default category": 1}
    article = Article.objects.get()
    assert {t.slug for t in article.topics.all()} == {"raises", "uncategorized"}
    assert Topic.objects.count() == 2  # the tag "uncategorized" and "raises"


def test_an_empty_title_shows_no_title_to_readers(client, tmp_path):
    _, article = import_post(tmp_path, title="", comments="")
    assert article.title == ""
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>(no title)</h1>" in page
    assert "<title>(no title) — " in page
    assert (
        f'<a href="{article.get_absolute_url()}">(no title)</a>' in client.get("/").content.decode()
    )
    assert "<title>(no title)</title>" in client.get("/feed/").content.decode()


# --- 5. Re-import keeps editors' work --------------------------------------------


def test_import_itself_is_not_an_editors_change(tmp_path):
    import_post(tmp_path, extra='<category domain="post_tag" nicename="pay">Pay</category>')
    article = Article.objects.get()
    assert article.imported_at == article.content_changed_at
    summary, _ = import_post(tmp_path, content="New advice.")
    assert (summary.articles_updated, sum(summary.articles_kept.values())) == (1, 0)
    again, _ = import_post(tmp_path, content="Newer advice.")
    assert (again.articles_updated, sum(again.articles_kept.values())) == (1, 0)
    assert Article.objects.get().answer == "Newer advice."


def test_an_article_edited_here_is_kept_and_update_overwrites_it(tmp_path):
    import_post(tmp_path)
    article = Article.objects.get()
    article.title = "Our better title"
    article.save()
    summary, _ = import_post(tmp_path, content="Changed on WordPress.")
    assert summary.articles_kept == {"changed here since import": 1}
    assert "Kept as they are here: 1 changed here since import" in "\n".join(summary.lines())
    assert summary.addresses[0].outcome == "kept"
    assert Article.objects.get().title == "Our better title"
    assert Comment.objects.count() == 1  # comments untouched, as always

    forced = wxr_import(
        small_wxr(tmp_path, post_xml(1, name="fair", content="Changed on WordPress.")),
        update=True,
    )
    assert (forced.articles_updated, sum(forced.articles_kept.values())) == (1, 0)
    article = Article.objects.get()
    assert (article.title, article.answer) == ("A post", "Changed on WordPress.")
    assert article.imported_at == article.content_changed_at


def test_a_topic_removed_here_is_not_added_back(tmp_path):
    extra = '<category domain="post_tag" nicename="pay">Pay</category>'
    import_post(tmp_path, extra=extra)
    article = Article.objects.get()
    article.topics.clear()  # an editor's change (the m2m signal)
    summary, _ = import_post(tmp_path, extra=extra)
    assert summary.articles_kept == {"changed here since import": 1}
    assert not article.topics.exists()


def test_an_article_imported_before_import_times_is_kept_unless_update(tmp_path):
    import_post(tmp_path)
    Article.objects.update(imported_at=None)
    summary, _ = import_post(tmp_path, content="Changed.")
    assert summary.articles_kept == {"imported before import times were recorded": 1}
    forced = wxr_import(small_wxr(tmp_path, post_xml(1, name="fair")), update=True)
    assert forced.articles_updated == 1
    assert Article.objects.get().imported_at is not None


# --- 6. What to do next --------------------------------------------------------


def test_summary_and_report_give_old_and_new_addresses(tmp_path, settings):
    settings.SITE_URL = "https://advice.example"
    report = tmp_path / "moved.csv"
    path = small_wxr(
        tmp_path,
        post_xml(1, title="=1+1", name="one", link="https://small.example/2020/01/one/")
        + post_xml(2, title="", name="two", status="draft"),
    )
    out = StringIO()
    call_command("import_wxr", str(path), "--report", str(report), stdout=out)
    text = out.getvalue()
    assert (
        "  https://small.example/2020/01/one/ -> https://advice.example/articles/one/ (published)"
        in text
    )
    assert f"Report written to {report}" in text
    with report.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["old address", "new address", "title", "status", "import"],
        [
            "https://small.example/2020/01/one/",
            "https://advice.example/articles/one/",
            "'=1+1",  # never a spreadsheet formula
            "published",
            "imported",
        ],
        [
            "https://small.example/?p=2",
            "https://advice.example/articles/two/",
            "",
            "draft",
            "imported",
        ],
    ]


def test_report_that_cannot_be_written_stops_before_importing(tmp_path):
    with pytest.raises(CommandError, match="cannot write the report.*Nothing was imported"):
        call_command(
            "import_wxr",
            str(seed_path()),
            "--report",
            str(tmp_path / "no" / "r.csv"),
            stdout=StringIO(),
        )
    assert not Article.objects.exists()


def test_summary_names_answers_quoting_a_fill_in_note(tmp_path):
    summary = wxr_import(seed_path())
    assert [row.title for row in summary.note_candidates] == [
        Article.objects.get(slug="post-interview-thank-you-note").title
    ]
    text = "\n".join(summary.lines())
    assert '"Make a note template from the quoted note"' in text
    assert "/articles/post-interview-thank-you-note/" in text

    plain = wxr_import(
        small_wxr(tmp_path, post_xml(3, content="<blockquote>No blanks.</blockquote>"))
    )
    assert plain.note_candidates == []


def test_dry_run_reports_the_same_addresses(tmp_path):
    dry = wxr_import(seed_path(), dry_run=True)
    real = wxr_import(seed_path())
    assert dry.addresses == real.addresses


def test_an_imported_comment_edited_in_the_admin_shows_the_edit(admin_client, client, tmp_path):
    """A moderator's edit of an imported comment's WordPress HTML is what
    readers then see (its body_html is made again from the new source)."""
    from tests.advice.test_admin_roles import change_url, form_data

    _summary, article = import_post(tmp_path)
    comment = Comment.objects.get(article=article)
    edited = "Thanks &amp; <em>edited</em> by a moderator."
    response = admin_client.post(change_url(comment), form_data(comment, body=edited))
    assert response.status_code == 302, response.content[:500]
    comment.refresh_from_db()
    assert comment.body == edited
    assert comment.body_html == comment_body_html(edited)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Thanks &amp; <em>edited</em> by a moderator." in page
    assert "helped" not in page
