from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def returning(make_comment, make_article):
    """Make ``email`` a returning commenter (one approved comment elsewhere)."""

    def make(email="ana@example.com"):
        yesterday = timezone.now() - timedelta(days=1)
        make_comment(make_article(), author_email=email, created_at=yesterday)

    return make
