"""The drafter's messages agree with each other (notes/drafting.py): a blank
refused as too long is not also "still blank"; a missing date says why no
send time is shown; a send time already past says so; the field at fault
gets the focus."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from notes.drafting import drafter_context, drafter_for


def context_for(note, data, *, now=None):
    drafter = drafter_for(note)
    return drafter_context(drafter, drafter.make_form(data), now=now)


def test_too_long_blank_is_not_listed_as_still_blank(make_note, settings):
    settings.NOTES_BLANK_MAX_LENGTH = 10
    context = context_for(make_note(), {"blank_1": "x" * 11, "blank_2": "PA"})
    assert context["result"].missing == ["Your name"]
    assert context["form"].errors["blank_1"] == [
        "“Name” is 11 characters long; the limit is 10. Your text is kept."
    ]


def test_missing_date_says_why_there_is_no_send_time(make_note):
    context = context_for(make_note(), {"blank_1": "Ann"})
    assert context["send"] is None
    assert context["no_send"] == (
        "No send time yet: give the day the interview ended and the time it ended."
    )


def test_business_days_rule_asks_for_the_day_applied(make_note):
    note = make_note(send_rule="business_days", send_after_days=5)
    context = context_for(note, {"blank_1": "Ann"})
    assert context["no_send"] == "No send time yet: give the day you applied."


def test_a_too_long_blank_does_not_hide_the_send_time(make_note, settings):
    settings.NOTES_BLANK_MAX_LENGTH = 10
    data = {"blank_1": "x" * 11, "ended_date": "2099-03-06", "ended_time": "11:00", "tz": "UTC"}
    context = context_for(make_note(), data)
    assert context["send"].display == "Friday 6 March 2099 at 17:00"
    assert context["no_send"] == ""


def test_an_interview_in_the_past_says_so(make_note):
    data = {"ended_date": "2025-03-07", "ended_time": "11:00", "tz": "Europe/Berlin"}
    now = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    send = context_for(make_note(), data, now=now)["send"]
    assert send.display == "Friday 7 March 2025 at 17:00"
    assert send.overdue == "That was 3 days ago — send it today."


def test_refused_post_back_puts_the_focus_on_the_first_field_at_fault(client, make_note):
    note = make_note()
    page = client.post(
        f"/notes/{note.slug}/", {"blank_1": "Ann", "ended_date": "not a day", "tz": "UTC"}
    ).content.decode()
    focused = [tag for tag in re.findall(r"<input\b[^>]*>", page) if " autofocus" in tag]
    assert len(focused) == 1
    assert 'name="ended_date"' in focused[0]
    assert "Give the day as a date, like 2025-03-07. Your text is kept." in page
    assert 'value="not a day"' in page
    assert 'role="alert">Part of your note could not be used' in page


def test_overdue_page_has_no_reminder_link(client, make_note):
    note = make_note()
    data = {"ended_date": "2020-03-06", "ended_time": "11:00", "tz": "UTC"}
    page = client.post(f"/notes/{note.slug}/", data).content.decode()
    assert "days ago — send it today." in page
    assert "reminder.ics?" not in page  # no calendar reminder for a time gone by
