"""Hostile Markdown: input built to make Python-Markdown recurse without end
or scan the text once per character. Every path that renders (save, the
editor's preview, the WordPress import, a reader's question turned into a
draft) must answer, and the thread's renderer must keep working afterwards.

Timings are not asserted (the machine is shared); the inputs are the ones
that raised RecursionError or took seconds before the guards in
``advice.markdown``.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advice.markdown import (
    MAX_NESTING,
    limit_nesting,
    nesting_problem,
    render_markdown,
)
from advice.models import ARTICLE_ANSWER_MAX_CHARS, Article, ReaderQuestion
from tests.advice.test_admin import inline_management_data

NORMAL = "Hello *world*"
NORMAL_HTML = "<p>Hello <em>world</em></p>"

DEEP = {
    "ordered list": "1. " * 2000 + "x",
    "bullet list": "- " * 2000 + "x",
    "blockquote": "> " * 2000 + "x",
    "mixed containers": "> 1. - " * 700 + "x",
    "indented lists": "\n".join(" " * (4 * i) + "- x" for i in range(600)),
}
SUPER_LINEAR = {
    "unclosed link URLs": "[a](" * 3000,
    "unclosed image URLs": "![a](" * 3000,
    "nested brackets": "[" * 3000 + "x" + "]" * 3000,
    "unclosed references": "[a][" * 3000,
    "repeated footnote": "[^1]" * 3000 + "\n\n[^1]: note",
    "unclosed autolinks": "<http://" * 2000,
    "unclosed tags": "<a" * 5000,
    "nested emphasis": "*" * 3000 + "x" + "*" * 3000,
    "nested underscores": "_" * 3000 + "x" + "_" * 3000,
}
HOSTILE = {**DEEP, **SUPER_LINEAR}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_renders_and_the_renderer_keeps_working(source):
    html = render_markdown(source)
    assert isinstance(html, str)
    assert html
    assert render_markdown(NORMAL) == NORMAL_HTML


def test_renderer_is_rebuilt_after_an_error_in_the_same_thread():
    """Any error inside Python-Markdown (here a RecursionError raised by a
    real, too-small recursion limit) gives escaped paragraphs, and the next
    render in the same thread uses a fresh, working instance."""
    import sys

    results = {}

    def worker():
        render_markdown(NORMAL)  # this thread's instance exists
        limit = sys.getrecursionlimit()
        depth, frame = 0, sys._getframe()
        while frame:
            depth, frame = depth + 1, frame.f_back
        # Room for render_markdown and its fallback, not for 16 nested lists.
        sys.setrecursionlimit(depth + 40)
        try:
            results["hostile"] = render_markdown("1. " * MAX_NESTING + "*x*")
        finally:
            sys.setrecursionlimit(limit)
        results["after"] = render_markdown(NORMAL)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert results["hostile"] == "<p>" + "1. " * MAX_NESTING + "*x*</p>"  # escaped text
    assert results["after"] == NORMAL_HTML


def test_nesting_within_the_limit_is_unchanged():
    source = "\n".join(" " * (4 * i) + "- level" for i in range(MAX_NESTING))
    assert limit_nesting(source) == source
    assert nesting_problem(source) is None
    assert render_markdown(source).count("<ul>") == MAX_NESTING


def test_deeper_nesting_is_flattened_to_text():
    html = render_markdown("1. " * 2000 + "x")
    assert html.count("<ol>") == MAX_NESTING
    assert "1. 1. 1." in html  # the deeper levels read as written


def test_nesting_problem_names_the_line_and_limit():
    message = nesting_problem("fine\n\n" + "> " * 50 + "deep")
    assert message is not None
    assert "50 levels" in message
    assert "line 3" in message
    assert str(MAX_NESTING) in message


def test_links_images_and_footnotes_still_render():
    html = render_markdown(
        '[a (b)](https://en.wikipedia.org/wiki/Foo_(bar) "t (x)") '
        "[![pic](/media/p.png)](/articles/x/) see[^n] and again[^n]\n\n[^n]: The note."
    )
    assert 'href="https://en.wikipedia.org/wiki/Foo_(bar)"' in html
    assert 'title="t (x)"' in html
    assert '<a href="/articles/x/"><img alt="pic" src="/media/p.png"></a>' in html
    assert 'href="#user-content-fnref:n"' in html
    assert 'href="#user-content-fnref2:n"' in html
    assert "The note." in html


SAMPLES = [
    "see[^a] and[^a] and[^b] again[^a]\n\n[^a]: A.\n[^b]: B.",
    '[x](http://a.example/(b)) [y](<http://c.example/d e> "T") [z][r] [r]\n\n[r]: /r/',
    '![i](/p.png "t") [![i](/p.png)](/x/) [a [nested] link](/n/) [not closed(',
    "1. one\n    - two\n        > three\n\n*[HTML]: Hyper\n\nHTML <b>bold</b> a < b",
]


@pytest.mark.parametrize("source", SAMPLES)
def test_hardened_renderer_matches_python_markdown_on_normal_text(source):
    """The bounded scans and footnote numbering change nothing for real text."""
    import markdown

    from advice.markdown import EXTENSION_CONFIGS, EXTENSIONS, sanitize_html

    stock = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    assert render_markdown(source) == sanitize_html(stock.convert(source))


def test_a_few_unclosed_tags_are_left_alone():
    assert render_markdown("if a <b and c <d") == "<p>if a &lt;b and c &lt;d</p>"
    assert render_markdown("a <em>b</em> c") == "<p>a <em>b</em> c</p>"


# --- Every path ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_saving_a_hostile_answer_stores_html_and_later_saves_render(make_article, source):
    make_article(answer=source, question=source)
    article = make_article(answer=NORMAL)
    assert article.answer_html == NORMAL_HTML


@pytest.mark.django_db
def test_admin_refuses_too_deep_nesting_and_keeps_the_text(staff_client):
    url = reverse("admin:advice_article_add")
    answer = "1. " * 2000 + "x"
    response = staff_client.post(
        url,
        {
            **inline_management_data(staff_client, url),
            "title": "Deep",
            "slug": "deep",
            "question": "Fine?",
            "answer": answer,
            "status": "draft",
            "published_at_0": "2024-05-01",
            "published_at_1": "09:00:00",
            "comment_status": "open",
        },
    )
    assert response.status_code == 200
    assert not Article.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "nested 2000 levels deep" in errors["answer"][0]
    assert answer in response.content.decode()


def test_article_clean_refuses_too_long_answers_and_deep_questions():
    article = Article(title="t", slug="t", answer="a" * (ARTICLE_ANSWER_MAX_CHARS + 1))
    article.question = "> " * 40 + "x"
    with pytest.raises(ValidationError) as refused:
        article.clean()
    assert set(refused.value.message_dict) == {"answer", "question"}
    assert "the limit is 20,000" in refused.value.message_dict["answer"][0]


@pytest.mark.django_db
def test_preview_of_deep_nesting_says_why_and_renders(staff_client):
    from django.conf import settings

    response = staff_client.post(settings.MARKDOWNX_URLS_PATH, {"content": "1. " * 2000 + "x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "nested 2000 levels deep" in body
    assert "<ol>" in body
    again = staff_client.post(settings.MARKDOWNX_URLS_PATH, {"content": NORMAL})
    assert again.content.decode() == NORMAL_HTML


@pytest.mark.django_db
def test_preview_of_super_linear_input_answers(staff_client):
    from django.conf import settings

    for source in SUPER_LINEAR.values():
        response = staff_client.post(settings.MARKDOWNX_URLS_PATH, {"content": source})
        assert response.status_code == 200


@pytest.mark.django_db
def test_hostile_question_becomes_a_draft_with_a_warning(staff_client):
    question = ReaderQuestion.objects.create(
        name="", email="a@example.com", question="1. " * 1600 + "x"
    )
    response = staff_client.post(
        "/admin/advice/readerquestion/",
        {"action": "make_draft_article", "_selected_action": [question.pk]},
        follow=True,
    )
    question.refresh_from_db()
    assert question.article is not None
    assert question.article.question_html.count("<ol>") == MAX_NESTING
    assert any("levels deep" in str(m) for m in response.context["messages"])
    assert Article.objects.create(title="n", slug="n", answer=NORMAL).answer_html == NORMAL_HTML


def test_import_path_renders_hostile_wordpress_content():
    from advice.wordpress.autop import autop_to_markdown

    for source in ("<blockquote>" * 300 + "x" + "</blockquote>" * 300, "[a](" * 3000):
        assert render_markdown(autop_to_markdown(source))
    assert render_markdown(NORMAL) == NORMAL_HTML


# --- WordPress content (advice.wordpress.autop) --------------------------------------------

HOSTILE_WORDPRESS = {
    "nested divs": "<div>" * 2000 + "x" + "</div>" * 2000,
    "unclosed quotes": "<blockquote>" * 2000 + "x",
    "unclosed captions": "[caption]" * 5000,
    "unclosed comments": "<!--" * 5000 + ">",
    "unclosed tags": "<span " * 5000,
}


@pytest.mark.parametrize("source", HOSTILE_WORDPRESS.values(), ids=HOSTILE_WORDPRESS.keys())
def test_hostile_wordpress_content_converts_and_renders(source):
    from advice.wordpress.autop import autop_to_markdown

    assert isinstance(render_markdown(autop_to_markdown(source)), str)
    assert render_markdown(NORMAL) == NORMAL_HTML


def test_wordpress_quotes_within_the_limit_stay_quotes():
    from advice.wordpress.autop import MAX_NESTING as WP_MAX_NESTING
    from advice.wordpress.autop import autop_to_markdown

    depth = WP_MAX_NESTING
    html = render_markdown(
        autop_to_markdown("<blockquote>" * depth + "deep" + "</blockquote>" * depth)
    )
    assert html.count("<blockquote>") == depth
    deeper = autop_to_markdown("<blockquote>" * 40 + "deep" + "</blockquote>" * 40)
    assert "deep" in render_markdown(deeper)


def test_definition_lists_count_towards_the_nesting_limit():
    source = "a\n: b\n" * 40
    message = nesting_problem(source)
    assert message is not None
    assert f"{MAX_NESTING + 1} levels" in message
    assert render_markdown(source).count("<dl>") == MAX_NESTING
    assert nesting_problem("a\n: b\n" * MAX_NESTING) is None
    assert limit_nesting("a\n: b\n" * MAX_NESTING) == "a\n: b\n" * MAX_NESTING


def test_deep_definition_lists_render_flattened_with_emphasis():
    html = render_markdown("a\n: b\n" * 500 + "\nAfter *emph* here")
    assert "<em>emph</em>" in html
    assert html.count("<dl>") == MAX_NESTING
    assert ": b" in html  # the deeper definitions read as written


def test_glossary_separated_by_blank_lines_is_not_nested():
    source = "\n\n".join(f"Term {i}\n:   Meaning {i}\n:   Another" for i in range(40))
    assert nesting_problem(source) is None
    assert render_markdown(source).count("<dd>") == 80
