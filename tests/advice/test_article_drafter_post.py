"""An article answers its embedded drafter's post-back (no JavaScript): the
article again with the note filled in and its send time, ``no-store``,
nothing kept; a POST holding anything else is refused (advice/pages.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from advice.models import Comment
from notes.models import NoteTemplate
from tests.advice.comments.posting import post

BODY = "Hi, [name]!\n\nThanks for the [role] interview.\n\n[your name]"


@pytest.fixture
def article(make_article):
    NoteTemplate.objects.create(title="Thanks", slug="thanks", body=BODY)
    return make_article(answer="Write this:\n\n{{note:thanks}}\n\nGood luck.")


def plain_note(page: str) -> str:
    return re.search(r"<textarea[^>]*data-plain>(.*?)</textarea>", page, re.S).group(1)


def test_drafter_post_back_answers_with_the_article_and_the_filled_note(article):
    data = {
        "note": "thanks",
        "blank_1": "Dana",
        "blank_2": "PA",
        "ended_date": "2099-03-06",
        "ended_time": "16:30",
        "tz": "Europe/London",
        "action": "show",
    }
    # No CSRF token: the post-back changes nothing (as the standalone drafter's).
    response = Client(enforce_csrf_checks=True).post(article.get_absolute_url(), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert article.title in page
    assert "Good luck." in page
    assert plain_note(page).startswith("Hi, Dana!\n\nThanks for the PA interview.")
    assert "Monday 9 March 2099 at 09:00</strong> (Europe/London)" in page
    assert "Still blank: Your name." in page
    # Nothing kept: the next reader gets the empty drafter.
    assert "Dana" not in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"note": "thanks", "body": "a comment?"},
        {"note": "thanks", "blank_1": "Dana", "name": "Ana"},
        {"blank_1": "Dana"},
        {"note": ""},
    ],
)
def test_other_posts_to_an_article_are_refused(client, article, data):
    response = client.post(article.get_absolute_url(), data)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert Comment.objects.count() == 0


def test_post_for_a_note_not_on_the_page_shows_the_article(client, article):
    response = client.post(article.get_absolute_url(), {"note": "other", "blank_1": "Dana"})
    assert response.status_code == 200
    assert "Dana" not in response.content.decode()


def drafter_action(page: str) -> str:
    return re.search(r'<form class="drafter-form"[^>]*\saction="([^"]*)"', page).group(1)


@pytest.mark.parametrize("refusal", ["too_fast", "no_name"])
def test_the_drafter_on_a_refused_comment_page_posts_back_to_the_article(article, refusal):
    """The refused comment is shown again at ``/articles/<slug>/comments/``;
    the drafter on that page still posts to the article, where its fields
    are welcome (not to the comment address: a 400 there, a 403 with
    JavaScript), without a CSRF token."""
    client = Client(enforce_csrf_checks=True)  # a reader without state: no CSRF token needed
    fields = {"open_ms": "100"} if refusal == "too_fast" else {"name": ""}
    refused = post(client, article, body="My comment", **fields)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "My comment" in page
    action = drafter_action(page)
    assert action == f"{article.get_absolute_url()}#drafter-thanks"
    assert f'name="back" value="{article.get_absolute_url()}"' in page

    response = Client(enforce_csrf_checks=True).post(
        action.split("#")[0],
        {"note": "thanks", "blank_1": "Dana", "blank_2": "PA", "action": "show"},
    )
    assert response.status_code == 200
    assert plain_note(response.content.decode()).startswith(
        "Hi, Dana!\n\nThanks for the PA interview."
    )
