"""The note marker in the article admin: its help text shows the syntax and
the template slugs, an answer whose marker names no template is refused
with the known slugs (text kept), and the editor's preview shows a card
naming the template instead of the raw marker."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from advice.models import Article
from notes.models import NoteTemplate

ADD_URL = "/admin/advice/article/add/"
PREVIEW = reverse("markdownx_markdownify")


@pytest.fixture
def notes(db):
    return [
        NoteTemplate.objects.create(
            title="Thanks after an interview", slug="thanks", body="Hi [name]"
        ),
        NoteTemplate.objects.create(title="Following up", slug="follow-up", body="Hi [name]"),
    ]


def article_data(**overrides) -> dict:
    data = {
        "title": "Following Up", "slug": "following-up", "asker": "Sam",
        "question": "When?", "answer": "Wait.", "status": "draft",
        "published_at_0": "2025-01-06", "published_at_1": "09:00:00",
        "comment_status": "open",
        "reader_questions-TOTAL_FORMS": "0", "reader_questions-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_answer_help_shows_the_marker_syntax_and_the_template_slugs(staff_client, notes):
    page = staff_client.get(ADD_URL).content.decode()
    assert "<code>{{note:&lt;slug&gt;}}</code> on its own embeds" in page
    assert "Note templates: <code>follow-up</code>, <code>thanks</code>." in page


def test_answer_help_without_templates_says_so(staff_client):
    page = staff_client.get(ADD_URL).content.decode()
    assert "{{note:&lt;slug&gt;}}" in page
    assert "There are no note templates yet." in page


def test_answer_whose_marker_names_no_template_is_refused_with_the_slugs(staff_client, notes):
    answer = "Write this:\n\n{{note:thank-you}}\n\nGood luck."
    response = staff_client.post(ADD_URL, article_data(answer=answer))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert (
        "No note template “thank-you”. The note templates are: follow-up, thanks. "
        "Write the marker as {{note:<slug>}}."
    ) in page
    assert answer in page  # the editor's text is kept in the form
    assert not Article.objects.exists()


def test_answer_whose_markers_name_templates_is_saved(staff_client, notes):
    answer = "Write this:\n\n{{note:thanks}}\n\nThen:\n\n  {{note:follow-up}}  \n"
    response = staff_client.post(ADD_URL, article_data(answer=answer))
    assert response.status_code == 302
    assert Article.objects.get().answer.startswith("Write this:")


def test_preview_shows_a_card_naming_the_template(staff_client, notes):
    response = staff_client.post(PREVIEW, {"content": "Use this:\n\n{{note:thanks}}"})
    body = response.content.decode()
    assert "{{note:thanks}}</p>" not in body
    assert '<div class="note-placeholder" role="note">' in body
    assert "<strong>Note drafter: Thanks after an interview</strong>" in body


def test_preview_says_when_a_marker_names_no_template(staff_client, notes):
    response = staff_client.post(PREVIEW, {"content": "{{note:nope}}"})
    body = response.content.decode()
    assert "<strong>No note template “nope”</strong>" in body
    assert "Saving will refuse this marker" in body


def test_preview_with_a_title_holding_markup_escapes_it(staff_client):
    NoteTemplate.objects.create(title="<script>x</script>", slug="x", body="Hi [name]")
    body = staff_client.post(PREVIEW, {"content": "{{note:x}}"}).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body
