"""Forms of the note drafter and of the note-template admin.

The drafter's form is built from a template's parsed blanks, one text field
per blank (the shape of wagtail's ``FormBuilder``: stored field definitions
turned into a Django ``Form`` class), plus the fields for the send time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from notes import sendtime
from notes.blanks import BlankInfo, BlankSyntaxError, blank_key, merge_blanks, parse
from notes.models import NoteTemplate

# Offered when the browser does not say its own zone (no JavaScript). The
# reader's browser zone, when it is not among these, is added by drafter.js.
COMMON_TIME_ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
]


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python instead of one template per option.

    The drafter's time-zone list is on every article page that embeds a note,
    and rendering each ``<option>`` through Django's widget templates was
    nearly half of that page's time. Same output shape as ``forms.Select``
    for a single choice: attributes from the bound field (id, aria-*), values
    and labels escaped, the current value selected.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        current = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, mark_safe(" selected") if str(choice) == current else "", label)
                for choice, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


BLANK_SETTING_KEYS = {"label", "help", "example"}
BLANK_SETTING_MAX_LENGTH = 300  # characters per label / help / example


# The drafter names its blank fields ``blank_1``, ``blank_2``… (numbered from
# 1, in the order the blanks first appear). This is the one owner of that
# naming: other code (the 503 page that shows a reader's text back) asks
# :func:`blank_fields` rather than matching names itself.
BLANK_FIELD_PREFIX = "blank_"
_BLANK_FIELD = re.compile(r"^" + BLANK_FIELD_PREFIX + r"(\d{1,4})$")


def blank_field_name(index: int) -> str:
    """The form field name of the ``index``-th blank (0-based): ``blank_1``…"""
    return f"{BLANK_FIELD_PREFIX}{index + 1}"


def blank_field_number(name: str) -> int | None:
    """The blank's number (1-based) when ``name`` is a drafter blank field's
    name (``blank_1`` → 1, at most four digits), else ``None``."""
    match = _BLANK_FIELD.match(name)
    return int(match.group(1)) if match else None


def blank_fields(post: Mapping[str, object]) -> list[tuple[int, str]]:
    """The drafter blanks a reader filled in ``post`` (a ``QueryDict`` or a
    mapping of field name to str): ``[(number, text), ...]`` sorted by blank
    number (1-based), texts as posted. Fields left empty or holding only
    spaces are left out; other fields are ignored."""
    filled = []
    for name in post:
        number = blank_field_number(name)
        if number is not None and str(post.get(name, "")).strip():
            filled.append((number, post.get(name)))
    return sorted(filled)


def blank_length_message(label: str, length: int, limit: int) -> str:
    """The refusal for a blank of ``length`` characters where ``limit`` are
    allowed: "“Role” is 1,203 characters long; the limit is 200. Your text is
    kept." (thousands separators; the reader's text stays in the field)."""
    return f"“{label}” is {length:,} characters long; the limit is {limit:,}. Your text is kept."


class BlankLength:
    """A validator: a blank of at most ``limit`` characters, refused with
    :func:`blank_length_message` (code ``max_length``)."""

    def __init__(self, label: str, limit: int):
        self.label = label
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise forms.ValidationError(
                blank_length_message(self.label, len(value), self.limit), code="max_length"
            )


# A drafter embedded in another page (an article) posts back to that page
# with the note template's slug in this field; with nothing but drafter
# fields (:func:`drafter_post_slug`).
NOTE_FIELD = "note"
_DRAFTER_FIELDS = frozenset({NOTE_FIELD, "back", "action", "ended_date", "ended_time", "tz"})


def drafter_post_slug(post: Mapping[str, object]) -> str | None:
    """The slug of the note template a POST to an embedding page is for:
    ``post`` (a ``QueryDict``) must name one in :data:`NOTE_FIELD` and hold
    nothing but drafter fields (blanks, date, time, zone, way back, action).
    None for anything else (a stray or forged POST), which the page refuses."""
    slug = post.get(NOTE_FIELD)
    if not isinstance(slug, str) or not slug or len(slug) > 200:
        return None
    for name in post:
        if name not in _DRAFTER_FIELDS and blank_field_number(name) is None:
            return None
    return slug


