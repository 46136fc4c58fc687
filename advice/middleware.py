"""A friendly answer when the database is locked or down.

:class:`DatabaseUnavailableMiddleware` turns a database error raised by a
view (SQLite "database is locked" after the busy timeout, PostgreSQL not
answering, a connection dropped mid-request) into HTTP 503 with a
``Retry-After`` header and a page that shows back, in read-only text boxes,
what the reader had typed (comment name, website and text, a question, note
blanks), so nothing they wrote is lost. The page is rendered without a
request context, so it never touches the database itself.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    ProgrammingError,
)
from django.http import HttpResponse
from django.template import loader

from notes.forms import blank_fields

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# Posted fields whose text a reader typed, with the label shown on the 503 page.
READER_TEXT_FIELDS = {
    "name": "Name",
    "url": "Website",
    "body": "Comment",
    "question": "Question",
}
_BUGS_NOT_OUTAGES = (IntegrityError, ProgrammingError, DataError, NotSupportedError)


def reader_text(post) -> list[tuple[str, str]]:
    """The reader's own text from ``post`` (a ``QueryDict`` or mapping of
    field name to str): ``[(label, text), ...]`` for the comment and
    question fields, then note blanks in order (the drafter's field names
    are :func:`notes.forms.blank_fields`'s). Blank values are left out;
    e-mail addresses and hidden fields are never included."""
    kept = [
        (label, post.get(name, ""))
        for name, label in READER_TEXT_FIELDS.items()
        if str(post.get(name, "")).strip()
    ]
    kept.extend((f"Note blank {n}", text) for n, text in blank_fields(post))
    return kept


def unavailable_response(request) -> HttpResponse:
    """The 503 page for ``request``: ``templates/503.html`` with the reader's
    text (:func:`reader_text` of the POST, if any), ``Retry-After`` in
    seconds and ``Cache-Control: no-store``."""
    kept = reader_text(request.POST) if request.method == "POST" else []
    html = loader.get_template("503.html").render(
        {"kept": kept, "site_name": settings.SITE_NAME, "retry_after": RETRY_AFTER_SECONDS}
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 (not 500) when a view raises a database error.

    Catches :class:`django.db.DatabaseError` (which covers ``OperationalError``
    and ``InternalError``) and :class:`django.db.InterfaceError`. Integrity,
    programming, data and not-supported errors are bugs, not outages, and
    still reach the 500 handler. Put it last in
    ``MIDDLEWARE`` so its ``process_exception`` runs first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError | InterfaceError):
            return None
        if isinstance(exception, _BUGS_NOT_OUTAGES):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return unavailable_response(request)
