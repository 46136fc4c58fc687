"""Fixtures for the reader-question tests: editors to tell, a 15 s flood
limit, and a valid Ask form POST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advice.questions.forms import ask_token


@pytest.fixture(autouse=True)
def managers(db, settings):
    settings.MANAGERS = [("Editors", "editors@example.com")]
    settings.COMMENTS_FLOOD_SECONDS = 15


def valid_ask_data(**fields) -> dict:
    """A valid POST for /ask/, its token made 10 seconds ago."""
    data = {
        "name": "Bianca",
        "email": "bianca@example.com",
        "question": "Should I send a thank-you note after a phone screen?",
        "consent_to_publish": "on",
        "honeypot": "",
        "token": ask_token(timezone.now() - timedelta(seconds=10)),
    }
    data.update(fields)
    return data


@pytest.fixture
def ask_data():
    """:func:`valid_ask_data`: call with fields to change."""
    return valid_ask_data
