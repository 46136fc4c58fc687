"""The comment form and its signed timestamp (:mod:`advice.comments.forms`),
without a database."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing

from advice.comments.forms import CommentForm, form_token
from advice.signed_forms import TokenProblem, token_message

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
MSG_TOKEN_BAD = token_message(TokenProblem.BAD, scoped=True)
MSG_TOKEN_OLD = token_message(TokenProblem.OLD, scoped=True)
MSG_TOKEN_FAST = token_message(TokenProblem.FAST, scoped=True)


# --- signed timestamp -------------------------------------------------------------


def _check(token, *, article_id=7, now=NOW, timing=True, opened=None):
    return CommentForm.token_refusal(
        token, scope=article_id, now=now, min_age=2, max_age=7200, timing=timing, opened=opened
    )


def test_form_token_of_a_minute_ago_is_good():
    assert _check(form_token(7, NOW - timedelta(minutes=1))) is None


def test_form_token_too_fast_or_too_old_is_refused():
    # Too fast is what the reader's browser reports (open_ms), not the shared token's time.
    assert _check(form_token(7, NOW - timedelta(seconds=1))) is None
    assert _check(form_token(7, NOW), opened=1.5) == MSG_TOKEN_FAST
    assert _check(form_token(7, NOW), opened=2.5) is None
    assert _check(form_token(7, NOW - timedelta(hours=2, seconds=1))) == MSG_TOKEN_OLD


def test_form_token_age_is_not_checked_with_timing_rules_off():
    assert _check(form_token(7, NOW), timing=False, opened=0) is None
    assert _check(form_token(7, NOW - timedelta(days=3)), timing=False) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJhIjo3fQ:forged:signature",
        signing.dumps({"a": 7, "t": 1}, salt="another-salt"),
        signing.dumps([7, 1], salt="advice.comments.form-token"),
        signing.dumps({"a": "7", "t": "x"}, salt="advice.comments.form-token"),
        "\x00" * 50,
        "é" * 5000,
    ],
)
def test_form_token_forged_or_malformed_is_refused(token):
    assert _check(token, timing=False) == MSG_TOKEN_BAD


def test_form_token_of_another_article_is_refused():
    assert _check(form_token(8, NOW - timedelta(minutes=1))) == MSG_TOKEN_BAD


def test_tampered_form_token_is_refused():
    token = form_token(7, NOW - timedelta(minutes=1))
    payload, rest = token.split(":", 1)
    forged = signing.b64_encode(b'{"a":7,"t":1}').decode() + ":" + rest
    assert forged != token
    assert _check(forged, timing=False) == MSG_TOKEN_BAD


# --- the form ----------------------------------------------------------------------------


@dataclass
class FakeArticle:
    pk: int = 7


def _form(user=None, **fields):
    data = {
        "name": "Ana",
        "email": "ana@example.com",
        "url": "",
        "body": "Hello",
        "token": form_token(7, NOW - timedelta(minutes=1)),
    }
    data.update(fields)
    return CommentForm(data, article=FakeArticle(), user=user, now=NOW)


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 245), ("email", 100), ("url", 200), ("body", 65525)]
)
def test_field_limits_at_the_boundary(field, limit):
    def value(n):
        if field == "email":
            return "a" * (n - len("@example.com")) + "@example.com"
        if field == "url":
            return "https://example.com/" + "a" * (n - len("https://example.com/"))
        return "é" * n

    assert len(value(limit)) == limit
    assert _form(**{field: value(limit)}).is_valid()
    refused = _form(**{field: value(limit + 1)})
    assert not refused.is_valid()
    assert field in refused.errors


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/", "data:text/html,hi", "http://", "x y"]
)
def test_website_must_be_http_or_https(url):
    form = _form(url=url)
    assert not form.is_valid()
    assert "url" in form.errors


def test_website_without_scheme_becomes_https():
    form = _form(url="example.com/me")
    assert form.is_valid()
    assert form.comment_data().url == "https://example.com/me"


def test_browser_line_breaks_are_stored_as_typed():
    form = _form(body="one\r\ntwo\r\n\r\nthree")
    assert form.is_valid()
    assert form.comment_data().body == "one\ntwo\n\nthree"


def test_lone_surrogates_are_refused():
    form = _form(body="lone \ud800 surrogate")
    assert not form.is_valid()


def test_nul_bytes_are_taken_out():
    form = _form(body="nul \x00 byte", name="a\x00b")
    assert form.is_valid()
    assert (form.comment_data().body, form.comment_data().name) == ("nul  byte", "ab")


def test_honeypot_filled_is_refused_with_a_reason():
    form = _form(honeypot="http://spam.example")
    assert not form.is_valid()
    assert "people leave empty" in form.refusal_message()


def test_email_is_required_for_readers():
    form = _form(email="")
    assert not form.is_valid()
    assert "email" in form.errors


@pytest.mark.parametrize("parent", ["abc", "-1", "0", "1.5", str(2**70)])
def test_parent_must_be_a_comment_id(parent):
    form = _form(parent=parent)
    assert not form.is_valid()
    assert "replied to" in form.refusal_message()
