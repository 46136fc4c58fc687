"""The mail queue: every e-mail leaves through a worker, never a request.

This module owns how a message travels once it is written
(docs/architecture.md, ``mailqueue.py``); :mod:`advice.mail` writes it.

- :func:`mail_message` makes the message a task can carry: plain values
  only (subject, body, sender, recipients, extra headers) and a
  ``Message-ID`` made now, at enqueue time, so every attempt sends the same
  one and a retry can be recognised by whoever receives it twice.
- :func:`mail_enqueue_on_commit` queues it so that it is sent if and only
  if the current database transaction commits, so the worker never mails
  about rows that were rolled back, and its links work when the mail
  arrives (:func:`task_enqueue_on_commit`, which
  :mod:`advice.comments.notify` uses for its task too). On the default
  backend, django-tasks-db, the queue is a table in the same database: the
  task's row is written inside the transaction, so it commits with the
  rows it is about, in the same commit (no second write transaction per
  request, and nothing lost if the process dies between the commit and
  Django's ``on_commit`` hooks). Any other backend (a broker, or
  ``ImmediateBackend``, which runs the task at once) is called from
  ``transaction.on_commit``. Outside a transaction the task is queued at
  once. A failure to queue (a locked database, a broker that is down) is
  logged, never raised: inside a transaction the row is written in a
  savepoint of its own, so the failure rolls back that row alone and the
  reader's comment is stored all the same.
- :data:`mail_deliver` is the task (django-tasks, ``TASKS`` in
  ``config/settings.py``) the worker (``manage.py db_worker``) runs: it
  hands the message to ``EMAIL_BACKEND``. django-tasks does not retry a
  failed task, so a transient failure (connection refused, timeout, a 4xx
  reply) queues the next attempt itself, ``run_after`` a delay that doubles
  from ``MAIL_RETRY_SECONDS`` up to an hour (:func:`retry_delay`), at most
  ``MAIL_SEND_ATTEMPTS`` attempts in all; each failed attempt is logged and
  recorded as a failed task. A permanent refusal (a 5xx reply, RFC 5321
  section 4.2.1) is not retried.

Delivery is at least once: a message is queued in the database (the
default backend) before any attempt, and an attempt is marked done only
after the mail server accepted it, so a worker that stops loses nothing; a
server that accepts a message but drops the connection before saying so
may get it twice, under one ``Message-ID``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from datetime import timedelta
from email.utils import make_msgid
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)

RETRY_DELAY_MAX = 60 * 60  # seconds: the longest wait between two attempts


def message_id_new() -> str:
    """A new, globally unique ``Message-ID`` (``<...@host>``, RFC 5322), its
    host part the host of ``SITE_URL`` (never a DNS lookup of this machine's
    name, which can be slow)."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def mail_message(
    *,
    subject: str,
    body: str,
    to: Sequence[str],
    from_email: str | None = None,
    headers: Mapping[str, str] | None = None,
    label: str = "an e-mail",
) -> dict[str, Any]:
    """The message as a task carries it, a JSON-ready dict: ``subject``
    (one line), ``body`` (plain text), ``from_email`` (default
    ``DEFAULT_FROM_EMAIL``), ``to`` (addresses), ``headers`` (extra header
    name -> value, e.g. ``List-Unsubscribe``), ``message_id`` (new, see
    :func:`message_id_new`), ``attempt`` (1) and ``label`` (what the logs
    call it, e.g. "the held-comment e-mail for comment 7")."""
    return {
        "subject": subject,
        "body": body,
        "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(to),
        "headers": dict(headers or {}),
        "message_id": message_id_new(),
        "attempt": 1,
        "label": label,
    }


