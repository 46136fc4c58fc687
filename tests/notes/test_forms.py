"""The drafter's blank field names, owned by notes.forms: named once, and
found in a POST by the same rule (pure, no database)."""

from __future__ import annotations

from django.http import QueryDict

from notes.forms import BLANK_FIELD_PREFIX, blank_field_name, blank_field_number, blank_fields


def test_blank_field_names_number_from_one_and_read_back():
    assert [blank_field_name(i) for i in range(3)] == ["blank_1", "blank_2", "blank_3"]
    assert blank_field_name(0).startswith(BLANK_FIELD_PREFIX)
    assert blank_field_number(blank_field_name(41)) == 42
    for name in ("blank_", "blank_x", "blank_12345", "xblank_1", "blank_1x", "tz", "body"):
        assert blank_field_number(name) is None, name


def test_blank_fields_of_a_post_are_the_filled_blanks_in_order():
    post = QueryDict(mutable=True)
    post.update({"blank_10": "Ten", "blank_2": "Two", "blank_3": "  ", "tz": "UTC"})
    post.update({"blank_1": "One", "body": "A comment", "blank_99999": "too long a number"})
    assert blank_fields(post) == [(1, "One"), (2, "Two"), (10, "Ten")]
    assert blank_fields({}) == []
