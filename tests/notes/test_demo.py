"""The demo note templates and the demo articles that embed them."""

from __future__ import annotations

from django.core.management import call_command

from advice.models import Article
from notes.models import NoteTemplate


def test_demo_templates_load_once_and_are_embedded(db, client):
    call_command("load_demo")
    call_command("load_demo")
    notes = {note.slug: note for note in NoteTemplate.objects.all()}
    assert set(notes) == {"thank-you-after-interview", "follow-up-after-applying"}
    assert notes["follow-up-after-applying"].send_rule == NoteTemplate.SendRule.BUSINESS_DAYS

    interview = Article.objects.get(slug="thank-you-note-after-a-phone-screen")
    assert "{{note:thank-you-after-interview}}" in interview.answer
    assert "> Hi, [name]" not in interview.answer
    page = client.get(interview.get_absolute_url()).content.decode()
    assert 'id="drafter-thank-you-after-interview"' in page

    follow_up = Article.objects.get(slug="how-long-to-wait-before-following-up")
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert 'id="drafter-follow-up-after-applying"' in page
    assert "The day you applied" in page


def test_demo_follow_up_suggests_a_day_five_business_days_later(db, client):
    call_command("load_demo")
    page = client.post(
        "/notes/follow-up-after-applying/",
        {"blank_1": "Ms. Okafor", "ended_date": "2025-06-13", "tz": "America/Los_Angeles"},
    ).content.decode()
    assert "Friday 20 June 2025 at 09:00" in page