def queue_database(job: Task) -> str | None:
    """The database alias ``job``'s queue table is written to when its
    backend is django-tasks-db (its ``DBTaskResult`` model, through the
    database routers), else ``None`` (the queue is elsewhere)."""
    if not isinstance(job.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.models import DBTaskResult  # only with that backend

    return router.db_for_write(DBTaskResult)


def task_waiting(job: Task) -> bool:
    """Whether ``job`` is already queued and not yet started (database
    backend; other backends cannot say, and answer False). A queue that
    cannot be read answers False too (logged)."""
    if queue_database(job) is None:
        return False
    from django_tasks_db.models import DBTaskResult  # only with that backend

    try:
        return DBTaskResult.objects.filter(status="READY", task_path=job.module_path).exists()
    except Exception:  # a queue that fails must not fail the caller
        logger.exception("Could not read the queue for %s", job.module_path)
        return False


def task_enqueue(job: Task, *args: Any, what: str) -> bool:
    """Queue ``job`` with ``args`` (JSON-ready values) now. Never raises: a
    failure is logged with its traceback ("Could not queue <what>") and
    answered ``False``.

    Inside a transaction on the queue's own database (django-tasks-db), the
    row is written in a savepoint of its own: a failure to write it rolls
    back that savepoint alone, and the caller's transaction goes on (on
    PostgreSQL a failed statement would otherwise abort it). When even that
    savepoint cannot be rolled back (the connection died: Django then marks
    the whole transaction for rollback), the error is raised: the caller's
    rows will not commit, and answering as if they had would lose them
    (a comment acknowledged but never stored)."""
    alias = queue_database(job)
    in_transaction = alias is not None and connections[alias].in_atomic_block
    try:
        with transaction.atomic(using=alias) if in_transaction else nullcontext():
            job.enqueue(*args)
    except Exception:  # a queue that fails must not fail the caller...
        if in_transaction and connections[alias].needs_rollback:
            raise  # ...unless the caller's own transaction is lost with it
        logger.exception("Could not queue %s", what)
        return False
    return True


def task_enqueue_on_commit(job: Task, *args: Any, what: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Queue ``job`` with ``args`` if and only if the current transaction on
    the database ``using`` commits; at once outside a transaction. Never
    raises (see :func:`task_enqueue`; ``what`` names the task in the log).

    When ``job``'s queue is a table in that same database (django-tasks-db),
    its row is written now, inside the transaction: it commits or rolls
    back with the caller's rows, in one commit, and no worker can see it
    before that commit. Any other backend is called from
    ``transaction.on_commit``, as a broker cannot join the transaction."""
    if queue_database(job) == using and connections[using].in_atomic_block:
        task_enqueue(job, *args, what=what)
    else:
        transaction.on_commit(partial(task_enqueue, job, *args, what=what), using=using)


def _what(message: Mapping[str, Any]) -> str:
    """How the log names ``message`` when it cannot be queued."""
    return f"{message.get('label')} (Message-ID {message.get('message_id')}): it is not sent"


def mail_enqueue(message: Mapping[str, Any], *, delay: float = 0) -> bool:
    """Queue ``message`` (:func:`mail_message`) for the worker now, to run
    after ``delay`` seconds when the backend can defer (the database backend
    can; django-tasks' ImmediateBackend runs it at once). Never raises: a
    failure is logged with the message's label and ``Message-ID`` and
    answered ``False`` (:func:`task_enqueue`)."""
    job = mail_deliver
    try:
        if delay > 0 and job.get_backend().supports_defer:
            job = job.using(run_after=timezone.now() + timedelta(seconds=delay))
    except Exception:  # a backend that cannot be loaded must not fail the caller
        logger.exception("Could not queue %s", _what(message))
        return False
    return task_enqueue(job, dict(message), what=_what(message))


def mail_enqueue_on_commit(message: Mapping[str, Any]) -> None:
    """Queue ``message`` so that it is sent if and only if the current
    transaction commits (at once when there is none): written with the
    transaction on the database backend, else queued when it commits
    (:func:`task_enqueue_on_commit`)."""
    task_enqueue_on_commit(mail_deliver, dict(message), what=_what(message))


def retry_delay(attempt: int, first: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...):
    ``first``, then twice as long each time, at most an hour."""
    return min(first * 2 ** (attempt - 1), RETRY_DELAY_MAX)


def is_permanent(error: BaseException) -> bool:
    """Whether sending again cannot help: the mail server refused with a 5xx
    reply (for every recipient), or the failure is not a network or SMTP
    error at all (a bad message). Connection failures, timeouts and 4xx
    replies are transient (RFC 5321, section 4.2.1)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)  # smtplib's errors and timeouts are OSErrors


def _send(message: Mapping[str, Any]) -> None:
    """Hand ``message`` to ``EMAIL_BACKEND`` under its own ``Message-ID``;
    raises whatever the backend raises."""
    EmailMessage(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers={**message["headers"], "Message-ID": message["message_id"]},
    ).send(fail_silently=False)


@task()
def mail_deliver(message: dict[str, Any]) -> str:
    """Send ``message`` (:func:`mail_message`); returns its ``Message-ID``.

    On a transient failure, queues attempt ``attempt + 1`` after
    :func:`retry_delay` seconds (while fewer than ``MAIL_SEND_ATTEMPTS``
    were made), logs a warning and raises the error, so this attempt is
    recorded as failed. A permanent failure, or the last attempt, is logged
    as an error ("Could not send <label> ... giving up") and raised.
    """
    try:
        _send(message)
    except Exception as error:
        attempt, attempts = message["attempt"], settings.MAIL_SEND_ATTEMPTS
        where = f"{message['label']} (Message-ID {message['message_id']})"
        if is_permanent(error) or attempt >= attempts:
            logger.error(
                "Could not send %s: attempt %d of %d failed (%s); giving up",
                *(where, attempt, attempts, error),
            )
            raise
        delay = retry_delay(attempt, settings.MAIL_RETRY_SECONDS)
        logger.warning(
            "Could not send %s: attempt %d of %d failed (%s); trying again in %d s",
            *(where, attempt, attempts, error, delay),
        )
        mail_enqueue({**message, "attempt": attempt + 1}, delay=delay)
        raise
    logger.info("Sent %s (Message-ID %s)", message["label"], message["message_id"])
    return message["message_id"]
