"""Fields of the forms readers fill in (the comment form, the Ask form):
plain text kept as typed, a website limited to http(s), an e-mail address
(web layer; docs/architecture.md)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

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


class EmailAddressField(forms.EmailField):
    """A reader's e-mail address: at most 100 characters (WordPress's
    ``comment_author_email`` column), labelled "E-mail", the browser's
    address autocomplete; pass the ``help_text`` that says what it is for."""

    default_validators = [*forms.EmailField.default_validators, reject_surrogates]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "E-mail")
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)