class BaseDrafterForm(forms.Form):
    """Fields every drafter has; the blank fields are added by
    :func:`drafter_form_class`. ``blank_keys`` maps field name → blank key."""

    blank_keys: dict[str, str] = {}
    send_rule: str = NoteTemplate.SendRule.END_OF_DAY

    ended_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give the day as a date, like 2025-03-07. Your text is kept."},
    )
    ended_time = forms.TimeField(
        required=False,
        label="Time it ended",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Give the time like 16:30. Your text is kept."},
    )
    tz = forms.CharField(
        required=False,
        label="Your time zone",
        widget=QuickSelect(attrs={"data-timezone": ""}),
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.data.get("tz") if self.is_bound else None
        choices = list(COMMON_TIME_ZONES)
        if current and sendtime.is_time_zone(current) and current not in choices:
            choices.insert(0, current)
        self.fields["tz"].widget.choices = [(zone, zone.replace("_", " ")) for zone in choices]
        self.fields["tz"].initial = settings.TIME_ZONE

    def clean_tz(self) -> str:
        value = self.cleaned_data.get("tz") or settings.TIME_ZONE
        if not sendtime.is_time_zone(value):
            raise forms.ValidationError("Choose a time zone from the list.")
        return value

    def clean_ended_date(self):
        day = self.cleaned_data.get("ended_date")
        if day is not None and not 1900 <= day.year <= 2200:
            raise forms.ValidationError("Give a date between the years 1900 and 2200.")
        return day

    def clean(self):
        cleaned = super().clean()
        if self.send_rule == NoteTemplate.SendRule.END_OF_DAY:
            day, clock = cleaned.get("ended_date"), cleaned.get("ended_time")
            if day and not clock and "ended_time" not in self.errors:
                self.add_error("ended_time", "Give the time the interview ended, too.")
            if clock and not day and "ended_date" not in self.errors:
                self.add_error("ended_date", "Give the day of the interview, too.")
        return cleaned

    def focus_first_fault(self) -> str:
        """Put ``autofocus`` on the first field with an error (in the order
        the page shows them: blanks, then date, time and zone), so a refused
        post-back opens there, without JavaScript too. Returns its name, or
        "" when no field has an error."""
        order = [*self.blank_keys, "ended_date", "ended_time", "tz"]
        for name in order:
            self.fields[name].widget.attrs.pop("autofocus", None)
        for name in order:
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                return name
        return ""

    def blank_values(self) -> dict[str, str]:
        """Blank key → text typed (valid fields only; call after ``is_valid``)."""
        data = getattr(self, "cleaned_data", {})
        return {key: data.get(name) or "" for name, key in self.blank_keys.items()}

    def blank_fields(self) -> list[forms.BoundField]:
        """The bound fields of the blanks, in template order."""
        return [self[name] for name in self.blank_keys]


def drafter_form_class(
    blanks: tuple[BlankInfo, ...],
    blank_settings: Mapping[str, Mapping[str, str]],
    *,
    send_rule: str,
) -> type[BaseDrafterForm]:
    """Build the drafter's ``Form`` class for a template's ``blanks`` (body
    and subject merged, see :func:`notes.blanks.merge_blanks`).

    One optional ``CharField`` per blank (``blank_1``, ``blank_2``… in the
    order the blanks first appear), each at most ``NOTES_BLANK_MAX_LENGTH``
    characters (refused with :func:`blank_length_message`), label / help /
    example from ``blank_settings`` (falling back
    to the blank's own text). Required blanks are not enforced on the server:
    an empty one stays in the note as ``[name]``; the page says which are
    missing. ``send_rule`` (a ``NoteTemplate.SendRule`` value) sets the
    date field's label; the time field only matters for the end-of-day rule.
    """
    max_length = settings.NOTES_BLANK_MAX_LENGTH
    fields: dict[str, object] = {}
    keys: dict[str, str] = {}
    for index, blank in enumerate(blanks):
        name = blank_field_name(index)
        options = blank_settings.get(blank.key, {})
        label = options.get("label") or blank.label
        help_text = options.get("help") or ("" if blank.required else "Optional.")
        attrs = {
            "dir": "auto",
            "autocomplete": "off",
            "maxlength": str(max_length),
            "data-blank": blank.key,
            "data-required": "true" if blank.required else "false",
        }
        if options.get("example"):
            attrs["placeholder"] = f"e.g. {options['example']}"
        fields[name] = forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.TextInput(attrs=attrs),
            validators=[BlankLength(label, max_length)],
        )
        keys[name] = blank.key
    fields["blank_keys"] = keys
    fields["send_rule"] = send_rule
    form_class = type("DrafterForm", (BaseDrafterForm,), fields)
    date_field = form_class.base_fields["ended_date"]
    if send_rule == NoteTemplate.SendRule.BUSINESS_DAYS:
        date_field.label = "The day you applied"
    else:
        date_field.label = "Day the interview ended"
    return form_class


