"""Fixtures for the note drafter: a small note template factory."""

from __future__ import annotations

import itertools

import pytest

from notes.models import NoteTemplate

_counter = itertools.count(1)


@pytest.fixture
def make_note(db):
    def make(**fields) -> NoteTemplate:
        n = next(_counter)
        fields.setdefault("title", f"Note {n}")
        fields.setdefault("slug", f"note-{n}")
        fields.setdefault("subject", "Thanks: the [role] job")
        fields.setdefault(
            "body",
            "Hi, [name]!\n\nThanks for the [role] interview.\n\nBig fan of [show?].\n\n[your name]",
        )
        return NoteTemplate.objects.create(**fields)

    return make
