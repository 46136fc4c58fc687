"""The note marker syntax, owned by notes.markers: the line an editor writes,
the paragraph Markdown renders it to, and the loose form other text is
cleaned of (pure, no database)."""

from __future__ import annotations

from advice.markdown import render_markdown
from notes.markers import MARKER_SYNTAX, find_markers, marker_line, marker_slugs, strip_markers


def test_marker_line_renders_to_the_paragraph_the_drafter_tag_finds():
    line = marker_line("thank-you-note")
    assert line == "{{note:thank-you-note}}"
    html = render_markdown(f"Before.\n\n{line}\n\nAfter.")
    assert marker_slugs(html) == ["thank-you-note"]


def test_only_a_marker_alone_in_its_paragraph_embeds_a_drafter():
    assert marker_slugs("<p>See {{note:inline}} here.</p>") == []
    assert marker_slugs("<p>{{note:a}}</p><p>{{note:b}}</p><p>{{note:a}}</p>") == ["a", "b", "a"]


def test_loose_markers_are_found_and_stripped_from_text():
    text = "Write {{note:thanks}} then {{ note:misspelt slug }} wait."
    assert find_markers(text) == ["{{note:thanks}}", "{{ note:misspelt slug }}"]
    assert strip_markers(text) == "Write   then   wait."
    assert find_markers("") == []


def test_the_syntax_shown_to_editors_is_the_marker_line_of_a_slug_placeholder():
    assert MARKER_SYNTAX == marker_line("<slug>") == "{{note:<slug>}}"
