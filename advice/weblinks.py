"""Which stored addresses may become links (pure: values in, values out).

A website a commenter gave, or any other address read from the database, is
only ever rendered as a link through :func:`web_url`: the comment form
refuses anything but http and https, but a row may also come from a shell,
a data migration or an older import, so the check is made again at display,
whatever the value's history. Everything else is shown as plain text.

The rule is Django's ``URLValidator`` limited to the schemes ``http`` and
``https`` (:class:`WebURLValidator`), the same rule the comment form's
website field applies on the way in (``advice.reader_fields.WebsiteField``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

WEB_SCHEMES = ("http", "https")


class WebURLValidator(URLValidator):
    """``URLValidator`` that accepts only ``http`` and ``https`` addresses
    (the stock one also takes ``ftp`` and ``ftps``). Raises
    ``ValidationError`` for anything else."""

    schemes = list(WEB_SCHEMES)


_validate = WebURLValidator()


def web_url(value: str | None) -> str:
    """``value`` as a link target when it is an absolute http or https
    address (:class:`WebURLValidator`: a scheme, ``//``, a valid host, no
    white space or control characters inside), with the scheme in lower case
    (RFC 3986, 3.1: schemes are case-insensitive, lower case is canonical), so
    ``HTTPS://Example.org/`` gives ``https://Example.org/``. Blanks around the
    value are ignored. Anything else gives ``""``: ``javascript:`` and
    ``data:`` in any case, a protocol-relative ``//host``, a bare host, a
    relative path, ``None``."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        _validate(text)
    except ValidationError:
        return ""
    scheme, rest = text.split(":", 1)
    if scheme.lower() not in WEB_SCHEMES:  # the validator checked; say it again here
        return ""
    return f"{scheme.lower()}:{rest}"
