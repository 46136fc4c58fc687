"""Reader-facing forms: the comment form.

The form checks what can be checked from the request alone (field lengths,
the website's scheme, the honeypot and the signed timestamp); the rules that
read the comments table run in :func:`advice.comments.submit.comment_submit`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from advice.comments.submit import (
    MSG_HONEYPOT,
    CommentData,
    check_form_token,
    form_token,
)

_SURROGATES = re.compile("[\ud800-\udfff]")


def reject_surrogates(value: str) -> None:
    """Refuse text holding lone UTF-16 surrogates (they cannot be stored or
    sent as UTF-8). Raises :class:`ValidationError`."""
    if isinstance(value, str) and _SURROGATES.search(value):
        raise ValidationError("This text holds characters that cannot be stored.")


class PlainTextField(forms.CharField):
    """A text field that keeps what the reader typed: line breaks sent by
    browsers as CR LF are stored as LF (so the length counts characters the
    reader sees), leading and trailing blanks are trimmed, nothing else
    changes."""

    default_validators = [reject_surrogates]

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class WebsiteField(forms.URLField):
    """An optional website: http or https only (no ``javascript:``,
    ``data:``, ``ftp:``); a bare ``example.com`` becomes ``https://example.com``."""

    default_validators = [URLValidator(schemes=["http", "https"]), reject_surrogates]


class CommentForm(forms.Form):
    """A comment or a reply on one article.

    Field limits are WordPress's (name 245, e-mail 100, website 200, comment
    65,525 characters). ``honeypot`` is hidden from people and must stay
    empty; ``token`` is :func:`advice.comments.submit.form_token` for this article,
    checked on submit. A logged-in staff user comments as themselves: name
    and e-mail are taken from the account and need not be filled in.

    Construct with ``article`` (the article commented on), ``user`` (the
    request's user) and ``now`` (the request time). After ``is_valid()``,
    :meth:`refusal_message` says why it was refused and
    :meth:`comment_data` gives the cleaned values.
    """

    name = PlainTextField(
        label="Name",
        max_length=245,
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=100,
        help_text="Never shown.",
        validators=[reject_surrogates],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = WebsiteField(
        label="Website",
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = PlainTextField(
        label="Comment",
        max_length=65525,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    honeypot = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(max_length=1000, widget=forms.HiddenInput)
    remember = forms.BooleanField(
        label="Remember my name, e-mail and website in this browser for next time",
        required=False,
    )

    def __init__(self, *args, article, user=None, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user
        self.now = now or timezone.now()
        self.fields["token"].initial = form_token(article.pk, self.now)
        if self.is_staff:
            for field in ("name", "email", "url", "remember"):
                self.fields[field].required = False

    @property
    def is_staff(self) -> bool:
        """True when the user comments as the columnist (active staff)."""
        user = self.user
        return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)

    def clean_honeypot(self) -> str:
        value = self.cleaned_data.get("honeypot", "")
        if value:
            raise ValidationError(MSG_HONEYPOT)
        return value

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "")
        problem = check_form_token(
            token,
            article_id=self.article.pk,
            now=self.now,
            min_age=settings.COMMENTS_SIGNATURE_MIN_AGE,
            max_age=settings.COMMENTS_SIGNATURE_MAX_AGE,
            timing=settings.COMMENTS_TIMING_RULES,
        )
        if problem:
            raise ValidationError(problem)
        return token

    def refusal_message(self) -> str:
        """Why the form was refused, for the message above it: the honeypot's
        or the token's reason when one failed, else a pointer to the marked
        fields. "" when valid."""
        if not self.is_bound or not self.errors:
            return ""
        for field in ("honeypot", "token"):
            if field in self.errors:
                return self.errors[field][0]
        if "parent" in self.errors:
            return "The comment you replied to could not be found. Your text is kept below."
        return "Your comment was not posted: please correct the fields marked below."

    def refresh_token(self) -> None:
        """Give a bound form (shown again after a refusal) a fresh token, so
        the reader can send it again; the fields keep the reader's text."""
        if self.is_bound:
            data = self.data.copy()
            data["token"] = form_token(self.article.pk, self.now)
            data["honeypot"] = ""
            self.data = data

    def comment_data(self) -> CommentData:
        """The cleaned values as :class:`advice.comments.submit.CommentData`.
        Call only after ``is_valid()`` returned True."""
        cleaned = self.cleaned_data
        return CommentData(
            name=cleaned.get("name") or "",
            email=cleaned.get("email") or "",
            url=cleaned.get("url") or "",
            body=cleaned["body"],
            parent_id=cleaned.get("parent"),
        )
