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
- One failure policy: a failure to render or send is logged and answered
  ``False``; it never raises into the request that caused the mail. The SMTP
  backend waits at most ``EMAIL_TIMEOUT`` seconds (``config/settings.py``).

Senders: :func:`advice.comments.moderation.comment_held_notify` (a held
comment), :mod:`advice.questions.services` (a new reader question to
``MANAGERS``; "your question is answered" to the asker).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import mail_managers, send_mail
from django.template import Context
from django.template.loader import get_template

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


def mail_send(
    *,
    template: str,
    context: Mapping[str, Any],
    to: Sequence[str] = (),
    managers: bool = False,
    label: str = "",
) -> bool:
    """Render ``template`` (:func:`mail_render`) with ``context`` and send it
    from ``DEFAULT_FROM_EMAIL`` to the addresses ``to``, or, with
    ``managers``, to ``MANAGERS`` (Django's ``mail_managers``: from
    ``SERVER_EMAIL``, subject prefixed with ``EMAIL_SUBJECT_PREFIX``).

    Sends at once: a caller inside a transaction wraps the call in
    ``transaction.on_commit`` so the links work when the mail arrives.
    Never raises: a failure (template, data, mail server, timeout) is logged
    with its traceback ("Could not send <label>"; ``label`` defaults to the
    template's name) and answered ``False``. Returns ``True`` when the
    message was handed to the mail backend."""
    try:
        subject, body = mail_render(template, context)
        if managers:
            mail_managers(subject, body)
            return bool(settings.MANAGERS)
        if not to:
            logger.warning("%s has no recipient; not sent", label or f"The e-mail {template}")
            return False
        return bool(send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(to)))
    except Exception:  # any mail failure must not reach the reader's request
        logger.exception("Could not send %s", label or f"the e-mail {template}")
        return False
