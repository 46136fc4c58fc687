"""Search finds note templates by title and text, listed apart from the
articles, on the first page."""

from __future__ import annotations

import pytest

from advice.search.notes import search_note_templates
from advice.search.queries import search_page
from notes.models import NoteTemplate


@pytest.fixture
def notes(db):
    return {
        "thanks": NoteTemplate.objects.create(
            title="Thank-you note after an interview", slug="thanks",
            body="Hi, [name]!\n\nThanks for interviewing me for the [role] position.",
        ),
        "follow": NoteTemplate.objects.create(
            title="Follow-up after applying", slug="follow",
            body="I applied for the [role] job and wanted to check in on my application.",
        ),
    }  # fmt: skip


def test_note_templates_are_found_by_title_and_by_text(notes):
    assert [r.note.slug for r in search_note_templates(["thank"])] == ["thanks"]
    assert [r.note.slug for r in search_note_templates(["application"])] == ["follow"]


def test_every_word_must_match_unless_none_has_them_all(notes):
    assert [r.note.slug for r in search_note_templates(["interview", "role"])] == ["thanks"]
    either = [r.note.slug for r in search_note_templates(["interviewing", "applied", "zebra"])]
    assert sorted(either) == ["follow", "thanks"]


def test_results_are_highlighted_and_escaped(db):
    NoteTemplate.objects.create(title="<b>Thanks</b>", slug="b", body="Thanks, <i>[name]</i>")
    [result] = search_note_templates(["thanks"])
    assert result.title == "&lt;b&gt;<mark>Thanks</mark>&lt;/b&gt;"
    assert "<i>" not in result.snippet


def test_search_page_lists_note_templates_apart_from_articles(client, notes, make_article):
    make_article(title="When to send a thank-you note")
    page = client.get("/search/", {"q": "thank you note"}).content.decode()
    notes_at = page.index('<h2 id="search-notes-heading">Note templates</h2>')
    assert page.index("When to send a") < notes_at
    assert '<a href="/notes/thanks/"><mark>Thank</mark>-you <mark>note</mark>' in page[notes_at:]


def test_search_page_shows_note_templates_when_no_article_matches(client, notes):
    page = client.get("/search/", {"q": "application"}).content.decode()
    assert "Note templates" in page
    assert "/notes/follow/" in page


def test_note_templates_only_on_the_first_page(notes, make_article):
    for n in range(12):
        make_article(title=f"Thank-you notes, part {n}")
    assert search_page("thank", 1, per_page=10).note_templates
    assert search_page("thank", 2, per_page=10).note_templates == []
