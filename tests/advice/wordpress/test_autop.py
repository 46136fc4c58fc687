"""WordPress post content to Markdown: paragraphs, quotes and "<Name> asks:"."""

from __future__ import annotations

import re

from advice.markdown import render_markdown
from advice.wordpress.autop import autop_to_markdown, wordpress_to_article
from advice.wordpress.wxr import Item, iter_wxr
from tests.conftest import corpus_path


def rendered(content: str) -> str:
    return render_markdown(autop_to_markdown(content))


def paragraphs(html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", html, re.S)


def seed_content() -> str:
    path = corpus_path("seed", "post-interview-thank-you-note.wxr.xml")
    (item,) = [v for v in iter_wxr(path) if isinstance(v, Item)]
    return item.content


def test_seed_post_splits_into_asker_question_and_answer():
    post = wordpress_to_article(seed_content())
    assert post.asker == "Bianca"
    assert post.question == (
        "I just had an interview with a coordinator. What are your thoughts on sending a "
        "post-interview note? Is that appropriate and what would I want it to say?"
    )
    assert post.answer.startswith("Yes, it’s perfectly okay to send a quick email")
    assert "Bianca" not in post.answer


def test_seed_quoted_note_is_one_quote_of_three_paragraphs():
    html = render_markdown(wordpress_to_article(seed_content()).answer)
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", html, re.S)
    assert len(quotes) == 2
    assert paragraphs(quotes[0]) == [
        "Hi, [name]!",
        "I just wanted to say thanks for interviewing me for the [whatever] position. I "
        "enjoyed meeting you and [underling], and hope to work with you in the future.",
        "[your name]",
    ]
    assert paragraphs(quotes[1]) == [
        "I’m a big fan of [show], and I’m excited about this opportunity."
    ]
    # The paragraphs around the quotes survive as paragraphs.
    outside = paragraphs(re.sub(r"<blockquote>.*?</blockquote>", "", html, flags=re.S))
    assert len(outside) == 5
    assert outside[2] == "I usually write something like this:"


def test_note_blanks_stay_as_written_in_the_markdown():
    # The note drafter reads [name]-style blanks from the stored Markdown.
    answer = wordpress_to_article(seed_content()).answer
    for blank in ("[name]", "[whatever]", "[underling]", "[your name]", "[show]"):
        assert blank in answer
    assert "\\[" not in answer


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks():
    html = rendered("First line\nsecond line\n\nNext paragraph\r\n\r\nLast")
    assert paragraphs(html) == ["First line<br>\nsecond line", "Next paragraph", "Last"]


def test_existing_br_is_not_doubled():
    html = rendered("One<br />\nTwo")
    assert html.count("<br>") == 1


def test_block_editor_content_keeps_newlines_as_spaces():
    content = (
        "<!-- wp:paragraph -->\n<p>One line\nsame paragraph</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:paragraph -->\n<p>Second</p>\n<!-- /wp:paragraph -->"
    )
    html = rendered(content)
    assert paragraphs(html) == ["One line\nsame paragraph", "Second"]
    assert "wp:paragraph" not in autop_to_markdown(content)


def test_text_that_looks_like_markdown_shows_as_written():
    content = (
        "# not a heading\n\n1. not a list\n\n- not a bullet\n\n> not a quote\n\n"
        "*not emphasis* and a back\\slash and `tick` and [a](link) and snake_case\n\n"
        "    not code\n\n===\n\n: not a definition"
    )
    html = rendered(content)
    assert paragraphs(html) == [
        "# not a heading",
        "1. not a list",
        "- not a bullet",
        "&gt; not a quote",
        "*not emphasis* and a back\\slash and `tick` and [a](link) and snake_case",
        "not code",
        "===",
        ": not a definition",
    ]


def test_inline_html_stays_inline():
    html = rendered('Read <strong>this</strong> and <a href="https://example.com/a_b">that</a>.')
    assert "<strong>this</strong>" in html
    assert 'href="https://example.com/a_b"' in html


def test_blockquote_with_paragraphs_inside_p_tags_is_one_quote():
    html = rendered("<blockquote><p>One</p>\n<p>Two</p></blockquote>\nAfter")
    assert html.count("<blockquote>") == 1
    quote = re.search(r"<blockquote>(.*)</blockquote>", html, re.S).group(1)
    assert paragraphs(quote) == ["One", "Two"]
    assert paragraphs(html)[-1] == "After"


def test_nested_blockquote_stays_nested():
    html = rendered("<blockquote>Outer\n\n<blockquote>Inner</blockquote></blockquote>")
    assert re.search(r"<blockquote>\s*<p>Outer</p>\s*<blockquote>\s*<p>Inner</p>", html)


def test_blockquote_holding_a_list_keeps_the_list_inside():
    html = rendered("<blockquote>Steps:\n<ul>\n<li>one</li>\n<li>two</li>\n</ul></blockquote>")
    assert re.search(r"<blockquote>\s*<p>Steps:</p>\s*<ul>\s*<li>one</li>", html)
    assert html.count("<blockquote>") == 1


def test_lists_tables_and_pre_are_kept_as_html_blocks():
    content = "Intro\n<ul>\n<li>a</li>\n\n<li>b</li>\n</ul>\n<pre>x = 1\n\n  y</pre>\nOutro"
    html = rendered(content)
    assert "<ul>" in html
    assert "<li>b</li>" in html
    assert "<pre>x = 1\n\n  y</pre>" in html
    assert paragraphs(html) == ["Intro", "Outro"]


def test_headings_below_the_page_title_and_rules():
    html = rendered("<h1>Big</h1>\nText\n<hr />\n<h3>Small</h3>")
    assert "<h2>Big</h2>" in html
    assert "<h3>Small</h3>" in html
    assert "<hr>" in html


def test_wrappers_and_caption_shortcode_are_unwrapped():
    content = (
        '<div class="x">Para one\n\nPara two</div>\n'
        '[caption id="a" width="300"]<img src="https://example.com/i.png" alt="A"> Cap[/caption]'
    )
    html = rendered(content)
    assert paragraphs(html)[:2] == ["Para one", "Para two"]
    assert "[caption" not in html
    assert '<img src="https://example.com/i.png" alt="A">' in html


def test_asks_line_with_question_in_the_same_paragraph():
    post = wordpress_to_article("<b>Sam asks:</b> Should I follow up?\n\nYes.")
    assert (post.asker, post.question, post.answer) == ("Sam", "Should I follow up?", "Yes.")


def test_asks_line_as_a_heading():
    post = wordpress_to_article("<h3>Noor asks:</h3>\n<p><i>Is a week too long?</i></p>\nNo.")
    assert (post.asker, post.question, post.answer) == ("Noor", "Is a week too long?", "No.")


def test_post_without_asks_line_is_all_answer():
    post = wordpress_to_article("Plain advice.\n\nMore advice.")
    assert (post.asker, post.question) == ("", "")
    assert post.answer == "Plain advice.\n\nMore advice."


def test_asks_later_in_the_post_is_not_an_asker():
    post = wordpress_to_article("Intro.\n\n<strong>Kim asks:</strong>\n\nWhy?")
    assert post.asker == ""


def test_question_keeps_inner_emphasis_that_does_not_wrap_it_whole():
    post = wordpress_to_article("<strong>Ana asks:</strong>\n\n<em>One</em> and <em>two</em>\n\nA.")
    assert post.question == "<em>One</em> and <em>two</em>"


def test_empty_content_converts_to_nothing():
    assert autop_to_markdown("") == ""
    assert wordpress_to_article("  \n\n ").answer == ""
