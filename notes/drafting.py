"""The drafter, put together: a note template's parsed text, its form, the
filled result, the send-time advice and what the page needs to show them.

Called by the standalone view (``notes.views``) and by the template tag that
embeds drafters in an article (``notes.templatetags.notes_tags``). Nothing a
reader types is stored or logged here; it lives only in the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from notes import sendtime
from notes.blanks import (
    BlankInfo,
    ParsedNote,
    blank_key,
    fill,
    fill_lines,
    merge_blanks,
    missing_blanks,
    parse,
)
from notes.forms import BaseDrafterForm, blank_field_name, drafter_form_class
from notes.models import NoteTemplate


@dataclass(frozen=True)
class Drafter:
    """A note template ready to draft from: ``body`` and ``subject`` parsed,
    their ``blanks`` merged, and the ``form_class`` built from them."""

    note: NoteTemplate
    body: ParsedNote
    subject: ParsedNote
    blanks: tuple[BlankInfo, ...]
    settings: dict[str, dict[str, str]]
    form_class: type[BaseDrafterForm]

    def label(self, blank: BlankInfo) -> str:
        """The blank's label: the editor's (``blank_settings``) or its own."""
        return self.settings.get(blank.key, {}).get("label") or blank.label

    @property
    def dom_id(self) -> str:
        return f"drafter-{self.note.slug}"

    def make_form(self, data=None, *, back: str = "") -> BaseDrafterForm:
        """An unbound form (``data`` None) or one bound to POSTed ``data``."""
        form = self.form_class(
            data, auto_id=f"{self.note.slug}-%s", initial={"back": back} if back else None
        )
        return form

    def page_data(self) -> dict:
        """What ``drafter.js`` gets in the page's JSON data block: the parsed
        pieces (never the template text to parse), the blank fields and the
        send-time rule (:func:`send_rule_data`)."""
        return {
            "slug": self.note.slug,
            "body": self.body.to_json(),
            "subject": self.subject.to_json(),
            "blanks": [
                {
                    "key": blank.key,
                    "field": blank_field_name(index),
                    "label": self.label(blank),
                    "required": blank.required,
                }
                for index, blank in enumerate(self.blanks)
            ],
            "send": send_rule_data(self.note),
        }


def drafter_for(note: NoteTemplate) -> Drafter:
    """Parse ``note``'s body and subject and build its form class.

    Raises :class:`notes.blanks.BlankSyntaxError` when either cannot be
    parsed (the admin refuses such text, but rows may come from elsewhere).
    """
    body, subject = parse(note.body), parse(note.subject)
    blanks = merge_blanks(body, subject)
    options = usable_blank_settings(note.blank_settings)
    form_class = drafter_form_class(blanks, options, send_rule=note.send_rule)
    return Drafter(note, body, subject, blanks, options, form_class)


def usable_blank_settings(value: object) -> dict[str, dict[str, str]]:
    """``blank_settings`` as stored, reduced to what can be used: keys made
    blank keys, only string label / help / example kept. Rows edited outside
    the admin (which validates) cannot break the page this way."""
    if not isinstance(value, dict):
        return {}
    usable: dict[str, dict[str, str]] = {}
    for name, options in value.items():
        if isinstance(options, dict):
            usable[blank_key(str(name))] = {
                option: text
                for option, text in options.items()
                if option in ("label", "help", "example") and isinstance(text, str)
            }
    return usable


def mailto_href(subject: str, body: str) -> str:
    """A ``mailto:`` URL with no address, the subject and body
    percent-encoded as RFC 6068 asks (UTF-8, every reserved character
    escaped, line breaks as ``%0D%0A``)."""
    parts = []
    if subject:
        parts.append("subject=" + quote(subject, safe=""))
    parts.append("body=" + quote(body.replace("\n", "\r\n"), safe=""))
    return "mailto:?" + "&".join(parts)


def preview_html(parsed: ParsedNote, values: dict[str, str]) -> SafeString:
    """The filled note as escaped HTML for the preview: what the reader
    typed in ``<span class="blank-filled" dir="auto">``, unfilled blanks in
    ``<mark class="blank-empty">``, lines joined with ``\\n`` (the preview
    keeps white space)."""
    rendered_lines = []
    for line in fill_lines(parsed, values):
        parts = []
        for segment in line:
            if segment.state == "filled":
                parts.append(
                    format_html('<span class="blank-filled" dir="auto">{}</span>', segment.text)
                )
            elif segment.state == "empty":
                parts.append(format_html('<mark class="blank-empty">{}</mark>', segment.text))
            else:
                parts.append(format_html("{}", segment.text))
        rendered_lines.append("".join(parts))
    return mark_safe("\n".join(rendered_lines))  # every part escaped above


@dataclass(frozen=True)
class DraftResult:
    """The filled note: plain ``subject`` and ``body``, their previews, the
    ``mailto`` URL and the labels of the required blanks still ``missing``."""

    subject: str
    body: str
    subject_preview: SafeString
    body_preview: SafeString
    mailto: str
    missing: list[str]


def draft(
    drafter: Drafter, values: dict[str, str], *, refused: frozenset[str] = frozenset()
) -> DraftResult:
    """Fill ``drafter``'s subject and body with ``values`` (blank key → text).
    Blanks whose keys are in ``refused`` (typed, but refused, e.g. too long)
    are left unfilled yet not listed as ``missing``: their own message says
    why."""
    subject = fill(drafter.subject, values)
    body = fill(drafter.body, values)
    return DraftResult(
        subject=subject,
        body=body,
        subject_preview=preview_html(drafter.subject, values),
        body_preview=preview_html(drafter.body, values),
        mailto=mailto_href(subject, body),
        missing=[
            drafter.label(blank)
            for blank in missing_blanks(drafter.blanks, values)
            if blank.key not in refused
        ],
    )


def rule_times() -> dict:
    """``NOTES_END_OF_DAY``, ``NOTES_LATE_AFTER`` and ``NOTES_MORNING`` as
    ``datetime.time`` values, keyed as the send-time functions name them."""
    return {
        "end_of_day": sendtime.parse_clock(settings.NOTES_END_OF_DAY),
        "late_after": sendtime.parse_clock(settings.NOTES_LATE_AFTER),
        "morning": sendtime.parse_clock(settings.NOTES_MORNING),
    }


def rule_summary(note: NoteTemplate) -> str:
    """One sentence on the template's send-time rule, with the set times."""
    times = rule_times()
    if note.send_rule == NoteTemplate.SendRule.BUSINESS_DAYS:
        days = note.send_after_days
        return (
            f"Wait {days} business day{'s' if days != 1 else ''} (weekends don't count), "
            f"then send it at {times['morning']:%H:%M}."
        )
    return (
        f"Not right away: send it at {times['end_of_day']:%H:%M} on the day of the interview, "
        f"or at {times['morning']:%H:%M} the next business day if it ended at or after "
        f"{times['late_after']:%H:%M}. Weekends roll to Monday."
    )


