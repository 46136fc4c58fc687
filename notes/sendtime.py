"""When to send a note: the send-time rules, as pure functions of values.

Two rules, chosen per note template (``NoteTemplate.send_rule``):

- **End of day or next morning** (the seed post's advice: not right after
  the interview; at the end of that day, or the next morning when the
  interview ran late). Same day at ``end_of_day`` (``NOTES_END_OF_DAY``,
  17:00), unless the interview ended at or after ``late_after``
  (``NOTES_LATE_AFTER``, 16:00): then ``morning`` (``NOTES_MORNING``, 09:00)
  of the next business day. A send day on a weekend rolls to Monday at
  ``morning``.
- **After N business days** (a follow-up after applying): ``morning`` of the
  N-th business day after the day the reader applied.

Business days are Monday to Friday; public holidays are not known here.

All arithmetic is on wall-clock dates and times in the reader's own time zone
(``zoneinfo``), and only the final local time is turned into an instant, so
daylight-saving changes never shift the advice by an hour. A local time that
does not exist (inside a spring-forward gap) moves forward by the gap; an
ambiguous one (fall-back) takes its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

SATURDAY = 5

# The reasons given with a send time, one per outcome of the rules. The page
# script (static/js/drafter.js) receives them in the page's data
# (:func:`rule_data`) and gives the same sentence for the same outcome.
REASON_WEEKEND = "The interview was on a weekend, so send it on Monday morning."
REASON_LATE = "The interview ended late in the day, so send it the next business morning."
REASON_END_OF_DAY = "Not right away: send it at the end of the interview day."
REASON_BUSINESS_DAYS = "Give them {days} business day{s}, then follow up once."
# When the suggested time is already past (``overdue_message``).
OVERDUE_NOW = "That time has passed — send it now."
OVERDUE_YESTERDAY = "That was yesterday — send it today."
OVERDUE_DAYS = "That was {days} days ago — send it today."


class UnknownTimeZone(ValueError):
    """A time-zone name that is not in the IANA database."""


def zone_from_name(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name such as ``"Europe/Berlin"``.

    Raises :class:`UnknownTimeZone` for anything else (including file paths
    and empty strings).
    """
    if not name or name not in _zone_names():
        raise UnknownTimeZone(f"Unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(f"Unknown time zone: {name!r}") from error


_ZONE_NAMES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONE_NAMES
    if _ZONE_NAMES is None:
        _ZONE_NAMES = frozenset(available_timezones()) | {"UTC"}
    return _ZONE_NAMES


def is_time_zone(name: str) -> bool:
    """True when ``name`` is a known IANA time-zone name."""
    return bool(name) and name in _zone_names()


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware datetime for wall-clock ``day`` + ``at`` in ``zone``.

    A time inside a spring-forward gap (02:30 when clocks jump from 02:00 to
    03:00) comes back moved forward by the gap (03:30); an ambiguous
    fall-back time is its first occurrence (``fold=0``).
    """
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=zone)
    # A round trip through UTC normalises a non-existent local time.
    return aware.astimezone(UTC).astimezone(zone)


def is_business_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def next_business_day(day: date) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (``count`` ≥ 0; 0 gives
    ``day`` itself, or the next business day when ``day`` is a weekend day)."""
    if count < 0:
        raise ValueError("count must be zero or more")
    if count == 0:
        return day if is_business_day(day) else next_business_day(day)
    for _ in range(count):
        day = next_business_day(day)
    return day


@dataclass(frozen=True)
class SendTime:
    """Advice on when to send: ``at`` (aware, in the reader's zone) and
    ``reason``, one sentence a reader can follow."""

    at: datetime
    reason: str


def send_time_end_of_day(
    ended: datetime,
    *,
    end_of_day: time = time(17, 0),
    late_after: time = time(16, 0),
    morning: time = time(9, 0),
) -> SendTime:
    """The "end of day or next morning" rule.

    ``ended`` is when the interview ended, an aware datetime in the reader's
    zone (its ``tzinfo`` must be a ``ZoneInfo``). Returns the same day at
    ``end_of_day``; or, when ``ended`` is at or after ``late_after`` (or after
    ``end_of_day``), the next business day at ``morning``. A weekend send day
    rolls to Monday at ``morning``. Raises ``ValueError`` for a naive
    ``ended``.
    """
    if ended.tzinfo is None:
        raise ValueError("ended must be an aware datetime")
    zone = ended.tzinfo
    day, clock = ended.date(), ended.time()
    if not is_business_day(day):
        return SendTime(
            local_instant(next_business_day(day), morning, zone),
            REASON_WEEKEND,
        )
    if clock >= late_after or clock >= end_of_day:
        return SendTime(
            local_instant(next_business_day(day), morning, zone),
            REASON_LATE,
        )
    return SendTime(
        local_instant(day, end_of_day, zone),
        REASON_END_OF_DAY,
    )


def send_time_business_days(
    start: date, days: int, zone: ZoneInfo, *, morning: time = time(9, 0)
) -> SendTime:
    """The "after N business days" rule: ``morning`` of the ``days``-th
    business day after ``start`` (the day the reader applied), in ``zone``.
    Raises ``ValueError`` for a negative ``days``."""
    day = add_business_days(start, days)
    return SendTime(
        local_instant(day, morning, zone),
        REASON_BUSINESS_DAYS.format(days=days, s="s" if days != 1 else ""),
    )


def parse_clock(value: str) -> time:
    """``"17:00"`` → ``time(17, 0)``; raises ``ValueError`` for anything else."""
    return time.fromisoformat(value.strip())


def overdue_message(at: datetime, now: datetime) -> str:
    """What to say when the suggested send time ``at`` (aware, in the
    reader's zone) is before ``now`` (aware): "That was 3 days ago — send it
    today." ("yesterday" for one day; "send it now" the same day), counted
    in calendar days in ``at``'s zone. "" when ``at`` is not past."""
    if at >= now:
        return ""
    days = (now.astimezone(at.tzinfo).date() - at.date()).days
    if days <= 0:
        return OVERDUE_NOW
    if days == 1:
        return OVERDUE_YESTERDAY
    return OVERDUE_DAYS.format(days=days)


def rule_data(rule: str, days: int, *, end_of_day: time, late_after: time, morning: time) -> dict:
    """The send-time rule as data for the page script, which computes the
    same send time as :func:`send_time_end_of_day` /
    :func:`send_time_business_days` as the reader types: ``rule``
    (``"end_of_day"`` or ``"business_days"``), ``days`` (business days to
    wait), the three clock times as ``"HH:MM:SS"`` and the reason and
    overdue sentences (templates with ``{days}`` / ``{s}``)."""
    return {
        "rule": rule,
        "days": days,
        "end_of_day": end_of_day.isoformat(),
        "late_after": late_after.isoformat(),
        "morning": morning.isoformat(),
        "reasons": {
            "weekend": REASON_WEEKEND,
            "late": REASON_LATE,
            "end_of_day": REASON_END_OF_DAY,
            "business_days": REASON_BUSINESS_DAYS,
        },
        "overdue": {"now": OVERDUE_NOW, "yesterday": OVERDUE_YESTERDAY, "days": OVERDUE_DAYS},
    }
