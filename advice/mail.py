"""E-mail the site sends, from templates, through one helper.

This module owns how the site sends mail (docs/architecture.md, ``mail.py``):

- Each message is two plain-text templates, ``templates/<app>/email/<name>_subject.txt``
  and ``templates/<app>/email/<name>.txt``, rendered without HTML escaping
  (it is plain text, not a page). The subject is flattened to one line, so a
  reader's name or a title cannot inject mail headers.
- Links in a message are absolute URLs from ``settings.SITE_URL``
  (:func:`config.site.site_url`), never from a request: mail is also sent
  where there is no request, and a request's ``Host`` is the sender's to
  choose.
- Nothing is sent in a request: :func:`mail_send` renders the message at
  once (the data is at hand) and queues it to leave if and only if the
  transaction commits (:mod:`advice.mailqueue`: on the database backend its
  row is written in that transaction); a worker sends it, with retries. One failure
  policy: a failure to render, queue or send is logged; none ever raises
  into the request that caused the mail.

Senders: :func:`advice.comments.moderation.comment_held_notify` (a held
comment), :mod:`advice.questions.services` (a new reader question to
``MANAGERS``; "your question is answered" to the asker). A new kind of mail
is a template pair and one :func:`mail_send` call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template

from advice.mailqueue import mail_enqueue_on_commit, mail_message

logger = logging.getLogger(__name__)


def one_line(text: str) -> str:
    """``text`` fit for a mail header: line breaks, control and other
    non-printable characters become spaces and runs of blanks one space (a
    newline in a subject would be refused as header injection)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _render(name: str, context: Mapping[str, Any]) -> str:
    """The template ``name`` rendered as plain text (no autoescaping)."""
    template = get_template(name).template  # the engine's own Template
    return template.render(Context(dict(context), autoescape=False))


def mail_render(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """``(subject, body)`` of the message ``template`` (e.g.
    ``"advice/email/question_answered"``): ``<template>_subject.txt``
    flattened to one line and ``<template>.txt`` as it renders. Raises
    ``TemplateDoesNotExist`` or whatever rendering raises."""
    subject = one_line(_render(f"{template}_subject.txt", context))
    body = _render(f"{template}.txt", context)
    return subject, body


def manager_addresses(managers) -> list[str]:
    """The addresses of ``managers`` (Django's ``MANAGERS`` shape:
    ``[(name, address), ...]``, or plain addresses)."""
    return [m[1] if isinstance(m, (tuple, list)) else m for m in managers or []]


def mail_send(
    *,
    template: str,
    context: Mapping[str, Any],
    to: Sequence[str] = (),
    managers: bool = False,
    headers: Mapping[str, str] | None = None,
    label: str = "",
) -> bool:
    """Render ``template`` (:func:`mail_render`) with ``context`` now and
    queue it for the worker if and only if the current transaction commits
    (at once outside one; :func:`advice.mailqueue.mail_enqueue_on_commit`):
    from ``DEFAULT_FROM_EMAIL`` to the addresses ``to`` or, with ``managers``, as Django's
    ``mail_managers`` would (to ``MANAGERS``, from ``SERVER_EMAIL``, subject
    prefixed with ``EMAIL_SUBJECT_PREFIX``). ``headers`` are extra mail
    headers (e.g. ``List-Unsubscribe``); the ``Message-ID`` is made here.

    Never raises: a failure to render is logged with its traceback ("Could
    not send <label>"; ``label`` defaults to the template's name) and
    answered ``False``, as is a message with nobody to send it to. Returns
    ``True`` when the message is queued, or will be at commit (a failure to
    queue is logged by :func:`advice.mailqueue.task_enqueue`)."""
    label = label or f"the e-mail {template}"
    try:
        subject, body = mail_render(template, context)
        from_email = settings.DEFAULT_FROM_EMAIL
        if managers:
            to = manager_addresses(settings.MANAGERS)
            subject = f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"
            from_email = settings.SERVER_EMAIL
        if not to:
            logger.warning("%s has no recipient; not sent", label)
            return False
        message = mail_message(
            subject=subject,
            body=body,
            to=to,
            from_email=from_email,
            headers=headers,
            label=label,
        )
    except Exception:  # any mail failure must not reach the reader's request
        logger.exception("Could not send %s", label)
        return False
    mail_enqueue_on_commit(message)
    return True
