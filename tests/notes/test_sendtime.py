"""The send-time rules: weekends, late interviews, daylight-saving changes
and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notes.sendtime import (
    UnknownTimeZone,
    add_business_days,
    local_instant,
    overdue_message,
    rule_data,
    send_time_business_days,
    send_time_end_of_day,
    zone_from_name,
)

NY = zone_from_name("America/New_York")
BERLIN = zone_from_name("Europe/Berlin")
LONDON = zone_from_name("Europe/London")
SYDNEY = zone_from_name("Australia/Sydney")


def ended(zone, y, m, d, hh, mm=0):
    return local_instant(date(y, m, d), time(hh, mm), zone)


@pytest.mark.parametrize(
    ("zone", "when", "expected_local", "expected_utc"),
    [
        # Wednesday, early: same day at 17:00.
        (NY, (2025, 6, 11, 10, 30), (2025, 6, 11, 17, 0), (2025, 6, 11, 21, 0)),
        # Ended 15:59: still the same day.
        (NY, (2025, 6, 11, 15, 59), (2025, 6, 11, 17, 0), (2025, 6, 11, 21, 0)),
        # Ended at 16:00 exactly: late, next morning 09:00.
        (NY, (2025, 6, 11, 16, 0), (2025, 6, 12, 9, 0), (2025, 6, 12, 13, 0)),
        # Ended in the evening: next morning.
        (NY, (2025, 6, 11, 19, 45), (2025, 6, 12, 9, 0), (2025, 6, 12, 13, 0)),
        # Late on Friday: Monday 09:00.
        (NY, (2025, 6, 13, 16, 30), (2025, 6, 16, 9, 0), (2025, 6, 16, 13, 0)),
        # Friday morning: Friday 17:00.
        (NY, (2025, 6, 13, 9, 0), (2025, 6, 13, 17, 0), (2025, 6, 13, 21, 0)),
        # Saturday interview: Monday 09:00.
        (NY, (2025, 6, 14, 11, 0), (2025, 6, 16, 9, 0), (2025, 6, 16, 13, 0)),
        # Sunday interview: Monday 09:00.
        (BERLIN, (2025, 6, 15, 11, 0), (2025, 6, 16, 9, 0), (2025, 6, 16, 7, 0)),
        # US spring forward (Sun 9 March 2025): Friday late -> Monday 09:00 EDT.
        (NY, (2025, 3, 7, 16, 30), (2025, 3, 10, 9, 0), (2025, 3, 10, 13, 0)),
        # Saturday before the US change: Monday 09:00, now UTC-4.
        (NY, (2025, 3, 8, 12, 0), (2025, 3, 10, 9, 0), (2025, 3, 10, 13, 0)),
        # US fall back (Sun 2 Nov 2025): Friday late -> Monday 09:00 EST.
        (NY, (2025, 10, 31, 17, 0), (2025, 11, 3, 9, 0), (2025, 11, 3, 14, 0)),
        # EU spring forward (Sun 30 March 2025): Saturday -> Monday 09:00 CEST.
        (BERLIN, (2025, 3, 29, 10, 0), (2025, 3, 31, 9, 0), (2025, 3, 31, 7, 0)),
        # EU fall back (Sun 26 Oct 2025): Friday late -> Monday 09:00 CET.
        (BERLIN, (2025, 10, 24, 16, 15), (2025, 10, 27, 9, 0), (2025, 10, 27, 8, 0)),
        # London, the week between the US and EU changes.
        (LONDON, (2025, 3, 14, 18, 0), (2025, 3, 17, 9, 0), (2025, 3, 17, 9, 0)),
        # Southern hemisphere: Sydney falls back on Sun 6 April 2025.
        (SYDNEY, (2025, 4, 4, 16, 0), (2025, 4, 7, 9, 0), (2025, 4, 6, 23, 0)),
    ],
)
def test_end_of_day_or_next_morning(zone, when, expected_local, expected_utc):
    advice = send_time_end_of_day(ended(zone, *when))
    assert advice.at.tzinfo is zone
    assert advice.at.replace(tzinfo=None) == datetime(*expected_local)
    assert advice.at.astimezone(UTC).replace(tzinfo=None) == datetime(*expected_utc)
    assert advice.reason


def test_settings_times_are_used():
    advice = send_time_end_of_day(
        ended(NY, 2025, 6, 11, 14, 0),
        end_of_day=time(18, 30),
        late_after=time(14, 0),
        morning=time(8, 15),
    )
    assert advice.at.replace(tzinfo=None) == datetime(2025, 6, 12, 8, 15)


def test_same_moment_gives_local_advice_per_zone():
    # 15:00 UTC on a Wednesday is 11:00 in New York but 17:00 in Berlin.
    moment = datetime(2025, 6, 11, 15, 0, tzinfo=UTC)
    in_ny = send_time_end_of_day(moment.astimezone(NY))
    in_berlin = send_time_end_of_day(moment.astimezone(BERLIN))
    assert in_ny.at.replace(tzinfo=None) == datetime(2025, 6, 11, 17, 0)
    assert in_berlin.at.replace(tzinfo=None) == datetime(2025, 6, 12, 9, 0)


def test_naive_end_time_is_refused():
    with pytest.raises(ValueError):
        send_time_end_of_day(datetime(2025, 6, 11, 10, 0))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 6, 9), 5, date(2025, 6, 16)),  # Monday + 5 -> next Monday
        (date(2025, 6, 13), 1, date(2025, 6, 16)),  # Friday + 1 -> Monday
        (date(2025, 6, 14), 1, date(2025, 6, 16)),  # Saturday + 1 -> Monday
        (date(2025, 6, 14), 0, date(2025, 6, 16)),  # Saturday + 0 -> Monday
        (date(2025, 6, 11), 0, date(2025, 6, 11)),
        (date(2025, 6, 11), 10, date(2025, 6, 25)),
    ],
)
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days) == expected


def test_business_days_rule_across_the_us_change():
    # Applied Wednesday 5 March 2025; 5 business days -> Wednesday 12 March,
    # 09:00 local, after clocks moved: 13:00 UTC, not 14:00.
    advice = send_time_business_days(date(2025, 3, 5), 5, NY)
    assert advice.at.replace(tzinfo=None) == datetime(2025, 3, 12, 9, 0)
    assert advice.at.astimezone(UTC).hour == 13
    assert "5 business days" in advice.reason


def test_a_time_in_the_spring_forward_gap_moves_forward():
    at = local_instant(date(2025, 3, 9), time(2, 30), NY)
    assert (at.hour, at.minute) == (3, 30)
    assert at.utcoffset().total_seconds() == -4 * 3600


def test_an_ambiguous_fall_back_time_is_the_first_one():
    at = local_instant(date(2025, 11, 2), time(1, 30), NY)
    assert at.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "/etc/localtime"])
def test_unknown_zones_are_refused(name):
    with pytest.raises(UnknownTimeZone):
        zone_from_name(name)


@pytest.mark.parametrize(
    ("at", "now", "expected"),
    [
        ("2025-03-07T17:00", "2025-03-07T16:59", ""),
        ("2025-03-07T17:00", "2025-03-07T17:00", ""),
        ("2025-03-07T17:00", "2025-03-07T17:01", "That time has passed — send it now."),
        ("2025-03-07T17:00", "2025-03-08T08:00", "That was yesterday — send it today."),
        ("2025-03-07T17:00", "2025-03-10T09:30", "That was 3 days ago — send it today."),
    ],
)
def test_a_send_time_in_the_past_says_so(at, now, expected):
    zone = ZoneInfo("Europe/Berlin")
    send_at = datetime.fromisoformat(at).replace(tzinfo=zone)
    assert overdue_message(send_at, datetime.fromisoformat(now).replace(tzinfo=zone)) == expected


def test_days_ago_are_counted_in_the_readers_zone():
    zone = ZoneInfo("Pacific/Auckland")
    send_at = datetime(2025, 3, 7, 17, 0, tzinfo=zone)
    now = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)  # Sunday 9 March, 01:00 in Auckland
    assert overdue_message(send_at, now) == "That was 2 days ago — send it today."


def test_rule_data_carries_the_rule_its_times_and_sentences():
    data = rule_data(
        "business_days", 5, end_of_day=time(17), late_after=time(16), morning=time(9, 15)
    )
    assert data["rule"] == "business_days"
    assert data["days"] == 5
    assert (data["end_of_day"], data["late_after"], data["morning"]) == (
        "17:00:00",
        "16:00:00",
        "09:15:00",
    )
    assert data["reasons"]["business_days"].format(days=5, s="s") == (
        send_time_business_days(date(2025, 3, 3), 5, ZoneInfo("UTC")).reason
    )
    assert set(data["overdue"]) == {"now", "yesterday", "days"}
