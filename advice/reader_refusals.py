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
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

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


class ReaderRefusals:
    """Mix into a :class:`advice.signed_forms.SignedForm` (before it):

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

    field_nouns: ClassVar[dict[str, str]] = {}
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
