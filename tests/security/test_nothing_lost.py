"""Nothing a reader typed is lost: every refusal shows their text back in
the form, and a locked or unreachable database answers a friendly 503 page
that shows it too.

Refusals are checked field by field: the page is parsed with
``html.parser`` and each input's value / text area's text must equal what
was typed exactly (markup, ampersands, accents, right-to-left text, line
breaks). The database outages are real: a SQLite file held by another
connection's ``BEGIN EXCLUSIVE``, a SQLite file in a folder that does not
exist, and a PostgreSQL port nobody listens on, each in a subprocess
(``tests/security/db_outage_probe.py``) running the site's own settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.comments.forms import form_token
from advice.models import Article, Comment, ReaderQuestion
from advice.questions.forms import QUESTION_MAX_CHARS, ask_token

# Seconds each (servers, threads or large inputs): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parent.parent.parent
PROBE = Path(__file__).with_name("db_outage_probe.py")

NAME = "Zoë <b>O'Brien</b> & \u05e9\u05dc\u05d5\u05dd"
WEBSITE = "https://example.com/a?b=1&c=<2>"
BODY = 'Thanks! <script>alert("x")</script> &amp; more…\n\nSecond line \u202eRTL'
QUESTION = "How do I say no? <i>politely</i> & firmly\n\n— Ana"


class FormValues(HTMLParser):
    """The values a page's form shows: ``{name: value}`` for inputs and
    text areas (text areas by their text, as a browser fills them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        if tag == "textarea":
            self._textarea = attrs.get("name") or attrs.get("id") or ""
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea] += data


def form_values(response) -> dict[str, str]:
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser.values


def shown_text(value: str) -> str:
    """A text area drops one leading newline; line breaks come back as LF."""
    return value.removeprefix("\n").replace("\r\n", "\n")


# --- Comment refusals ----------------------------------------------------------------


def _comment_fields(article, **overrides) -> dict[str, str]:
    fields = {
        "name": NAME,
        "email": "zoe@example.com",
        "url": WEBSITE,
        "body": BODY,
        "token": form_token(article.pk, timezone.now() - timedelta(seconds=30)),
    }
    fields.update(overrides)
    return fields


def _closed(client, article):
    Article.objects.filter(pk=article.pk).update(comment_status=Article.CommentStatus.CLOSED)
    return _comment_fields(article), 403


def _flood(client, article):
    first = _comment_fields(article, body="An earlier comment")
    assert client.post(_comment_url(article), first).status_code == 303
    return _comment_fields(article), 429


