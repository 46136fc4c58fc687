"""Fields of the forms readers fill in (the comment form, the Ask form):
plain text kept as typed, a website limited to http(s), an e-mail address
(web layer; docs/architecture.md)."""

from __future__ import annotations

import re
import unicodedata
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


MSG_EMAIL_INVISIBLE = (
    "This e-mail address holds characters that cannot be seen (such as a zero-width "
    "space or a soft hyphen); please type it again."
)


def email_domain_ascii(address: str) -> str:
    """``address`` with its domain in the one spelling mail is delivered to:
    compatibility-normalised (NFKC: full-width letters become plain ones),
    converted to ASCII by IDNA 2003 (RFC 3490, Python's ``idna`` codec,
    whose nameprep also drops soft hyphens and zero-width spaces) and lower
    case, as Django's mail code does before sending. ``Exämple.test``,
    ``xn--exmple-cua.test`` and a full-width ``ｅxämple.test`` are then one
    address, so per-address limits (one confirmation e-mail a day) cannot be
    dodged by spelling. The local part is kept as typed. A domain the codec
    refuses is returned unchanged (the validator then says why)."""
    local, at, domain = address.rpartition("@")
    if not at or not domain:
        return address
    try:
        ascii_domain = unicodedata.normalize("NFKC", domain).encode("idna").decode("ascii")
    except UnicodeError:
        return address
    return f"{local}@{ascii_domain.lower()}"


class EmailAddressField(forms.EmailField):
    """A reader's e-mail address: at most 100 characters (WordPress's
    ``comment_author_email`` column) in the form it is stored and compared
    in (:func:`email_domain_ascii`), labelled "E-mail", the browser's
    address autocomplete; pass the ``help_text`` that says what it is for.
    An address holding invisible format characters (Unicode category Cf)
    is refused with :data:`MSG_EMAIL_INVISIBLE`."""

    default_validators = [*forms.EmailField.default_validators, reject_surrogates]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "E-mail")
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if not value:
            return value
        if any(unicodedata.category(ch) == "Cf" for ch in value):
            raise ValidationError(MSG_EMAIL_INVISIBLE, code="invisible")
        return email_domain_ascii(value)
