"""The pure half of the export: CDATA that survives any text, the post
content's shape read back by the importer's own splitter, dates and slugs."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from defusedxml.ElementTree import fromstring

from advice.markdown import render_markdown
from advice.wordpress.autop import wordpress_to_article
from advice.wordpress.export_xml import (
    WXRWriter,
    one_line_paragraphs,
    post_content,
    rss_date,
    wp_date,
    wp_slug,
    xml_text,
)


def written(value: str) -> str:
    """``value`` written by :meth:`WXRWriter.cdata` and read back by defusedxml."""
    out = io.StringIO()
    writer = WXRWriter(out)
    writer.start_document("test")
    writer.cdata("wp:comment_content", value)
    writer.end_document()
    root = fromstring(out.getvalue())
    return "".join(root[0].itertext())


def test_cdata_keeps_a_closing_marker_carriage_returns_and_any_script():
    text = "a ]]> b ]]]]> c\r\nd\re <![CDATA[ x ]]> \\ 🙂 שלום \u202e"
    assert written(text) == text


def test_characters_xml_cannot_carry_are_dropped_so_the_file_parses():
    assert written("bell\x07 nul\x00 ok\ufffe\ud800") == "bell nul ok"
    assert xml_text("tab\tnewline\n") == "tab\tnewline\n"


def test_element_text_and_attributes_are_escaped():
    out = io.StringIO()
    writer = WXRWriter(out)
    writer.start_document("test")
    writer.text("link", "https://x.example/?a=1&b=<2>", {"nicename": 'q"&'})
    writer.end_document()
    root = fromstring(out.getvalue())
    assert root[0].text == "https://x.example/?a=1&b=<2>"
    assert root[0].get("nicename") == 'q"&'


def test_dates_in_wordpress_forms():
    moment = datetime(2016, 5, 10, 16, 0, 0, 123456, tzinfo=UTC)
    assert wp_date(moment) == "2016-05-10 16:00:00"
    assert wp_date(moment, ZoneInfo("America/Los_Angeles")) == "2016-05-10 09:00:00"
    assert rss_date(moment) == "Tue, 10 May 2016 16:00:00 +0000"


def test_slugs_percent_encoded_as_wordpress_stores_them():
    assert wp_slug("thank-you_notes") == "thank-you_notes"
    assert wp_slug("привет") == "%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82"


def test_soft_line_breaks_in_paragraphs_become_spaces_hard_ones_stay():
    rendered = "<p>one\ntwo<br />\nthree</p>\n<pre><code>a\nb</code></pre>"
    assert one_line_paragraphs(rendered) == (
        "<p>one two<br />\nthree</p>\n<pre><code>a\nb</code></pre>"
    )


def test_asker_question_and_answer_come_back_through_the_importers_splitter():
    question = render_markdown("Is a *short* note\nenough?")
    answer = render_markdown("Yes.\n\n> Hi, [name]!\n>\n> Thanks.\n\n- one\n- two")
    post = wordpress_to_article(post_content("Sam <& Co>", question, answer))
    assert post.asker == "Sam <& Co>"
    assert render_markdown(post.question) == "<p>Is a <em>short</em> note enough?</p>"
    assert render_markdown(post.answer).replace("\n", "") == answer.replace("\n", "")


def test_a_question_of_several_paragraphs_stays_the_question():
    question = render_markdown("First part.\n\nSecond part?")
    post = wordpress_to_article(post_content("Bianca", question, "<p>Answer.</p>"))
    assert post.asker == "Bianca"
    assert "First part." in post.question
    assert "Second part?" in post.question
    assert render_markdown(post.answer) == "<p>Answer.</p>"


def test_without_an_asker_question_and_answer_are_the_post():
    content = post_content("", "<p>Why?</p>", "<p>Because.</p>")
    assert content == "<p>Why?</p>\n\n<p>Because.</p>"
