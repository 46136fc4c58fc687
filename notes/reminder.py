"""A calendar reminder (iCalendar, RFC 5545) for the suggested send time.

Built with the ``icalendar`` library: one ``VEVENT`` at the send time with a
``VALARM`` that fires at its start. The event carries the note template's
title and a link back to the drafter, never the note's text: what a reader
typed stays in their browser.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Ask the Columnist//Note drafter//EN"
EVENT_MINUTES = 15


def reminder_ics(*, at: datetime, title: str, url: str, now: datetime, host: str) -> bytes:
    """The ``.ics`` file (``bytes``, UTF-8, CRLF lines) for a reminder.

    ``at`` is the send time, aware; with a ``ZoneInfo`` zone the event is
    written with that ``TZID`` and a matching ``VTIMEZONE``, otherwise in UTC.
    ``title`` names the note template, ``url`` is the drafter's address,
    ``now`` (aware) becomes ``DTSTAMP`` and ``host`` ends the ``UID``. The
    same send time and title always give the same ``UID``, so importing the
    reminder twice updates one event. Raises ``ValueError`` for a naive ``at``.
    """
    if at.tzinfo is None or now.tzinfo is None:
        raise ValueError("at and now must be aware datetimes")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    event = icalendar.Event()
    digest = hashlib.sha256(f"{title}|{at.isoformat()}".encode()).hexdigest()[:24]
    event.add("uid", f"note-{digest}@{host}")
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    if not isinstance(at.tzinfo, ZoneInfo):
        at = at.astimezone(ZoneInfo("UTC"))
    event.add("dtstart", at)
    event.add("dtend", at + timedelta(minutes=EVENT_MINUTES))
    event.add("summary", f"Send your note: {title}")
    event.add("description", f"Time to send it. Draft it again here: {url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")

    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Send your note: {title}")
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)

    calendar.add_component(event)
    # Only the transitions around the event, not every one since 1970.
    calendar.add_missing_timezones(
        first_date=(at - timedelta(days=366)).date(), last_date=(at + timedelta(days=366)).date()
    )
    return calendar.to_ical()
