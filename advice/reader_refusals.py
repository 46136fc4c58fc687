"""Refusals in the site's own voice, for the forms readers fill in (the
comment form, the Ask form).

Django's stock messages ("Ensure this value has at most 65525 characters (it
has 69599).", "This field is required.") read like a program talking. A form
that mixes in :class:`ReaderRefusals` names what each field holds
(``field_nouns``), and its fields say instead "Your comment is 69,599
characters long; the limit is 65,525. Your text is kept below." (numbers with
thousands separators), "Please fill in your name." and so on.

A refused form is shown again at the form (the view's part) with the focus
on the first field at fault: the field gets ``autofocus`` on the server, so
it works without JavaScript. A refusal about no field in particular (too
fast, sent twice, the honeypot) puts the focus on the form's main text
(``focus_field``), which is kept.

Every form readers type into also mixes in :class:`ReaderText`: NUL
characters, which no reader can see or mean, are taken out of the text before
it is checked (Django would refuse the whole field and lose the rest), and a
text made only of characters nobody sees (spaces, zero-width spaces, joiners,
a byte-order mark) is refused as "Your comment has no visible text.", kept.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from advice.reader_fields import PlainTextField
from advice.signed_forms import TokenProblem, token_message

MSG_REQUIRED = "Please fill in your {noun}."
MSG_EMAIL = (
    "That does not look like an e-mail address (like name@example.com); please check it. "
    "Your text is kept below."
)
MSG_URL = (
    "Give your website as an address starting with http:// or https://, or leave it empty. "
    "Your text is kept below."
)

MSG_INVISIBLE = "Your {noun} has no visible text."

# Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt)
# that are not format characters (category Cf): the combining grapheme joiner,
# Hangul fillers, Khmer inherent vowels, Mongolian and other variation selectors.
_IGNORABLE_NOT_CF = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164"
    "\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


def visible_char(char: str) -> bool:
    """Whether the one character ``char`` shows on the page: not whitespace,
    not a control character (Unicode category Cc), not a format character
    (Cf: zero-width space U+200B, ZWNJ U+200C, ZWJ U+200D, word joiner
    U+2060, byte-order mark U+FEFF, direction marks, soft hyphen...) and not
    one of the other characters Unicode says to draw as nothing (its
    Default_Ignorable_Code_Point property: Hangul fillers, variation
    selectors)."""
    return not (
        char.isspace()
        or unicodedata.category(char) in ("Cc", "Cf")
        or _IGNORABLE_NOT_CF.match(char) is not None
    )


def has_visible_text(text: str) -> bool:
    """Whether ``text`` holds at least one :func:`visible_char`. Invisible
    characters next to visible ones are fine: a ZWJ inside an emoji sequence,
    a ZWNJ inside a Persian word."""
    return any(visible_char(char) for char in text)


class VisibleText:
    """A validator: refuse text with no :func:`has_visible_text` as
    :data:`MSG_INVISIBLE` for the reader's ``noun`` (code ``invisible``)."""

    def __init__(self, noun: str):
        self.noun = noun

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and not has_visible_text(value):
            raise ValidationError(MSG_INVISIBLE.format(noun=self.noun), code="invisible")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VisibleText) and self.noun == other.noun


def without_nul(data: Any, keys: list[str]) -> Any:
    """A copy of a bound form's ``data`` (a ``QueryDict`` or a plain dict)
    with NUL characters (U+0000) taken out of the text values of ``keys``;
    other keys and values are left as they are."""
    cleaned = data.copy()
    for key in keys:
        if key not in cleaned:
            continue
        if hasattr(cleaned, "setlist"):  # a QueryDict: every value sent under the key
            values = cleaned.getlist(key)
            cleaned.setlist(
                key, [v.replace("\x00", "") if isinstance(v, str) else v for v in values]
            )
        elif isinstance(cleaned[key], str):
            cleaned[key] = cleaned[key].replace("\x00", "")
    return cleaned


