"""The note-template admin and the article action that makes a note
template from the seed post's quoted note."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from advice.models import Article
from notes.models import NoteTemplate
from tests.advice.quoted_notes.test_extract import SEED_ANSWER
from tests.conftest import corpus_path

ADD_URL = "/admin/notes/notetemplate/add/"


def form_data(**overrides) -> dict:
    data = {
        "title": "Thanks",
        "slug": "thanks",
        "subject": "Thanks: [role]",
        "body": "Hi [name],\n\nthanks.\n\n[your name]",
        "blank_settings": "{}",
        "send_rule": "end_of_day",
        "send_after_days": "3",
    }
    data.update(overrides)
    return data


def test_admin_refuses_a_body_it_cannot_parse_and_says_where(staff_client):
    response = staff_client.post(ADD_URL, form_data(body="Hi [name],\n\nthe [role job"))
    assert response.status_code == 200
    assert "Line 3, column 5: this “[” is never closed" in response.content.decode()
    assert not NoteTemplate.objects.exists()


def test_admin_refuses_a_subject_it_cannot_parse(staff_client):
    response = staff_client.post(ADD_URL, form_data(subject="Thanks []"))
    assert "Line 1, column 8: an empty blank" in response.content.decode()
    assert not NoteTemplate.objects.exists()


@pytest.mark.parametrize(
    ("settings_json", "message"),
    [
        ('{"nobody": {"label": "X"}}', "“nobody” is not a blank of this template"),
        ('{"name": "Their name"}', "must be an object"),
        ('{"name": {"colour": "red"}}', "Unknown setting(s) for “name”: colour"),
        ('{"name": {"label": 5}}', "must be text of at most 300 characters"),
        ('["name"]', "Give an object"),
    ],
)
def test_admin_validates_blank_settings(staff_client, settings_json, message):
    response = staff_client.post(ADD_URL, form_data(blank_settings=settings_json))
    assert message in response.content.decode()
    assert not NoteTemplate.objects.exists()


def test_admin_saves_settings_under_blank_keys_and_shows_detected_blanks(staff_client):
    settings_json = '{"Your  Name": {"label": "You", "example": "Sam"}, "ROLE": {"help": "Job"}}'
    response = staff_client.post(ADD_URL, form_data(blank_settings=settings_json))
    assert response.status_code == 302
    note = NoteTemplate.objects.get()
    assert note.blank_settings == {
        "your name": {"label": "You", "example": "Sam"},
        "role": {"help": "Job"},
    }
    page = staff_client.get(f"/admin/notes/notetemplate/{note.pk}/change/").content.decode()
    assert "Blanks found" in page
    for key in ("name", "your name", "role"):
        assert f"<code>[{key}]</code> — required" in page


def test_seed_article_action_makes_a_working_drafter(staff_client, make_article):
    article = make_article(
        title="Post-Interview Thank You Note", slug="post-interview-thank-you-note",
        answer=SEED_ANSWER,
    )  # fmt: skip
    response = staff_client.post(
        "/admin/advice/article/",
        {"action": "make_note_template", "_selected_action": [article.pk]},
    )
    note = NoteTemplate.objects.get()
    assert note.slug == "post-interview-thank-you-note"
    # The editor lands on the new template's change page to adjust it.
    assert response.status_code == 302
    assert response["Location"] == f"/admin/notes/notetemplate/{note.pk}/change/"
    article.refresh_from_db()
    assert "{{note:post-interview-thank-you-note}}" in article.answer
    assert "> Hi, [name]!" not in article.answer

    page = Client().get(article.get_absolute_url()).content.decode()
    labels = re.findall(r'<label for="[^"]+-blank_\d+">([^<]+):</label>', page)
    assert labels == [
        "Name", "Whatever (the job title)", "Underling (someone else you met)", "Show", "Your name",
    ]  # fmt: skip
    assert "In the note: “…thanks for interviewing me for the ___ position." in page
    assert 'data-blank="show" data-required="false"' in page

    # The drafter works: without the show, its line is dropped.
    filled = (
        Client()
        .post(
            note.get_absolute_url(),
            {"blank_1": "Dana", "blank_2": "writers’ PA", "blank_3": "Lee", "blank_5": "Bianca"},
        )
        .content.decode()
    )
    assert (
        "Hi, Dana!\n\nI just wanted to say thanks for interviewing me for the writers’ PA "
        "position. I enjoyed meeting you and Lee, and hope to work with you in the "
        "future.\n\nBianca</textarea>"
    ) in filled.replace("&#x27;", "'")
    with_show = Client().post(note.get_absolute_url(), {"blank_4": "Night Shift"}).content
    assert "I’m a big fan of Night Shift, and I’m excited" in with_show.decode()


def test_action_twice_changes_nothing_the_second_time(staff_client, make_article):
    article = make_article(answer=SEED_ANSWER)
    url = "/admin/advice/article/"
    staff_client.post(url, {"action": "make_note_template", "_selected_action": [article.pk]})
    answer = Article.objects.get(pk=article.pk).answer
    response = staff_client.post(
        url, {"action": "make_note_template", "_selected_action": [article.pk]}
    )
    assert NoteTemplate.objects.count() == 1
    assert Article.objects.get(pk=article.pk).answer == answer
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("the note template already exists" in m for m in messages)
    note = NoteTemplate.objects.get()
    assert f'<a href="/admin/notes/notetemplate/{note.pk}/change/">{note.slug}</a>' in messages[-1]
    assert response["Location"] == f"/admin/notes/notetemplate/{note.pk}/change/"


def test_action_on_an_answer_without_a_quoted_note_says_so(staff_client, make_article):
    article = make_article(answer="Just write to them.")
    response = staff_client.post(
        "/admin/advice/article/",
        {"action": "make_note_template", "_selected_action": [article.pk]},
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"“{article.title}”: no quoted note with [blanks] found; nothing changed."]
    assert response["Location"] == "/admin/advice/article/"
    assert not NoteTemplate.objects.exists()


def test_action_on_two_articles_stays_on_the_list(staff_client, make_article):
    first, second = make_article(answer=SEED_ANSWER), make_article(answer=SEED_ANSWER)
    response = staff_client.post(
        "/admin/advice/article/",
        {"action": "make_note_template", "_selected_action": [first.pk, second.pk]},
    )
    assert NoteTemplate.objects.count() == 2
    assert response["Location"] == "/admin/advice/article/"


def test_action_picks_a_free_slug(staff_client, make_article, make_note):
    make_note(slug="taken")
    article = make_article(slug="taken", answer=SEED_ANSWER)
    staff_client.post(
        "/admin/advice/article/",
        {"action": "make_note_template", "_selected_action": [article.pk]},
    )
    assert NoteTemplate.objects.filter(slug="taken-2").exists()


def test_imported_seed_post_gets_a_working_drafter(staff_client):
    """End to end on the real seed export: import it, run the action."""
    call_command(
        "import_wxr", str(corpus_path("seed", "post-interview-thank-you-note.wxr.xml")),
        stdout=io.StringIO(),
    )  # fmt: skip
    article = Article.objects.get(slug="post-interview-thank-you-note")
    quoted_part = SEED_ANSWER[SEED_ANSWER.index("I usually write") :]
    assert article.answer.endswith(quoted_part)  # the hand-built tests above use the same
    staff_client.post(
        "/admin/advice/article/",
        {"action": "make_note_template", "_selected_action": [article.pk]},
    )
    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'id="drafter-post-interview-thank-you-note"' in page
    assert re.findall(r'data-blank="([^"]+)"', page) == [
        "name", "whatever", "underling", "show", "your name",
    ]  # fmt: skip
