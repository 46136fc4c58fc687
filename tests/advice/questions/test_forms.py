"""The Ask form: its fields and its guards (honeypot, signed token)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advice.models import ReaderQuestion
from advice.questions.forms import MSG_FIELDS, AskForm, ask_token, check_ask_token
from advice.signed_forms import TokenProblem, honeypot_message, token_message

MSG_HONEYPOT = honeypot_message("question")
MSG_TOKEN_BAD = token_message(TokenProblem.BAD, scoped=False)
MSG_TOKEN_OLD = token_message(TokenProblem.OLD, scoped=False)
MSG_TOKEN_FAST = token_message(TokenProblem.FAST, scoped=False)


def test_token_is_checked_for_signature_and_age():
    now = timezone.now()
    made = ask_token(now - timedelta(seconds=30))
    rules = {"min_age": 2, "max_age": 7200}
    assert check_ask_token(made, now=now, **rules) is None
    assert check_ask_token(made + "x", now=now, **rules) == MSG_TOKEN_BAD
    assert check_ask_token("", now=now, **rules) == MSG_TOKEN_BAD
    assert check_ask_token(ask_token(now), now=now, opened=0.5, **rules) == MSG_TOKEN_FAST
    assert check_ask_token(ask_token(now), now=now, **rules) is None  # no time reported
    old = ask_token(now - timedelta(hours=3))
    assert check_ask_token(old, now=now, **rules) == MSG_TOKEN_OLD
    assert check_ask_token(old, now=now, timing=False, **rules) is None


def test_ask_form_refusals_keep_their_wording():
    assert MSG_HONEYPOT == (
        "Your question could not be accepted: a field that people leave empty was filled "
        "in. Your text is kept below."
    )
    assert MSG_TOKEN_BAD == (
        "This form could not be checked (it may have been changed). Your text is kept "
        "below; please send it again."
    )


def test_missing_token_is_refused_as_bad_and_field_errors_point_at_the_fields(ask_data):
    without_token = {k: v for k, v in ask_data().items() if k != "token"}
    form = AskForm(without_token)
    assert not form.is_valid()
    assert form.refusal_message() == MSG_TOKEN_BAD
    form = AskForm(ask_data(email="not an address"))
    assert not form.is_valid()
    assert form.refusal_message() == MSG_FIELDS


def test_question_longer_than_5000_characters_is_refused_and_kept(client, ask_data):
    text = "Why? " * 1001
    response = client.post("/ask/", ask_data(question=text))
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0
    assert "Why? Why?" in response.content.decode()


def test_question_of_exactly_5000_characters_is_accepted(client, ask_data):
    response = client.post("/ask/", ask_data(question="x" * 5000))
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"honeypot": "http://spam.example"}, MSG_HONEYPOT),
        ({"token": "forged"}, MSG_TOKEN_BAD),
        ({"token": None}, MSG_TOKEN_BAD),
        ({"token": ask_token(timezone.now() - timedelta(hours=3))}, MSG_TOKEN_OLD),
    ],
)
def test_bots_are_refused_and_text_kept(client, ask_data, fields, message):
    data = {k: v for k, v in ask_data(**fields).items() if v is not None}
    response = client.post("/ask/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0
    assert message.replace("'", "&#x27;") in page
    assert "thank-you note after a phone screen" in page


def test_form_sent_too_fast_is_refused(client, ask_data):
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now()), open_ms="500"))
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0


def test_timing_rules_can_be_turned_off(client, settings, ask_data):
    settings.COMMENTS_TIMING_RULES = False
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now()), open_ms="500"))
    assert response.status_code == 303


def test_signature_min_age_setting_is_honoured(client, settings, ask_data):
    settings.COMMENTS_SIGNATURE_MIN_AGE = 0
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now()), open_ms="500"))
    assert response.status_code == 303


@pytest.mark.parametrize("field", ["name", "question"])
def test_nul_character_is_taken_out_of_the_text(client, ask_data, field):
    response = client.post("/ask/", ask_data(**{field: "Hi\x00there"}))
    assert response.status_code == 303
    assert getattr(ReaderQuestion.objects.get(), field) == "Hithere"


def test_nul_character_in_an_email_is_taken_out_before_it_is_checked(client, ask_data):
    response = client.post("/ask/", ask_data(email="bianca@exam\x00ple.com"))
    assert response.status_code == 303
    assert ReaderQuestion.objects.get().email == "bianca@example.com"
    refused = client.post("/ask/", ask_data(email="Hi\x00there", question="Kept after the NUL?"))
    assert refused.status_code == 400
    assert "Kept after the NUL?" in refused.content.decode()
