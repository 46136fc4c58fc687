"""Fixtures shared by the search tests: the seed post as imported from its
WordPress export, with its readers' comments."""

from __future__ import annotations

import pytest

from advice.models import Article, Comment
from advice.wordpress.importer import wxr_import
from tests.conftest import corpus_path

SEED_SLUG = "post-interview-thank-you-note"


@pytest.fixture
def seed(db, make_article, make_comment) -> Article:
    """The seed post imported from its WXR export (three approved comments;
    "follow-up" is only in the third), beside unrelated articles, one of
    which has "follow-up" only in a held comment."""
    wxr_import(corpus_path("seed", "post-interview-thank-you-note.wxr.xml"))
    for n in range(4):
        make_article(title=f"Commuting question {n}", answer="Take the early train.")
    other = make_article(title="Desk plants", answer="A fern survives anything.")
    make_comment(other, body="Any follow-up on the cactus?", status=Comment.Status.PENDING)
    return Article.objects.get(slug=SEED_SLUG)
