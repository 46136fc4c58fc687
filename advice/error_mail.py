"""Someone hears about errors: unexpected errors are mailed to ``ADMINS``
through the mail queue, at most one message a minute.

:class:`QueuedAdminEmailHandler` stands where Django's ``AdminEmailHandler``
stands in its default logging (the ``django`` logger, level ERROR, only
when ``DEBUG`` is off: ``LOGGING`` in ``config/settings.py``), so it hears
what Django logs for an unhandled exception or any 5xx answer
(``django.request``). Unlike Django's handler it sends nothing during the
request: the message is queued (:func:`advice.mailqueue.mail_enqueue`) and
the worker sends it with retries, like every other mail of the site.

A storm of errors is one message per ``ERROR_MAIL_INTERVAL_SECONDS``
(default 60), not thousands: the first error of a window is mailed, the
others only counted, and the next message says how many were not mailed.
The window and the count live in the shared cache (Redis in production, so
the limit holds across app servers; local memory counts per process).
When the cache fails, each process falls back to its own window, and
leaves the cache alone for a while like every other use of it
(:mod:`config.cache`: a Redis that never answers costs one timeout per
``CACHE_RETRY_AFTER`` seconds, not one per error).

The message carries the log message, the request's method and path and
the traceback; never the request's body or cookies (a reader's text and
e-mail, a session).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback

WINDOW_KEY = "error-mail:window"
SUPPRESSED_KEY = "error-mail:suppressed"
DEFAULT_INTERVAL = 60  # seconds between two error mails
SUBJECT_MAX_CHARS = 200

_local = threading.Lock()
_local_window_ends = 0.0  # time.monotonic(): this process's own window, when the cache fails
_local_suppressed = 0


def _interval() -> int:
    from django.conf import settings

    return int(getattr(settings, "ERROR_MAIL_INTERVAL_SECONDS", DEFAULT_INTERVAL))


def error_mail_claim() -> int | None:
    """Whether an error now may be mailed: the number of errors not mailed
    since the last message (0 or more) when this one opens a new window,
    ``None`` when a message went out less than the interval ago (this error
    is then counted for the next message)."""
    from django.core.cache import cache

    from config.cache import cache_available, cache_failed

    interval = _interval()
    if not cache_available():  # resting after a failure (config.cache's one policy)
        return _local_claim(interval)
    try:
        if not cache.add(WINDOW_KEY, 1, interval):
            cache.add(SUPPRESSED_KEY, 0, None)
            cache.incr(SUPPRESSED_KEY)
            return None
        suppressed = cache.get(SUPPRESSED_KEY) or 0
        cache.set(SUPPRESSED_KEY, 0, None)
        return suppressed
    except Exception:  # the cache is down: this process's own window
        cache_failed("error-mail claim", WINDOW_KEY)
        return _local_claim(interval)


def _local_claim(interval: float) -> int | None:
    global _local_window_ends, _local_suppressed
    with _local:
        now = time.monotonic()
        if now < _local_window_ends:
            _local_suppressed += 1
            return None
        _local_window_ends = now + interval
        suppressed, _local_suppressed = _local_suppressed, 0
        return suppressed


def error_report(record: logging.LogRecord, suppressed: int) -> tuple[str, str]:
    """``(subject, body)`` of the message for ``record``: the log message,
    the request's method and path when the record has a request, the
    traceback, and ``suppressed`` (errors not mailed since the last message)."""
    from django.conf import settings

    from advice.mail import one_line

    message = record.getMessage()
    subject = one_line(f"{settings.EMAIL_SUBJECT_PREFIX}{record.levelname}: {message}")
    lines = [message, ""]
    request = getattr(record, "request", None)
    if request is not None:
        lines.append(f"Request: {request.method} {request.get_full_path()[:2000]}")
    lines.append(f"Logger: {record.name}, at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    if suppressed:
        lines.append(
            f"{suppressed} more error(s) since the last message were not mailed "
            f"(at most one message every {_interval()} seconds); see the logs."
        )
    if record.exc_info:
        lines += ["", "".join(traceback.format_exception(*record.exc_info))]
    return subject[:SUBJECT_MAX_CHARS], "\n".join(lines)


class QueuedAdminEmailHandler(logging.Handler):
    """A logging handler that queues a message to ``ADMINS`` for each record
    it is given, limited as the module says. Does nothing when ``ADMINS``
    is empty. Never raises into the code that logged."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from django.conf import settings

            from advice.mail import manager_addresses
            from advice.mailqueue import mail_enqueue, mail_message

            to = manager_addresses(settings.ADMINS)
            if not to:
                return
            suppressed = error_mail_claim()
            if suppressed is None:
                return
            subject, body = error_report(record, suppressed)
            mail_enqueue(
                mail_message(
                    subject=subject,
                    body=body,
                    to=to,
                    from_email=settings.SERVER_EMAIL,
                    label="an error report to ADMINS",
                )
            )
        except Exception:  # logging must never break the request that logged
            self.handleError(record)
