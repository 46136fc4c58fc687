"""In-page links in content: footnotes and heading ids keep their targets,
namespaced with ``user-content-`` so content never takes over an id the page
itself uses (advice/markdown_ids.py through advice/markdown.py)."""

from __future__ import annotations

import re

import pytest

from advice.markdown import render_markdown, sanitize_html
from advice.markdown_ids import namespace_ids


def ids_and_fragment_links(html: str) -> tuple[list[str], list[str]]:
    return re.findall(r'\sid="([^"]*)"', html), re.findall(r'\shref="#([^"]*)"', html)


def test_footnotes_link_both_ways_under_the_prefix():
    html = render_markdown("A claim.[^1]\n\n[^1]: The source.")
    ids, links = ids_and_fragment_links(html)
    assert ids == ["user-content-fnref:1", "user-content-fn:1"]
    assert links == ["user-content-fn:1", "user-content-fnref:1"]


def test_heading_id_and_the_link_to_it_match():
    html = render_markdown("[see below](#next)\n\n## Next steps {#next}\n\nDo this.")
    assert '<a href="#user-content-next">see below</a>' in html
    assert '<h2 id="user-content-next">Next steps</h2>' in html


def test_content_cannot_take_over_the_pages_own_ids_and_links_to_them_stay():
    html = render_markdown(
        "## Comments {#comments}\n\n[top of my answer](#comments)\n\n"
        '<span id="main">x</span> [read the comments](#comment-12)'
    )
    ids, links = ids_and_fragment_links(html)
    assert ids == ["user-content-comments", "user-content-main"]
    assert links == ["user-content-comments", "comment-12"]


def test_a_link_to_the_pages_comments_is_kept_when_content_has_no_such_id():
    html = render_markdown("[join in](#comments)")
    assert '<a href="#comments">join in</a>' in html


def test_imported_html_anchors_are_namespaced_too():
    html = sanitize_html('<p><a href="#part-2">Part 2</a></p><p><a id="part-2"></a>Part 2</p>')
    assert '<a href="#user-content-part-2">' in html
    assert '<a id="user-content-part-2">' in html


@pytest.mark.parametrize(
    "markdown",
    ["A[^n] and [x](#top)\n\n## Top {#top}\n\n[^n]: note", "plain", '<span id="">empty</span>'],
)
def test_namespacing_twice_changes_nothing(markdown):
    once = render_markdown(markdown)
    assert namespace_ids(once) == once
    assert sanitize_html(once) == once
    assert 'id=""' not in once


def test_ids_outside_the_allow_list_and_attributes_that_are_not_ids_are_untouched():
    html = sanitize_html('<img id="x" src="/a.png" alt="a"><a href="#x" title=\'id="y"\'>x</a>')
    assert "id=" not in html.replace('title="id=&quot;y&quot;"', "")
    assert '<a href="#x"' in html


def test_article_page_has_one_element_per_id(client, make_article):
    article = make_article(
        answer="## Comments {#comments}\n\nSee [the notes](#comments).[^1]\n\n[^1]: One.",
    )
    page = client.get(article.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]*)"', page)
    assert len(ids) == len(set(ids))
    assert 'id="comments"' in page
    assert 'id="user-content-comments"' in page
    for target in re.findall(r'\shref="#(user-content-[^"]*)"', page):
        assert f'id="{target}"' in page
