"""Highlighting and snippets: text escaped before any mark, word forms and
accents marked, snippets around the matches (pure, no database)."""

from __future__ import annotations

from advice.search.highlight import best_comment, has_match, highlight, plain_text, snippet
from advice.search.terms import query_terms


def test_highlight_escapes_text_before_marking():
    marked = highlight('<b>Note</b> & "notes" <script>', ["note"])
    assert marked == (
        "&lt;b&gt;<mark>Note</mark>&lt;/b&gt; &amp; &quot;<mark>notes</mark>&quot; &lt;script&gt;"
    )


def test_highlight_marks_word_forms_and_accents():
    marked = highlight("Following up on my résumé", query_terms("follow-up resume"))
    assert marked == "<mark>Following</mark> up on my <mark>résumé</mark>"


def test_snippet_shows_the_part_with_the_words():
    text = " ".join(["filler"] * 100) + " send a thank you note today " + " ".join(["x"] * 100)
    cut = snippet(text, ["thank", "note"], words=12)
    assert "<mark>thank</mark> you <mark>note</mark>" in cut
    assert cut.startswith("… ")
    assert cut.endswith(" …")
    assert len(cut) < 200


def test_snippet_without_matches_is_the_start():
    assert snippet("Short text here.", ["zebra"]) == "Short text here."


def test_best_comment_and_has_match_are_plain_functions():
    bodies = ["Nothing here.", "A note.", "A thank-you note!"]
    assert best_comment(bodies, ["thank", "note"]) == "A thank-you note!"
    assert best_comment(bodies, ["zebra"]) is None
    assert has_match("Following up", ["follow"])
    assert not has_match("", ["follow"])


def test_snippet_of_a_long_comment_is_short_and_around_the_match():
    body = "Nothing to see here. " * 3000 + "At last the wombat spoke. " + "Filler words. " * 500
    piece = snippet(body, ["wombat"])
    assert "<mark>wombat</mark>" in piece
    assert piece.startswith("… ")
    assert piece.endswith(" …")
    assert len(piece) < 400
    assert best_comment(["No match here.", body], ["wombat", "spoke"]) == body
    assert snippet("Résumé tips. " * 1000, ["resume"]).count("<mark>Résumé</mark>") >= 5


def test_plain_text_drops_tags_entities_and_note_markers():
    html = "<p>Write &amp; send:</p>\n<p>{{note:thanks}}</p><p>{{ note:x }} Then wait.</p>"
    assert plain_text(html) == "Write & send: Then wait."
