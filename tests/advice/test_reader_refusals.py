"""Refusals in the site's own voice, the reader's text kept, the focus on the
field at fault (advice/reader_refusals.py), through the comment form and the
Ask form as readers send them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from advice.comments.forms import CommentForm
from advice.models import Comment, ReaderQuestion
from advice.questions.forms import AskForm
from advice.reader_refusals import has_visible_text, length_message, without_nul
from tests.advice.comments.posting import page_of, post


def autofocused(page: str) -> list[str]:
    """The names of the fields that carry ``autofocus`` in ``page``."""
    tags = re.findall(r"<(?:input|textarea|select)\b[^>]*>", page)
    return [re.search(r'name="([^"]+)"', tag).group(1) for tag in tags if " autofocus" in tag]


def test_length_message_has_thousands_separators():
    assert length_message("comment", 69599, 65525) == (
        "Your comment is 69,599 characters long; the limit is 65,525. Your text is kept below."
    )
    assert length_message("name", 246, 245) == (
        "Your name is 246 characters long; the limit is 245. Your text is kept below."
    )


@pytest.mark.parametrize(
    ("field", "limit", "noun"),
    [("name", 245, "name"), ("url", 200, "website address"), ("body", 65525, "comment")],
)
def test_comment_form_says_how_long_the_text_is(make_article, field, limit, noun):
    article = make_article()
    value = ("https://example.com/" + "u" * limit) if field == "url" else "ü" * (limit + 4)
    data = {"name": "Ana", "email": "ana@example.com", "body": "Hello", field: value}
    form = CommentForm(data, article=article)
    assert not form.is_valid()
    assert form.errors[field] == [length_message(noun, len(value), limit)]
    assert "Ensure this value" not in str(form.errors)


def test_comment_form_required_and_invalid_messages_are_the_sites(make_article):
    form = CommentForm(
        {"email": "not an address", "url": "ftp://x.example"}, article=make_article()
    )
    assert not form.is_valid()
    assert form.errors["name"] == ["Please fill in your name."]
    assert form.errors["body"] == ["Please fill in your comment."]
    assert "does not look like an e-mail address" in form.errors["email"][0]
    assert "starting with http:// or https://" in form.errors["url"][0]
    assert "This field is required." not in str(form.errors)
    assert "could not be checked" in form.errors["token"][0]  # a page without its token


def test_too_long_comment_is_refused_at_the_form_with_focus_on_it(client, make_article):
    article = make_article()
    body = "word " * 14000  # 70,000 characters, trimmed to 69,999
    response = post(client, article, body=body)
    page = page_of(response)
    assert response.status_code == 400
    assert "Your comment is 69,999 characters long; the limit is 65,525." in page
    assert body.strip() in page  # the text is kept
    assert autofocused(page) == ["body"]
    assert f'action="{reverse("advice:comment_post", args=[article.slug])}#respond"' in page
    assert Comment.objects.count() == 0


def test_first_field_at_fault_gets_the_focus(client, make_article):
    page = page_of(post(client, make_article(), name="", email="bad"))
    assert autofocused(page) == ["name"]


def test_too_fast_refusal_puts_the_focus_on_the_kept_comment(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = True
    article = make_article()
    token = CommentForm.token_for(timezone.now(), scope=article.pk)
    response = post(client, article, token=token, open_ms="400", body="Typed fast")
    page = page_of(response)
    assert response.status_code == 400
    assert "faster than a person can type" in page
    assert "Typed fast" in page
    assert autofocused(page) == ["body"]


def test_unrefused_form_has_no_autofocus(client, make_article):
    page = client.get(make_article().get_absolute_url()).content.decode()
    assert autofocused(page) == []


def ask_data(**fields):
    data = {
        "name": "",
        "email": "reader@example.com",
        "question": "How do I say thank you?",
        "token": AskForm.token_for(timezone.now() - timedelta(seconds=30)),
        "honeypot": "",
    }
    data.update(fields)
    return data


def test_too_long_question_is_refused_in_the_sites_voice(client, db):
    question = "q" * 5001
    response = client.post(reverse("advice:ask"), ask_data(question=question))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your question is 5,001 characters long; the limit is 5,000." in page
    assert question in page
    assert autofocused(page) == ["question"]
    assert ReaderQuestion.objects.count() == 0


def test_ask_form_messages(client, db):
    page = client.post(reverse("advice:ask"), ask_data(email="", question="")).content.decode()
    assert "Please fill in your e-mail address." in page
    assert "Please fill in your question." in page
    assert autofocused(page) == ["email"]


# --- NUL characters and text nobody can see -------------------------------------------


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("Thanks", True),
        ("\u200b\u200b", False),  # zero-width spaces
        ("\u200d\u200c\u2060\ufeff", False),  # ZWJ, ZWNJ, word joiner, byte-order mark
        (" \t\n\u00a0\u3000", False),  # whitespace, no-break and ideographic spaces
        ("\u00ad\u200e\u202e\u061c", False),  # soft hyphen, direction marks (Cf)
        ("\u3164\u115f\ufe0f\u034f", False),  # Hangul fillers, a variation selector, CGJ
        ("\x01\x7f", False),  # control characters
        ("\U0001f469\u200d\U0001f4bb", True),  # woman technologist: an emoji ZWJ sequence
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", True),  # Persian with a ZWNJ
        ("\u200b.\u200b", True),
    ],
    ids=[
        "word", "zwsp", "joiners-bom", "spaces", "marks", "fillers", "controls",
        "emoji-zwj", "persian-zwnj", "one-dot",
    ],
)  # fmt: skip
def test_visible_text_is_told_from_invisible(text, visible):
    assert has_visible_text(text) is visible


def test_nul_is_taken_out_of_every_value_sent_and_nothing_else():
    data = QueryDict(mutable=True)
    data.setlist("body", ["a\x00b", "\x00c"])
    data["token"] = "t"
    cleaned = without_nul(data, ["body", "name"])
    assert cleaned.getlist("body") == ["ab", "c"]
    assert cleaned["token"] == "t"
    assert data.getlist("body") == ["a\x00b", "\x00c"]  # the request's own data is left alone
    assert without_nul({"name": "A\x00na", "n": 3}, ["name", "n"]) == {"name": "Ana", "n": 3}


def test_nul_in_a_question_or_name_is_taken_out_and_stored(client, db):
    response = client.post(
        reverse("advice:ask"), ask_data(name="Bi\x00anca", question="nul\x00byte here")
    )
    assert response.status_code == 303
    stored = ReaderQuestion.objects.get()
    assert (stored.name, stored.question) == ("Bianca", "nulbyte here")


def test_nul_in_a_question_refused_for_another_reason_keeps_the_rest(client, db):
    response = client.post(
        reverse("advice:ask"), ask_data(question="nul\x00byte here", email="not an address")
    )
    page = page_of(response)
    assert response.status_code == 400
    assert "nulbyte here" in page
    assert "Null characters" not in page
    assert ReaderQuestion.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "says", "kept"),
    [
        ({"question": "\u200b\u200d \ufeff"}, "Your question has no visible text.", "\u200b\u200d"),
        ({"name": "\u2060\u200c"}, "Your name has no visible text.", "\u2060\u200c"),
    ],
    ids=["question", "name"],
)
def test_invisible_question_or_name_is_refused_and_kept(client, db, fields, says, kept):
    response = client.post(reverse("advice:ask"), ask_data(**fields))
    page = page_of(response)
    assert response.status_code == 400
    assert says in page
    assert kept in page
    assert ReaderQuestion.objects.count() == 0


def test_question_with_an_emoji_sequence_and_a_persian_word_is_stored_as_typed(client, db):
    question = "\U0001f469\u200d\U0001f4bb \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    response = client.post(reverse("advice:ask"), ask_data(question=question))
    assert response.status_code == 303
    assert ReaderQuestion.objects.get().question == question
