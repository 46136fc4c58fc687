"""Readable labels and help for the blanks of a note made from a quoted
note (pure)."""

from __future__ import annotations

import pytest

from advice.quoted_notes.labels import blank_labels, plain_name


@pytest.mark.parametrize(
    ("name", "plain"),
    [("whatever", "Whatever"), ("your_name", "Your name"), ("job-title?", "Job title"),
     ("  two   words ", "Two words")],
)  # fmt: skip
def test_plain_name(name, plain):
    assert plain_name(name) == plain


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ("Thanks for the [whatever] position.", "Whatever (the job title)"),
        ("About the [thing] role we discussed.", "Thing (the job title)"),
        ("Dear [person],", "Person (whom you write to)"),
        ("It was great meeting you and [underling].", "Underling (someone else you met)"),
        ("I liked [topic] a lot.", "Topic"),
        # A name that says what it is gets no hint.
        ("Hi [their_name],", "Their name"),
    ],
)
def test_label_says_what_the_blank_stands_for_from_the_words_around_it(body, label):
    [settings] = blank_labels(body).values()
    assert settings["label"] == label


def test_help_quotes_the_words_around_the_blank_once_per_blank():
    labels = blank_labels(
        "One two three four five six seven [x] eight nine ten eleven twelve thirteen fourteen\n"
        "Again [x]."
    )
    assert labels == {
        "x": {
            "label": "X",
            "help": "In the note: “…two three four five six seven ___ eight nine ten eleven "
            "twelve thirteen…”",
        }
    }


def test_text_that_cannot_be_parsed_gives_no_labels():
    assert blank_labels("An [unclosed blank") == {}
