"""The blanks syntax: parsing and filling, as tables."""

from __future__ import annotations

import json

import pytest

from notes.blanks import (
    BlankSyntaxError,
    blank_key,
    fill,
    fill_lines,
    merge_blanks,
    missing_blanks,
    parse,
)


def blanks_of(template: str) -> list[tuple[str, bool]]:
    return [(b.key, b.required) for b in parse(template).blanks]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hi, [name]!", [("name", True)]),
        ("[your name]", [("your name", True)]),
        ("[Your  Name] and [your name]", [("your name", True)]),
        ("[NAME], [name] and [Name]", [("name", True)]),
        ("a fan of [show?]", [("show", False)]),
        ("[show ?] [ show? ]", [("show", False)]),
        ("[show?] and later [show]", [("show", True)]),
        ("the [whatever] position with [underling]", [("whatever", True), ("underling", True)]),
        ("see [the site](https://example.com) now", []),
        ("see [the site](https://example.com/a_(b)) now", []),
        ("see [the site][1] or [this][]\n\n[1]: https://example.com", []),
        ("shortcut [ref] link\n[Ref]: https://example.com", []),
        ("a literal \\[bracket\\] here", []),
        ("a lone ] bracket", []),
        ("a backslash \\ stays", []),
        ("[name] wrote [text](http://x) to [you]", [("name", True), ("you", True)]),
        ("Ünïcode [Имя] and [имя]", [("имя", True)]),
        ("", []),
    ],
)
def test_parse_finds_blanks(template, expected):
    assert blanks_of(template) == expected


@pytest.mark.parametrize(
    ("template", "line", "column", "words"),
    [
        ("Hi, [name", 1, 5, "never closed"),
        ("ok\nsecond [line\nthird]", 2, 8, "never closed"),
        ("empty [] here", 1, 7, "empty blank"),
        ("empty [ ? ] here", 1, 7, "empty blank"),
        ("[" + "x" * 41 + "]", 1, 1, "at most 40"),
        ("nested [a [b] c]", 1, 11, "inside a blank"),
    ],
)
def test_parse_errors_say_where(template, line, column, words):
    with pytest.raises(BlankSyntaxError) as caught:
        parse(template)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in str(error)
    assert str(error).startswith(f"Line {line}, column {column}:")


def test_forty_character_name_is_fine():
    assert blanks_of("[" + "x" * 40 + "]") == [("x" * 40, True)]


def test_blank_key_folds_case_and_space():
    assert blank_key("  Your \t Name ") == "your name"


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("Hi, [name]!", {"name": "Ann"}, "Hi, Ann!"),
        ("Hi, [Name]! Bye, [NAME].", {"name": "Ann"}, "Hi, Ann! Bye, Ann."),
        ("Hi, [name]!", {}, "Hi, [name]!"),
        ("Hi, [name]!", {"name": "   "}, "Hi, [name]!"),
        ("Hi, [name]!", {"name": "  Ann  "}, "Hi, Ann!"),
        ("Hi, [name]!", {"name": "two\nlines"}, "Hi, two lines!"),
        # Typed text is never a template: it comes out literally.
        ("Hi, [name]!", {"name": "{{ secret }}"}, "Hi, {{ secret }}!"),
        ("Hi, [name]!", {"name": "{% now 'Y' %}"}, "Hi, {% now 'Y' %}!"),
        ("Hi, [name]!", {"name": "<b>Ann</b> & co"}, "Hi, <b>Ann</b> & co!"),
        ("Hi, [name]!", {"name": "[other]"}, "Hi, [other]!"),
        ("{{ name }} [name]", {"name": "Ann"}, "{{ name }} Ann"),
        ("a \\[b\\] [c]", {"c": "C"}, "a [b] C"),
        ("see [docs](http://x)", {}, "see [docs](http://x)"),
        # Optional lines.
        ("A\nfan of [show?].\nB", {}, "A\nB"),
        ("A\nfan of [show?].\nB", {"show": "Lost"}, "A\nfan of Lost.\nB"),
        ("A\n\nfan of [show?].\n\nB", {}, "A\n\nB"),
        ("A\n\nfan of [show?].", {}, "A"),
        ("fan of [show?].\n\nB", {}, "B"),
        ("A\n\n[x?] and [y?]\n\nB", {"y": "Y"}, "A\n\n[x?] and Y\n\nB"),
        ("A\n\n[x?]\n[y?]\n\nB", {}, "A\n\nB"),
        ("[name], fan of [show?]", {"name": "Ann"}, ""),
        ("Hello\r\n[name]", {"name": "Ann"}, "Hello\nAnn"),
    ],
)
def test_fill(template, values, expected):
    assert fill(parse(template), values) == expected


def test_fill_marks_filled_and_empty_segments():
    lines = fill_lines(parse("Hi, [name] and [other]!"), {"name": "Ann"})
    assert [(s.text, s.state) for s in lines[0]] == [
        ("Hi, ", "text"),
        ("Ann", "filled"),
        (" and ", "text"),
        ("[other]", "empty"),
        ("!", "text"),
    ]


def test_missing_blanks_lists_required_ones_only():
    parsed = parse("[a] [b?] [c]")
    assert [b.key for b in missing_blanks(parsed.blanks, {"c": "x"})] == ["a"]


def test_subject_and_body_blanks_merge():
    body, subject = parse("[name] [show?]"), parse("[Show] about [role]")
    merged = merge_blanks(body, subject)
    assert [(b.key, b.required) for b in merged] == [
        ("name", True),
        ("show", True),
        ("role", True),
    ]


def test_parsed_pieces_serialise_to_json():
    parsed = parse("Hi [Name]!\n[show?]")
    assert json.loads(json.dumps(parsed.to_json())) == [
        {"text": "Hi "},
        {"blank": "name", "optional": False, "source": "[Name]"},
        {"text": "!"},
        {"newline": True},
        {"blank": "show", "optional": True, "source": "[show?]"},
    ]


def test_labels_come_from_the_first_occurrence():
    assert [b.label for b in parse("[your name] [Show?]").blanks] == ["Your name", "Show"]


def test_a_line_of_unclosed_link_parentheses_is_read_once():
    """Hostile input: ``[a](`` repeated used to rescan the rest of the line
    for every ``(`` (quadratic: 16,000 characters took 29 s). The pairs of a
    line are now found in one pass, whatever the number of ``(``."""
    from notes import blanks

    blanks._paren_pairs.cache_clear()
    parsed = blanks.parse("[a](" * 4000 + "\nHi, [name]!")
    assert blanks._paren_pairs.cache_info().misses == 1  # one pass for the hostile line
    assert "name" in [blank.key for blank in parsed.blanks]