class ReaderText:
    """Mix into any form a reader types into (before ``forms.Form`` or its
    subclass):

    - NUL characters are taken out of every text field's value (each
      ``forms.CharField``, e-mail and web addresses included) before the
      form is checked, so "nul\\x00byte" is taken as "nulbyte" and, if the
      form is refused for another reason, shown again without them.
    - each :class:`advice.reader_fields.PlainTextField` named in
      ``field_nouns`` (field name → what the reader calls it: "comment")
      refuses a text with nothing visible (:class:`VisibleText`).
    """

    field_nouns: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            texts = [n for n, f in self.fields.items() if isinstance(f, forms.CharField)]
            self.data = without_nul(self.data, [self.add_prefix(n) for n in texts])
        for name, noun in self.field_nouns.items():
            field = self.fields.get(name)
            if isinstance(field, PlainTextField):
                field.validators = [*field.validators, VisibleText(noun)]


def length_message(noun: str, length: int, limit: int) -> str:
    """The refusal for text of ``length`` characters where ``limit`` are
    allowed, for a field holding the reader's ``noun`` ("comment"): "Your
    comment is 69,599 characters long; the limit is 65,525. Your text is kept
    below." Numbers get thousands separators."""
    return (
        f"Your {noun} is {length:,} characters long; the limit is {limit:,}. "
        "Your text is kept below."
    )


class LengthLimit:
    """A validator: at most ``limit`` characters, refused with
    :func:`length_message` (code ``max_length``, as Django's own)."""

    def __init__(self, limit: int, noun: str):
        self.limit = limit
        self.noun = noun

    def __call__(self, value: Any) -> None:
        length = len(value)
        if length > self.limit:
            raise ValidationError(length_message(self.noun, length, self.limit), code="max_length")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LengthLimit) and (self.limit, self.noun) == (
            other.limit,
            other.noun,
        )


def field_messages_set(field: forms.Field, noun: str) -> None:
    """Give ``field`` (a form's own copy) messages in the site's voice for a
    reader's ``noun``: its length limit (:class:`LengthLimit` in place of
    Django's ``MaxLengthValidator``), "required", and "invalid" for e-mail
    and web addresses."""
    limit = getattr(field, "max_length", None)
    if limit is not None:
        field.validators = [
            v for v in field.validators if not isinstance(v, MaxLengthValidator)
        ] + [LengthLimit(limit, noun)]
    field.error_messages["required"] = MSG_REQUIRED.format(noun=noun)
    if isinstance(field, forms.EmailField):
        field.error_messages["invalid"] = MSG_EMAIL
    elif isinstance(field, forms.URLField):
        field.error_messages["invalid"] = MSG_URL


class ReaderRefusals(ReaderText):
    """Mix into a :class:`advice.signed_forms.SignedForm` (before it); it is
    a :class:`ReaderText` too (NULs taken out, invisible text refused):

    - ``field_nouns``: field name → what the reader calls its content
      ("comment", "name", "e-mail address"); those fields get
      :func:`field_messages_set`'s messages. A missing token gets the
      bad-token refusal, not "This field is required.".
    - ``focus_field``: the field focused when the form is refused for no
      field in particular (its main text).

    When the form is shown again after a refusal (``refresh_token()``), the
    first visible field with an error, else ``focus_field``, gets
    ``autofocus``.
    """

    focus_field: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, noun in self.field_nouns.items():
            if name in self.fields:
                field_messages_set(self.fields[name], noun)
        if "token" in self.fields:  # a page without its token: the bad-token refusal
            self.fields["token"].error_messages["required"] = token_message(
                TokenProblem.BAD, scoped=self.token_scope() is not None
            )

    def refresh_token(self) -> None:
        super().refresh_token()
        if self.is_bound:
            self.focus_first_fault()

    def focus_first_fault(self) -> str:
        """Put ``autofocus`` on the first visible field with an error, else on
        ``focus_field``. Returns the field's name ("" when none fits)."""
        visible = [name for name, field in self.fields.items() if not field.widget.is_hidden]
        faulty = [name for name in visible if name in self.errors and name != "honeypot"]
        for name in visible:
            self.fields[name].widget.attrs.pop("autofocus", None)
        name = faulty[0] if faulty else (self.focus_field if self.focus_field in visible else "")
        if name:
            self.fields[name].widget.attrs["autofocus"] = True
        return name
