"""The signed-form guard shared by the comment and Ask forms: one message
table, one base form (honeypot, signed time token, refusals, refresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django import forms

from advice.comments.forms import CommentForm
from advice.questions.forms import AskForm
from advice.signed_forms import (
    SignedForm,
    TokenProblem,
    form_token_make,
    form_token_problem,
    honeypot_message,
    open_seconds,
    token_message,
    token_window,
    token_window_end,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class NoteForm(SignedForm):
    """A small form built on the guard, as the comment and Ask forms are."""

    token_salt = "tests.note-form"
    refused_thing = "note"
    fields_message = "Please correct the note."

    text = forms.CharField(max_length=10)


def _data(**fields) -> dict:
    token = NoteForm.token_for(NOW - timedelta(minutes=1))
    data = {"text": "hello", "honeypot": "", "token": token}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_one_message_table_gives_each_form_its_words():
    assert honeypot_message("comment").startswith("Your comment could not be accepted")
    assert honeypot_message("question").startswith("Your question could not be accepted")
    assert "(it may belong to another page or have been changed)" in token_message(
        TokenProblem.BAD, scoped=True
    )
    assert "(it may have been changed)" in token_message(TokenProblem.BAD, scoped=False)
    for problem in (TokenProblem.OLD, TokenProblem.FAST):
        assert token_message(problem, scoped=True) == token_message(problem, scoped=False)


def test_token_problems_by_age_signature_and_scope():
    made = form_token_make(salt="s", now=NOW - timedelta(seconds=30), scope=3)
    rules = {"salt": "s", "now": NOW, "min_age": 2, "max_age": 7200, "scope": 3}
    assert form_token_problem(made, **rules) is None
    assert form_token_problem(made, **{**rules, "scope": 4}) == TokenProblem.BAD
    assert form_token_problem(made, **{**rules, "salt": "other"}) == TokenProblem.BAD
    assert form_token_problem(made, **{**rules, "min_age": 60}) is None  # no time reported
    assert form_token_problem(made, **{**rules, "opened": 1.9}) == TokenProblem.FAST
    assert form_token_problem(made, **{**rules, "opened": 2.0}) is None
    assert form_token_problem(made, **{**rules, "max_age": 10}) == TokenProblem.OLD
    assert form_token_problem(made, **{**rules, "max_age": 10, "timing": False}) is None
    assert form_token_problem(made, **{**rules, "opened": 0, "timing": False}) is None


def test_everyone_in_one_window_gets_the_same_token(settings):
    """The token is the same bytes for every reader in a window (the page can
    be cached whole); the next window's differs."""
    settings.COMMENTS_SIGNATURE_MAX_AGE = 7200
    assert token_window() == 900
    start = datetime(2026, 3, 1, 12, 15, tzinfo=UTC)  # a window's first second
    tokens = {
        form_token_make(salt="s", now=start + timedelta(seconds=s), scope=3) for s in (0, 1, 899)
    }
    assert len(tokens) == 1
    assert form_token_make(salt="s", now=start + timedelta(seconds=900), scope=3) not in tokens
    assert token_window_end(start + timedelta(seconds=899)) == int(start.timestamp()) + 900


def test_expiry_counts_from_the_windows_start(settings):
    """A form lasts at least the maximum age less one window, at most the
    maximum age: "expired" still holds for a shared token."""
    settings.COMMENTS_SIGNATURE_MAX_AGE = 7200
    start = datetime(2026, 3, 1, 12, 15, tzinfo=UTC)
    late_in_window = form_token_make(salt="s", now=start + timedelta(seconds=899))
    rules = {"salt": "s", "min_age": 2, "max_age": 7200}
    assert form_token_problem(late_in_window, now=start + timedelta(seconds=7200), **rules) is None
    expired_at = start + timedelta(seconds=7201)
    assert form_token_problem(late_in_window, now=expired_at, **rules) == TokenProblem.OLD


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("2500", 2.5), ("0", 0.0), ("", None), (None, None), ("-5", None), ("1e9", None),
     ("١٢", None), ("9" * 16, None), (" 30 ", 0.03)],
)  # fmt: skip
def test_open_time_is_read_leniently(raw, seconds):
    assert open_seconds(raw) == seconds


def test_a_good_form_passes():
    form = NoteForm(_data(), now=NOW)
    assert form.is_valid(), form.errors
    assert form.refusal_message() == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"honeypot": "x"}, honeypot_message("note")),
        ({"token": "forged"}, token_message(TokenProblem.BAD, scoped=False)),
        ({"token": None}, token_message(TokenProblem.BAD, scoped=False)),
        ({"open_ms": "1500"}, token_message(TokenProblem.FAST, scoped=False)),
        ({"text": "far too long for it"}, "Please correct the note."),
    ],
)
def test_refusals_say_why_guard_first(fields, message):
    form = NoteForm(_data(**fields, **({} if "text" in fields else {"text": "x" * 50})), now=NOW)
    assert not form.is_valid()
    assert form.refusal_message() == message


def test_another_forms_token_does_not_pass():
    form = NoteForm(_data(token=AskForm.token_for(NOW - timedelta(minutes=1))), now=NOW)
    assert not form.is_valid()
    assert form.refusal_message() == token_message(TokenProblem.BAD, scoped=False)


def test_a_fresh_token_passes_without_a_reported_open_time():
    """No JavaScript, no too-fast check: the shared token cannot tell."""
    form = NoteForm(_data(token=NoteForm.token_for(NOW)), now=NOW)
    assert form.is_valid(), form.errors


def test_refresh_gives_a_fresh_token_and_empty_honeypot_and_keeps_the_text():
    form = NoteForm(_data(honeypot="x", token="forged", text="kept", open_ms="10"), now=NOW)
    assert not form.is_valid()
    form.refresh_token()
    assert form.data["text"] == "kept"
    assert form.data["honeypot"] == ""
    assert form.data["open_ms"] == ""  # the page's script measures again
    assert (
        NoteForm.token_refusal(
            form.data["token"], now=NOW + timedelta(minutes=1), min_age=2, max_age=7200
        )
        is None
    )


def test_unbound_form_carries_a_token_for_now():
    form = NoteForm(now=NOW)
    assert form.fields["token"].initial == NoteForm.token_for(NOW)
    form.refresh_token()  # nothing to refresh
    assert not form.is_bound


def test_comment_and_ask_forms_build_on_the_guard_with_their_own_salts():
    assert issubclass(CommentForm, SignedForm)
    assert issubclass(AskForm, SignedForm)
    assert CommentForm.token_salt == "advice.comments.form-token"
    assert AskForm.token_salt == "advice.questions.ask-token"
    assert CommentForm.refused_thing == "comment"
    assert AskForm.refused_thing == "question"