# Why no send time is shown (the page script shows the same, from its data).
NO_DATE = {
    NoteTemplate.SendRule.END_OF_DAY: (
        "No send time yet: give the day the interview ended and the time it ended."
    ),
    NoteTemplate.SendRule.BUSINESS_DAYS: "No send time yet: give the day you applied.",
}
NO_TIME = "No send time yet: give the time the interview ended, too."


def send_rule_data(note: NoteTemplate) -> dict:
    """The send-time rule of ``note`` for the page script
    (:func:`notes.sendtime.rule_data` with the set times), and what it says
    while the date (``no_date``) or the time (``no_time``) is missing."""
    data = sendtime.rule_data(note.send_rule, note.send_after_days, **rule_times())
    data["no_date"] = NO_DATE.get(note.send_rule, NO_DATE[NoteTemplate.SendRule.END_OF_DAY])
    data["no_time"] = NO_TIME
    data["reminder_url"] = reverse("notes:reminder", kwargs={"slug": note.slug})
    return data


def send_display(at: datetime) -> str:
    """``at`` as the page shows it: "Monday 10 March 2025 at 09:00"."""
    return f"{at:%A} {at.day} {at:%B %Y} at {at:%H:%M}"


@dataclass(frozen=True)
class SendAdvice:
    """The suggested send time for the page: ``at`` (aware, reader's zone),
    ``display`` (:func:`send_display`), ``zone`` name, ``reason``, the
    ``reminder_url`` of the ``.ics`` (send time and zone only) and, when
    ``at`` has passed, ``overdue`` ("That was 3 days ago — send it today.")."""

    at: datetime
    display: str
    zone: str
    reason: str
    reminder_url: str
    overdue: str = ""


