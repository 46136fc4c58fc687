"""The Ask form (``/ask/``) and its token.

The form is a :class:`advice.signed_forms.SignedForm`: the same honeypot and
signed-time-token guard as the comment form, under the Ask form's own salt,
with the refusal messages of that module's one table (docs/architecture.md,
``questions/``).
"""

from __future__ import annotations

from datetime import datetime

from django import forms

from advice.reader_fields import EmailAddressField, PlainTextField
from advice.reader_refusals import ReaderRefusals
from advice.signed_forms import SignedForm

QUESTION_MAX_CHARS = 5000
MSG_FIELDS = "Your question was not sent: please correct the fields marked below."


def ask_token(now: datetime) -> str:
    """A signed token for the Ask form made at ``now`` (see
    :mod:`advice.signed_forms`), under its own salt, so a comment form's token
    does not pass here."""
    return AskForm.token_for(now)


def check_ask_token(
    token: str | None,
    *,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
    opened: float | None = None,
) -> str | None:
    """Check a token from :func:`ask_token`: ``None`` when good, else the
    reader-facing reason (:data:`advice.signed_forms.TOKEN_MESSAGES`). A bad
    signature is always refused; with ``timing`` a token whose window began
    more than ``max_age`` seconds ago is refused too, and so is a form the
    browser says was ``opened`` fewer than ``min_age`` seconds before it was
    sent (``None``: not said, not checked)."""
    return AskForm.token_refusal(
        token, now=now, min_age=min_age, max_age=max_age, timing=timing, opened=opened
    )


class AskForm(ReaderRefusals, SignedForm):
    """The Ask form. ``name`` may be blank (shown as "Anonymous");
    ``question`` up to 5,000 characters; ``honeypot`` must stay empty;
    ``token`` is :func:`ask_token`, checked against ``now`` (a missing token
    is refused as a bad one). Refused, it is shown again with the focus on
    the first field at fault (:class:`advice.reader_refusals.ReaderRefusals`)."""

    token_salt = "advice.questions.ask-token"
    refused_thing = "question"
    fields_message = MSG_FIELDS
    # Refusals in the site's voice, focus on the field at fault (advice.reader_refusals).
    field_nouns = {"name": "name", "email": "e-mail address", "question": "question"}
    focus_field = "question"

    name = PlainTextField(
        label="Name",
        max_length=200,
        required=False,
        help_text='Leave blank to ask as "Anonymous".',
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = EmailAddressField(
        help_text="Never shown. We write to you when your question is answered."
    )
    question = PlainTextField(
        label="Your question",
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
    )
    consent_to_publish = forms.BooleanField(
        label="The columnist may publish my question with an answer (without my e-mail address).",
        required=False,
    )
