"""Run by ``test_nothing_lost.py`` in a subprocess: the site, with its own
settings, while its database is locked or down.

Usage: ``python db_outage_probe.py locked|down TMP_DIR`` with
``DJANGO_SETTINGS_MODULE`` and the database variables set by the caller.

- ``locked``: ``SQLITE_PATH`` names a fresh file; it is migrated, given an
  article and a note template, then a second connection takes ``BEGIN
  EXCLUSIVE`` and the site's busy timeout is shortened to 0.2 s (the
  setting's own knob, so the test does not wait 20 s).
- ``down``: the database cannot be reached at all (a SQLite file in a
  folder that does not exist, or a PostgreSQL port nobody listens on).

Prints one JSON line: request name → ``{"status", "retry_after", "html"}``
for a comment, a question, a drafter post-back, the article page and
``/healthz``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys

import django


def main(mode: str) -> None:
    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    settings.DEBUG = False
    slug, note_slug, article_pk = "locked-article", "thanks", 1
    lock = None
    if mode == "locked":
        call_command("migrate", verbosity=0, interactive=False)
        from advice.models import Article
        from notes.models import NoteTemplate

        article = Article.objects.create(
            title="Locked", slug=slug, question="Q?", answer="A.",
            status=Article.Status.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
        article_pk = article.pk
        NoteTemplate.objects.create(title="Thanks", slug=note_slug, body="Hi [name], [role].")
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = 0.2  # seconds
        lock = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")

    from advice.comments.forms import form_token
    from advice.questions.forms import ask_token
    from tests.security.test_nothing_lost import BODY, NAME, QUESTION, WEBSITE

    client = Client(raise_request_exception=False)
    now = timezone.now()
    requests = {
        "comment": (
            "post",
            f"/articles/{slug}/comments/",
            {"name": NAME, "email": "zoe@example.com", "url": WEBSITE, "body": BODY,
             "token": form_token(article_pk, now)},
        ),
        "question": (
            "post",
            "/ask/",
            {"name": NAME, "email": "zoe@example.com", "question": QUESTION,
             "token": ask_token(now)},
        ),
        "drafter": (
            "post",
            f"/notes/{note_slug}/",
            {"blank_1": "Dana <Lee>", "blank_2": "writers’ PA & co", "tz": "UTC"},
        ),
        "article": ("get", f"/articles/{slug}/", None),
        "healthz": ("get", "/healthz", None),
    }  # fmt: skip
    report = {}
    for name, (method, path, data) in requests.items():
        response = getattr(client, method)(path, data or {})
        report[name] = {
            "status": response.status_code,
            "retry_after": response.get("Retry-After"),
            "html": response.content.decode("utf-8", "replace"),
        }
    if lock is not None:
        lock.rollback()
        lock.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