def send_advice(
    note: NoteTemplate, cleaned: dict, *, now: datetime | None = None
) -> SendAdvice | None:
    """The send time for a drafter form's ``cleaned`` data (its date, time
    and zone fields valid), or None when the reader gave no date (or, for the
    end-of-day rule, no time). ``now`` (aware; default: now) tells whether
    the time has passed."""
    day, clock = cleaned.get("ended_date"), cleaned.get("ended_time")
    zone_name = cleaned.get("tz") or settings.TIME_ZONE
    if day is None:
        return None
    zone = sendtime.zone_from_name(zone_name)
    times = rule_times()
    if note.send_rule == NoteTemplate.SendRule.BUSINESS_DAYS:
        advice = sendtime.send_time_business_days(
            day, note.send_after_days, zone, morning=times["morning"]
        )
    else:
        if clock is None:
            return None
        ended = sendtime.local_instant(day, clock, zone)
        advice = sendtime.send_time_end_of_day(ended, **times)
    at = advice.at
    query = urlencode({"at": f"{at:%Y-%m-%dT%H:%M}", "tz": zone_name})
    return SendAdvice(
        at=at,
        display=send_display(at),
        zone=zone_name,
        reason=advice.reason,
        reminder_url=reverse("notes:reminder", kwargs={"slug": note.slug}) + "?" + query,
        overdue=sendtime.overdue_message(at, now or timezone.now()),
    )


SEND_FIELDS = ("ended_date", "ended_time", "tz")


def drafter_context(
    drafter: Drafter,
    form: BaseDrafterForm,
    *,
    back_url: str = "",
    action_url: str = "",
    now: datetime | None = None,
) -> dict:
    """The context of ``notes/_drafter.html`` for ``form`` (bound or not).

    A bound form fills the note with the blanks that passed validation (a
    refused blank is not "still blank": its own message says why), computes
    the send time when the date, time and zone fields passed (else
    ``no_send`` says why there is none), and puts the focus on the first
    field at fault. An unbound one shows the note with every blank unfilled.
    The form posts to ``action_url`` (default: the standalone page).
    """
    values: dict[str, str] = {}
    send = None
    no_send = ""
    if form.is_bound:
        form.is_valid()
        if not any(name in form.errors for name in SEND_FIELDS):
            send = send_advice(drafter.note, form.cleaned_data, now=now)
            if send is None:
                no_send = send_rule_data(drafter.note)[
                    "no_time" if form.cleaned_data.get("ended_date") else "no_date"
                ]
        values = form.blank_values()  # the blanks that passed, even if others did not
        form.focus_first_fault()
    refused = frozenset(key for name, key in form.blank_keys.items() if name in form.errors)
    return {
        "drafter": drafter,
        "note": drafter.note,
        "form": form,
        "result": draft(drafter, values, refused=refused),
        "posted": form.is_bound,
        "send": send,
        "no_send": no_send,
        "rule_summary": rule_summary(drafter.note),
        "data": drafter.page_data(),
        "data_id": f"{drafter.dom_id}-data",
        "back_url": back_url,
        "action_url": action_url or reverse("notes:detail", kwargs={"slug": drafter.note.slug}),
        "download_url": reverse("notes:detail", kwargs={"slug": drafter.note.slug}),
    }
