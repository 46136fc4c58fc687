"""Finding the quoted fill-in note in an answer's Markdown (pure)."""

from __future__ import annotations

import pytest

from advice.quoted_notes.extract import build_subject, extract_note, find_quotes
from notes.blanks import fill, parse

# What the seed post's answer becomes as Markdown (the seed post: its
# quoted note is one quote of three paragraphs; then a one-line quote).
SEED_ANSWER = (
    "Yes, it’s perfectly okay to send a quick email after the interview. In my "
    "experience, it probably won’t do much good one way or the other.\n\n"
    "On the other hand, if two interviewees really are about the same, a thank you "
    "note might be enough to push the odds in your favor.\n\n"
    "I usually write something like this:\n\n"
    "> Hi, [name]!\n"
    ">\n"
    "> I just wanted to say thanks for interviewing me for the [whatever] position. "
    "I enjoyed meeting you and [underling], and hope to work with you in the future.\n"
    ">\n"
    "> [your name]\n\n"
    "If you’re interviewing for a TV series, it might be worth throwing in a comment "
    "about the show itself–\n\n"
    "> I’m a big fan of [show], and I’m excited about this opportunity.\n\n"
    "I wouldn’t send the email immediately after an interview; that strikes me as a "
    "little weird. I’d wait until the end of the day or, if the interview was at the "
    "end of the day, the next morning."
)

SEED_BODY = (
    "Hi, [name]!\n\n"
    "I just wanted to say thanks for interviewing me for the [whatever] position. "
    "I enjoyed meeting you and [underling], and hope to work with you in the future.\n\n"
    "I’m a big fan of [show?], and I’m excited about this opportunity.\n\n"
    "[your name]"
)


def test_seed_answer_becomes_a_template_with_an_optional_show_line():
    extracted = extract_note(SEED_ANSWER, slug="seed")
    assert extracted.body == SEED_BODY
    assert extracted.subject == "Thank you: [whatever] position"
    parsed = parse(extracted.body)
    assert [(b.key, b.required) for b in parsed.blanks] == [
        ("name", True),
        ("whatever", True),
        ("underling", True),
        ("show", False),
        ("your name", True),
    ]
    assert "leave out the line" in extracted.blank_settings["show"]["help"]
    without_show = fill(parsed, {"name": "Ann", "whatever": "PA", "underling": "Bo"})
    assert "big fan" not in without_show
    assert "future.\n\n[your name]" in without_show


def test_seed_answer_gets_the_marker_in_place_of_the_quotes():
    answer = extract_note(SEED_ANSWER, slug="seed").answer
    assert ">" not in answer
    assert "I usually write something like this:\n\n{{note:seed}}\n\nIf you’re" in answer
    # The sentence that introduced the removed quote no longer hangs on a dash.
    assert (
        "a comment about the show itself: the note above has an optional line for it."
        "\n\nI wouldn’t send"
    ) in answer
    assert "itself–" not in answer
    assert answer.startswith("Yes, it’s perfectly okay")


def test_the_introducing_sentence_becomes_the_optional_blanks_help():
    help_text = extract_note(SEED_ANSWER, slug="seed").blank_settings["show"]["help"]
    assert help_text.startswith(
        "If you’re interviewing for a TV series, it might be worth throwing in a comment "
        "about the show itself. Optional: leave it empty to leave out the line “I’m a big fan"
    )


def test_a_paragraph_ending_in_a_full_stop_before_an_extra_quote_is_kept_as_it_is():
    text = "> Hi [name]\n\nSome add a line.\n\n> P.S. [extra]\n\nEnd."
    answer = extract_note(text, slug="n").answer
    assert answer == "{{note:n}}\n\nSome add a line.\n\nEnd."


def test_seed_blanks_get_readable_labels_and_the_words_around_them():
    settings = extract_note(SEED_ANSWER, slug="seed").blank_settings
    labels = {key: value["label"] for key, value in settings.items()}
    assert labels == {
        "name": "Name",
        "whatever": "Whatever (the job title)",
        "underling": "Underling (someone else you met)",
        "show": "Show",
        "your name": "Your name",
    }
    assert settings["name"]["help"] == "In the note: “Hi, ___!”"
    assert settings["whatever"]["help"] == (
        "In the note: “…thanks for interviewing me for the ___ position. I enjoyed meeting "
        "you and…”"
    )
    assert "help" not in settings["your name"]  # alone on its line: nothing around it


def test_no_quote_with_blanks_gives_none():
    assert extract_note("No quote here. [name] outside a quote.", slug="x") is None
    assert extract_note("> A quote with a [link](http://example.com).", slug="x") is None
    assert extract_note("> An [unclosed quote", slug="x") is None
    assert extract_note("", slug="x") is None


def test_quotes_in_fenced_code_are_ignored():
    text = "```\n> [name] in code\n```\n\n> Real [name]"
    extracted = extract_note(text, slug="n")
    assert extracted.body == "Real [name]"
    assert extracted.answer == "```\n> [name] in code\n```\n\n{{note:n}}"


def test_lazy_continuation_and_soft_wraps_join_one_paragraph():
    quotes = find_quotes("Intro\n\n> Dear [name],\nthanks for\n> the talk.\n\nAfter")
    assert quotes[0].paragraphs == ("Dear [name], thanks for the talk.",)


def test_hard_breaks_are_kept_and_escapes_undone():
    extracted = extract_note("> Thanks,  \n> [your name] \\*and\\* \\[co\\]", slug="n")
    assert extracted.body == "Thanks,\n[your name] *and* \\[co\\]"
    assert fill(parse(extracted.body), {"your name": "Sam"}) == "Thanks,\nSam *and* [co]"


def test_quote_directly_after_a_paragraph_gets_blank_lines_around_the_marker():
    extracted = extract_note("Try this:\n> Hi [name]\n\nBye.", slug="n")
    assert extracted.answer == "Try this:\n\n{{note:n}}\n\nBye."
    # A line right after a quoted paragraph continues it (Markdown's lazy line).
    assert extract_note("> Hi [name]\nBye.", slug="n").body == "Hi [name] Bye."


def test_extra_line_goes_last_when_there_is_no_sign_off():
    text = "> Dear [name], this is a long closing paragraph with many words.\n\n> P.S. [extra]"
    extracted = extract_note(text, slug="n")
    assert extracted.body.endswith("\n\nP.S. [extra?]")


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        ("Thanks for the [role] job talk.", "Thank you: [role] job"),
        ("Thank you, [name].", "Thank you"),
        ("Just following up on my [job title] application.", "Following up"),
        ("Hello [name].", ""),
    ],
)
def test_build_subject(body, subject):
    assert build_subject(body) == subject
