"""The page's send time and the server's agree (docs/architecture.md:
``notes/sendtime.py`` owns the rule; ``static/js/drafter.js`` computes the
same send time from the rule data the server puts in the page).

200 seeded cases: a fixed list of time zones (daylight-saving changes at
02:00, at midnight and by half an hour, zones south of the equator, odd
offsets, no daylight saving at all), dates on and around each zone's
changes, weekends, interviews that ended late or inside a skipped or
repeated hour, both rules, other set times, and a "now" before or after the
send time. The server's answer is :func:`notes.drafting.send_advice`'s; the
script's is ``window.notesDrafter.sendTime``, run over every case in one
``page.evaluate`` in Chromium (its own time-zone data, through
``Intl.DateTimeFormat``).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from notes.drafting import send_advice, send_rule_data
from notes.models import NoteTemplate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Zones whose rules have not changed in years (the browser's time-zone data
# and the server's may be of different releases).
ZONES = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30 / -02:30
    "America/Havana",  # changes at midnight: 00:00 does not exist in spring
    "America/Santiago",  # changes at midnight, south of the equator
    "Europe/London",
    "Europe/Berlin",
    "Europe/Dublin",  # "negative" daylight saving in the data
    "Asia/Kolkata",  # +05:30, no daylight saving
    "Asia/Kathmandu",  # +05:45
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # changes by half an hour
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Auckland",
    "Pacific/Kiritimati",  # +14:00
]
CLOCKS = ["00:00", "00:30", "01:30", "02:00", "02:30", "03:30", "09:00", "15:59", "16:00",
          "16:30", "17:00", "17:01", "22:45", "23:59"]  # fmt: skip
SET_TIMES = [
    {"NOTES_END_OF_DAY": "17:00", "NOTES_LATE_AFTER": "16:00", "NOTES_MORNING": "09:00"},
    {"NOTES_END_OF_DAY": "18:30", "NOTES_LATE_AFTER": "15:15", "NOTES_MORNING": "08:45"},
    {"NOTES_END_OF_DAY": "00:30", "NOTES_LATE_AFTER": "02:15", "NOTES_MORNING": "02:30"},
]
FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)


def change_days(zone: ZoneInfo) -> list[date]:
    """The days between FIRST and LAST on which ``zone``'s offset changes."""
    days, day = [], FIRST
    noon = lambda d: datetime.combine(d, time(12), zone).utcoffset()  # noqa: E731
    while day < LAST:
        if noon(day) != noon(day + timedelta(days=1)):
            days.append(day + timedelta(days=1))
        day += timedelta(days=1)
    return days


def seeded_cases(count: int = 200, seed: int = 15) -> list[dict]:
    """``count`` cases from a fixed seed: the inputs, the rule data and the
    server's answer for each."""
    rng = random.Random(seed)
    changes = {name: change_days(ZoneInfo(name)) for name in ZONES}
    cases = []
    for index in range(count):
        zone = ZONES[index % len(ZONES)]
        if changes[zone] and rng.random() < 0.6:
            day = rng.choice(changes[zone]) + timedelta(days=rng.choice([-1, 0, 0, 0, 1]))
        else:
            day = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))
        clock = (
            rng.choice(CLOCKS)
            if rng.random() < 0.7
            else f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        )
        business = rng.random() < 0.25
        note = NoteTemplate(
            slug="case",
            send_rule=(
                NoteTemplate.SendRule.BUSINESS_DAYS
                if business
                else NoteTemplate.SendRule.END_OF_DAY
            ),
            send_after_days=rng.randrange(0, 11),
        )
        set_times = rng.choice(SET_TIMES)
        now = datetime.combine(day, time(0), UTC) + timedelta(
            seconds=rng.randrange(-3, 15) * 86400 + rng.randrange(86400)
        )
        cases.append(
            {
                "note": note,
                "set_times": set_times,
                "day": day,
                "clock": clock,
                "zone": zone,
                "now": now,
            }
        )
    return cases


def server_answer(case: dict) -> tuple[dict, dict]:
    """The rule data for the page and the server's send time for ``case``,
    worked out under the case's send-time settings (one override at a time:
    piling 200 of them up on the ``settings`` fixture nested each in the one
    before and ran out of stack)."""
    with override_settings(**case["set_times"]):
        note = case["note"]
        cleaned = {
            "ended_date": case["day"],
            "ended_time": time.fromisoformat(case["clock"]),
            "tz": case["zone"],
        }
        advice = send_advice(note, cleaned, now=case["now"])
        answer = {
            "at": f"{advice.at:%Y-%m-%dT%H:%M}",
            "offset": advice.at.utcoffset().total_seconds() / 60,
            "display": advice.display,
            "reason": advice.reason,
            "overdue": advice.overdue,
        }
        return send_rule_data(note), answer


SEND_ALL = """(cases) => cases.map((c) => {
  try {
    return window.notesDrafter.sendTime(c.rule, c.date, c.time, c.zone, c.now);
  } catch (error) {
    return {error: String(error)};
  }
})"""


def test_script_and_server_give_the_same_send_time(transactional_db, browser_page_factory):
    NoteTemplate.objects.create(title="Thanks", slug="thanks", body="Hi [name]")
    page = browser_page_factory()
    page.goto("/notes/thanks/")
    page.wait_for_function("() => window.notesDrafter !== undefined")
    cases = seeded_cases()
    assert len(cases) == 200
    inputs, wanted = [], []
    for case in cases:
        rule, answer = server_answer(case)
        inputs.append(
            {
                "rule": rule,
                "date": case["day"].isoformat(),
                "time": case["clock"],
                "zone": case["zone"],
                "now": int(case["now"].timestamp() * 1000),
            }
        )
        wanted.append(answer)
    got = page.evaluate(SEND_ALL, inputs)
    disagree = [
        (given, want, have)
        for given, want, have in zip(inputs, wanted, got, strict=True)
        if want != have
    ]
    assert not disagree, f"{len(disagree)} of {len(cases)} disagree: {disagree[:5]}"
    # The seed reaches what the cases are for.
    reasons = {answer["reason"].split(",")[0] for answer in wanted}
    assert len(reasons) >= 4
    assert any(answer["overdue"] for answer in wanted)
    assert any(not answer["overdue"] for answer in wanted)
