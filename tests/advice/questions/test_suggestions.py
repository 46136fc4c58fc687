"""The Ask page's "answers that may already fit": only answers that share a
meaningful word with the question where they say what they are about."""

from __future__ import annotations

import pytest

from advice.demo import demo_load
from advice.questions.services import answer_suggestions

THANKS = "thank-you-note-after-a-phone-screen"
FOLLOW_UP = "how-long-to-wait-before-following-up"
BOSS = "my-boss-takes-credit-for-my-coverage"


@pytest.fixture
def demo(db):
    demo_load()


def slugs(text: str) -> list[str]:
    return [article.slug for article in answer_suggestions(text)]


@pytest.mark.parametrize(
    "question",
    [
        "thank you note",
        "How do I write a thank-you note after an interview?",
        "Should I send a thank you note after a phone screen",
        "Is a thank-you note after a job interview worth it? What should it say?",
    ],
)
def test_a_thank_you_note_question_is_not_offered_the_boss_article(demo, question):
    found = slugs(question)
    assert THANKS in found
    assert BOSS not in found


def test_the_boss_article_fits_a_question_about_credit(demo):
    assert slugs("My producer takes credit for my script coverage") == [BOSS]


def test_two_words_of_the_readers_question_are_enough(demo):
    assert FOLLOW_UP in slugs("Is it pushy to write again after two weeks of silence?")


def test_stop_words_alone_suggest_nothing(demo, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert slugs("should I do it or not?") == []


def test_ask_suggest_answers_the_kept_articles_as_json(client, demo):
    response = client.get("/ask/suggest/", {"q": "How do I write a thank-you note?"})
    results = response.json()["results"]
    assert [r["url"] for r in results] == [f"/articles/{THANKS}/"]
