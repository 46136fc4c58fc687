"""The standalone drafter without JavaScript: post-back, mailto, download,
send time, calendar reminder, limits and privacy."""

from __future__ import annotations

import html
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from notes.models import NoteTemplate


def textarea(page: str) -> str:
    match = re.search(r"<textarea[^>]*\breadonly\b[^>]*>(.*?)</textarea>", page, re.S)
    assert match, "no read-only text box"
    return html.unescape(match.group(1))


def mailto(page: str) -> tuple[str, str]:
    match = re.search(r'href="(mailto:[^"]*)"', page)
    assert match, "no mailto link"
    parts = urlsplit(html.unescape(match.group(1)))
    assert parts.scheme == "mailto"
    assert parts.path == ""
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    return query.get("subject", [""])[0], query["body"][0]


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_list_shows_every_note_template(client, make_note):
    make_note(title="Zebra note")
    make_note(title="Apple note")
    page = client.get("/notes/").content.decode()
    assert page.index("Apple note") < page.index("Zebra note")


def test_drafter_page_has_a_field_per_blank_and_the_parsed_pieces(client, make_note):
    note = make_note()
    response = client.get(f"/notes/{note.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    for label in ("Name", "Role", "Show", "Your name"):
        assert f">{label}:</label>" in page
    names = re.findall(r'name="(blank_\d+)"', page)
    assert names == ["blank_1", "blank_2", "blank_3", "blank_4"]
    data = re.search(r'<script id="[^"]+" type="application/json">(.*?)</script>', page, re.S)
    payload = json.loads(data.group(1))
    assert payload["body"][1] == {"blank": "name", "optional": False, "source": "[name]"}
    assert [b["field"] for b in payload["blanks"]] == names
    # No inline script or style attribute: only the data block and src scripts.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or "src=" in tag
    assert "style=" not in page
    assert 'aria-live="polite"' in page
    # The empty drafter is everyone's page (advice.page_cache); POSTs are no-store.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=10"


def test_post_back_fills_the_note_without_a_csrf_token(csrf_client, make_note):
    note = make_note()
    data = {"blank_1": "Ann", "blank_2": "writers' PA", "blank_4": "Sam"}
    response = csrf_client.post(f"/notes/{note.slug}/", data)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert textarea(response.content.decode()) == (
        "Hi, Ann!\n\nThanks for the writers' PA interview.\n\nSam"
    )


def test_optional_line_appears_when_filled(client, make_note):
    note = make_note()
    data = {"blank_1": "Ann", "blank_2": "PA", "blank_3": "Lost", "blank_4": "Sam"}
    page = client.post(f"/notes/{note.slug}/", data).content.decode()
    assert "\n\nBig fan of Lost.\n\nSam" in textarea(page)


@pytest.mark.parametrize(
    "typed",
    ["{{ 7|add:1 }}", "{% now 'Y' %}", "<script>alert(1)</script>", '"><img src=x onerror=1>'],
)
def test_typed_text_comes_out_literally_and_escaped(client, make_note, typed):
    note = make_note()
    response = client.post(f"/notes/{note.slug}/", {"blank_1": typed})
    page = response.content.decode()
    assert textarea(page).startswith(f"Hi, {typed}!")
    preview = f'<span class="blank-filled" dir="auto">{escape(typed)}</span>'
    assert preview in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    subject, body = mailto(page)
    assert body.startswith(f"Hi, {typed}!")
    download = client.post(f"/notes/{note.slug}/", {"blank_1": typed, "action": "download"})
    assert download.content.decode().count(typed) == 1


def test_mailto_subject_and_body_parse_back_exactly(client, make_note):
    note = make_note()
    typed = "Zoë & Co. + 100% ?#=/ ünïcödé"
    page = client.post(
        f"/notes/{note.slug}/", {"blank_1": typed, "blank_2": "A&B", "blank_4": "Me"}
    ).content.decode()
    subject, body = mailto(page)
    assert subject == "Thanks: the A&B job"
    assert body == f"Hi, {typed}!\r\n\r\nThanks for the A&B interview.\r\n\r\nMe"


def test_download_is_a_plain_text_attachment(client, make_note):
    note = make_note(slug="thanks-note")
    response = client.post(
        f"/notes/{note.slug}/",
        {"blank_1": "Ann", "blank_2": "PA", "blank_4": "Sam", "action": "download"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="thanks-note.txt"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.decode() == (
        "Subject: Thanks: the PA job\n\nHi, Ann!\n\nThanks for the PA interview.\n\nSam\n"
    )


def test_blank_longer_than_the_limit_is_a_clear_form_error(client, make_note, settings):
    settings.NOTES_BLANK_MAX_LENGTH = 200
    note = make_note(slug=f"limit-{NoteTemplate.objects.count()}")
    ok = client.post(f"/notes/{note.slug}/", {"blank_1": "x" * 200}).content.decode()
    assert "x" * 200 in textarea(ok)
    response = client.post(f"/notes/{note.slug}/", {"blank_1": "y" * 201, "blank_2": "PA"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Name” is 201 characters long; the limit is 200. Your text is kept." in page
    assert "Still blank: Your name." in page  # the too-long blank is not "still blank"
    assert 'role="alert">Part of your note could not be used' in page
    assert textarea(page).startswith("Hi, [name]!")  # the too-long text is not used
    assert "Thanks for the PA interview." in textarea(page)  # the valid blanks are
    download = client.post(f"/notes/{note.slug}/", {"blank_1": "y" * 201, "action": "download"})
    assert download["Content-Type"].startswith("text/html")  # form shown again, no file


def test_missing_required_blanks_are_named(client, make_note):
    note = make_note()
    page = client.post(f"/notes/{note.slug}/", {"blank_2": "PA"}).content.decode()
    assert "Still blank: Name, Your name." in page
    assert '<mark class="blank-empty">[name]</mark>' in page


def test_send_time_and_reminder_link(client, make_note):
    note = make_note()
    data = {
        "blank_1": "Ann Secret",
        "ended_date": "2099-03-06",  # a Friday, still to come
        "ended_time": "16:30",
        "tz": "America/New_York",
    }
    page = client.post(f"/notes/{note.slug}/", data).content.decode()
    assert "Monday 9 March 2099 at 09:00" in page
    link = html.unescape(re.search(r'href="([^"]*reminder\.ics[^"]*)"', page).group(1))
    query = parse_qs(urlsplit(link).query)
    assert query == {"at": ["2099-03-09T09:00"], "tz": ["America/New_York"]}
    assert "Ann" not in link


def test_end_of_day_rule_asks_for_the_time_too(client, make_note):
    note = make_note()
    page = client.post(
        f"/notes/{note.slug}/", {"ended_date": "2025-03-07", "tz": "UTC"}
    ).content.decode()
    assert "Give the time the interview ended, too." in page


@pytest.mark.parametrize(
    "data",
    [
        {"tz": "Mars/Olympus"},
        {"tz": "../../etc/passwd", "ended_date": "2025-01-01", "ended_time": "10:00"},
        {"ended_date": "9999-12-31", "ended_time": "23:59"},
        {"ended_date": "not a date", "ended_time": "25:99"},
        {"blank_1": ["a", "b"], "action": "download"},
        {"back": "//evil.example.com/"},
    ],
)
def test_bad_input_never_makes_a_server_error(client, make_note, data):
    note = make_note()
    response = client.post(f"/notes/{note.slug}/", data)
    assert response.status_code == 200
    assert 'evil.example.com/">Back' not in response.content.decode()


def test_business_days_template_asks_for_the_application_day(client, make_note):
    note = make_note(send_rule=NoteTemplate.SendRule.BUSINESS_DAYS, send_after_days=5)
    page = client.get(f"/notes/{note.slug}/").content.decode()
    assert "The day you applied" in page
    assert 'name="ended_time"' not in page
    page = client.post(
        f"/notes/{note.slug}/", {"ended_date": "2025-03-05", "tz": "Europe/Berlin"}
    ).content.decode()
    assert "Wednesday 12 March 2025 at 09:00" in page


def test_reminder_ics_parses_back_and_holds_no_note_text(client, make_note):
    note = make_note(title="Thank-you note")
    response = client.get(
        f"/notes/{note.slug}/reminder.ics", {"at": "2025-03-10T09:00", "tz": "America/New_York"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.isoformat() == "2025-03-10T09:00:00-04:00"
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    [alarm] = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert "Thank-you note" in str(event["summary"])
    assert note.body not in response.content.decode()


def test_reminder_in_utc(client, make_note):
    note = make_note()
    response = client.get(
        f"/notes/{note.slug}/reminder.ics", {"at": "2025-11-03T09:00", "tz": "UTC"}
    )
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2025-11-03T09:00:00+00:00"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"at": "2025-03-10T09:00"},
        {"at": "2025-03-10T09:00", "tz": "Nowhere/Else"},
        {"at": "tomorrow", "tz": "UTC"},
        {"at": "0001-01-01T00:00", "tz": "UTC"},
        {"at": "9999-12-31T23:59", "tz": "Pacific/Kiritimati"},
    ],
)
def test_reminder_refuses_bad_queries_with_400(client, make_note, query):
    note = make_note()
    response = client.get(f"/notes/{note.slug}/reminder.ics", query)
    assert response.status_code == 400


def test_unknown_template_is_404(client, db):
    assert client.get("/notes/no-such-note/").status_code == 404
    assert client.get("/notes/no-such-note/reminder.ics").status_code == 404


def test_template_that_cannot_be_parsed_is_404_not_500(client, make_note):
    note = make_note(body="Hi [name")
    assert client.get(f"/notes/{note.slug}/").status_code == 404


def test_nothing_typed_is_stored_or_logged(client, make_note, caplog):
    note = make_note()
    secret = "Pumpernickel-7431"
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/notes/{note.slug}/", {"blank_1": secret, "ended_date": "bad"})
        client.post(f"/notes/{note.slug}/", {"blank_1": secret, "action": "download"})
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements)
    assert not any(secret in sql for sql in statements)
    assert secret not in caplog.text
    assert not client.cookies  # no session, nothing remembered on our side


def test_reminder_names_the_configured_site_never_the_request_host(client, make_note, settings):
    """The ``Host`` header is the sender's choice: a reminder built from it
    would carry a link to another site. Links and the event's UID come from
    ``SITE_URL``."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://advice.example.org"
    note = make_note()
    response = client.get(
        f"/notes/{note.slug}/reminder.ics",
        {"at": "2025-03-10T09:00", "tz": "UTC"},
        HTTP_HOST="evil.example",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "evil.example" not in body
    assert f"https://advice.example.org/notes/{note.slug}/" in body.replace("\r\n ", "")
    assert "@advice.example.org" in body


def test_head_on_the_reminder_answers_like_get(client, make_note):
    note = make_note()
    response = client.head(
        f"/notes/{note.slug}/reminder.ics", {"at": "2025-03-10T09:00", "tz": "UTC"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content == b""