def _duplicate(client, article):
    Comment.objects.create(
        article=article, author_name=NAME, author_email="zoe@example.com", body=BODY,
        created_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    return _comment_fields(article), 409


def _too_long(client, article):
    return _comment_fields(article, body=BODY + "x" * 65_525), 400


def _bad_signature(client, article):
    return _comment_fields(article, token="eyJ0IjoxfQ:forged:signature"), 400


def _honeypot(client, article):
    return _comment_fields(article, honeypot="https://spam.example/"), 400


COMMENT_REFUSALS = {
    "closed": _closed,
    "flood": _flood,
    "duplicate": _duplicate,
    "too long": _too_long,
    "bad signature": _bad_signature,
    "honeypot": _honeypot,
}


def _comment_url(article) -> str:
    return reverse("advice:comment_post", args=[article.slug])


@pytest.mark.parametrize("path", COMMENT_REFUSALS)
def test_refused_comment_shows_the_readers_text_back(client, make_article, path):
    article = make_article()
    fields, status = COMMENT_REFUSALS[path](client, article)
    stored = Comment.objects.count()
    response = client.post(_comment_url(article), fields)
    assert response.status_code == status
    shown = form_values(response)
    if path == "closed":  # no form to send again: the text is kept to copy
        assert shown_text(shown["kept-comment"]) == fields["body"]
        assert Comment.objects.count() == stored
        return
    assert shown["name"] == NAME
    assert shown["url"] == WEBSITE
    assert shown["email"] == "zoe@example.com"
    assert shown_text(shown["body"]) == fields["body"]
    assert shown.get("honeypot", "") == ""  # the reader can send it again as is
    assert Comment.objects.count() == stored


# --- Question refusals ----------------------------------------------------------------


def _ask_fields(**overrides) -> dict[str, str]:
    fields = {
        "name": NAME,
        "email": "zoe@example.com",
        "question": QUESTION,
        "token": ask_token(timezone.now() - timedelta(seconds=30)),
    }
    fields.update(overrides)
    return fields


ASK_REFUSALS = {
    "flood": (lambda client: client.post(reverse("advice:ask"), _ask_fields()), {}, 429),
    "too long": (None, {"question": QUESTION + "x" * QUESTION_MAX_CHARS}, 400),
    "bad signature": (None, {"token": "eyJ0IjoxfQ:forged:signature"}, 400),
    "honeypot": (None, {"honeypot": "https://spam.example/"}, 400),
}


@pytest.mark.parametrize("path", ASK_REFUSALS)
def test_refused_question_shows_the_readers_text_back(client, db, path):
    before, overrides, status = ASK_REFUSALS[path]
    if before:
        assert before(client).status_code == 303
    stored = ReaderQuestion.objects.count()
    fields = _ask_fields(**overrides)
    response = client.post(reverse("advice:ask"), fields)
    assert response.status_code == status
    shown = form_values(response)
    assert shown["name"] == NAME
    assert shown_text(shown["question"]) == fields["question"]
    assert ReaderQuestion.objects.count() == stored


# --- The database locked or down ---------------------------------------------------------


def run_probe(mode: str, env: dict[str, str], tmp_path: Path) -> dict:
    """Run ``db_outage_probe.py MODE`` with the site's settings and ``env``;
    returns its JSON report (request name → status, Retry-After, page)."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "TEST_DATABASE_NAME"}
    }
    full_env.update(env, DJANGO_SETTINGS_MODULE="config.settings", COMMENTS_TIMING_RULES="0")
    result = subprocess.run(
        [sys.executable, str(PROBE), mode, str(tmp_path)],
        cwd=PROJECT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_friendly_503_keeps(report: dict, expected: dict[str, str]) -> None:
    assert report["status"] == 503, report
    assert report["retry_after"] == "30"
    assert "back in a moment" in report["html"].lower()
    parser = FormValues()
    parser.feed(report["html"])
    kept = sorted(shown_text(v) for k, v in parser.values.items() if k.startswith("kept-"))
    assert kept == sorted(expected.values()), (kept, expected)
    assert "readonly" in report["html"]
    assert "zoe@example.com" not in report["html"]  # the e-mail is not echoed


EXPECTED = {
    "comment": {"name": NAME, "url": WEBSITE, "body": BODY},
    "question": {"name": NAME, "question": QUESTION},
    "drafter": {"blank_1": "Dana <Lee>", "blank_2": "writers’ PA & co"},
}


def test_locked_sqlite_database_answers_503_and_keeps_the_text(tmp_path):
    """Another connection holds ``BEGIN EXCLUSIVE`` on the SQLite file; the
    site's writes wait out a short busy timeout and fail: 503, text kept.
    Reads still work (WAL), so the drafter, which writes nothing, answers."""
    reports = run_probe("locked", {"SQLITE_PATH": str(tmp_path / "site.sqlite3")}, tmp_path)
    assert_friendly_503_keeps(reports["comment"], EXPECTED["comment"])
    assert_friendly_503_keeps(reports["question"], EXPECTED["question"])
    assert reports["drafter"]["status"] == 200
    assert reports["article"]["status"] == 200


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"SQLITE_PATH": "/nonexistent/folder/site.sqlite3"}, id="sqlite-no-folder"),
        pytest.param(
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/advice"}, id="postgresql-no-server"
        ),
    ],
)
def test_database_down_answers_503_and_keeps_the_text(tmp_path, env):
    reports = run_probe("down", env, tmp_path)
    for name, expected in EXPECTED.items():
        assert_friendly_503_keeps(reports[name], expected)
    assert reports["article"]["status"] == 503
    assert reports["healthz"]["status"] == 503