def clean_blank_settings(
    value: object, blanks: tuple[BlankInfo, ...] | None
) -> dict[str, dict[str, str]]:
    """Validate the admin's per-blank settings JSON.

    ``value`` must be an object mapping a blank's name to an object with only
    ``label``, ``help`` and ``example`` strings (each ≤ 300 characters). Names
    are normalised to blank keys; when ``blanks`` is given they must be blanks
    of the template. Returns the normalised dict; raises
    ``forms.ValidationError`` saying what is wrong.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise forms.ValidationError('Give an object: {"name": {"label": "…", "help": "…"}}.')
    known = {blank.key for blank in blanks} if blanks is not None else None
    cleaned: dict[str, dict[str, str]] = {}
    for name, options in value.items():
        key = blank_key(str(name))
        if known is not None and key not in known:
            raise forms.ValidationError(
                f"“{name}” is not a blank of this template (its blanks: "
                f"{', '.join(sorted(known)) or 'none'})."
            )
        if not isinstance(options, dict):
            raise forms.ValidationError(f"The settings for “{name}” must be an object.")
        unknown = set(options) - BLANK_SETTING_KEYS
        if unknown:
            raise forms.ValidationError(
                f"Unknown setting(s) for “{name}”: {', '.join(sorted(unknown))}; "
                "use label, help and example."
            )
        for option, text in options.items():
            if not isinstance(text, str) or len(text) > BLANK_SETTING_MAX_LENGTH:
                raise forms.ValidationError(
                    f"{option} of “{name}” must be text of at most "
                    f"{BLANK_SETTING_MAX_LENGTH} characters."
                )
        cleaned[key] = {option: text.strip() for option, text in options.items()}
    return cleaned


class NoteTemplateAdminForm(forms.ModelForm):
    """The admin's form: refuses a body or subject the blanks parser cannot
    read (saying line and column) and validates ``blank_settings``."""

    class Meta:
        model = NoteTemplate
        fields = [
            "title", "slug", "subject", "body", "blank_settings", "send_rule", "send_after_days",
        ]  # fmt: skip

    def _parse(self, field: str) -> None:
        text = self.cleaned_data.get(field) or ""
        try:
            parse(text)
        except BlankSyntaxError as error:
            raise forms.ValidationError(str(error), code="blank_syntax") from error

    def clean_body(self) -> str:
        self._parse("body")
        return self.cleaned_data["body"]

    def clean_subject(self) -> str:
        self._parse("subject")
        return self.cleaned_data["subject"]

    def clean(self):
        cleaned = super().clean()
        if "body" in cleaned and "subject" in cleaned and "blank_settings" in cleaned:
            both = merge_blanks(parse(cleaned["body"]), parse(cleaned["subject"]))
            try:
                cleaned["blank_settings"] = clean_blank_settings(cleaned["blank_settings"], both)
            except forms.ValidationError as error:
                self.add_error("blank_settings", error)
        return cleaned
