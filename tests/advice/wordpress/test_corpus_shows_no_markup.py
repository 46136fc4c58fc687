"""Issue 13's acceptance over the whole corpus: after importing the seed and
every corpus export that imports, no entity or tag shows as text in an
article's title or in a comment's name or text, unless the source itself
shows it as text (WordPress's escaped ``&amp;lt;p&amp;gt;`` reads ``<p>``)."""

from __future__ import annotations

from html import unescape

import pytest
from django.utils.html import strip_tags

from advice.models import Article, Comment
from advice.wordpress.importer import wxr_import
from tests.advice.wordpress.test_export_round_trip import CORPUS_FILES, NOT_WELL_FORMED
from tests.advice.wordpress.test_wordpress_made_export import (
    FIXTURE,
    MARKUP_AS_TEXT,
    text_of,
)
from tests.conftest import corpus_path

pytestmark = pytest.mark.django_db

FILES = [corpus_path(folder, name) for folder, name in CORPUS_FILES if name not in NOT_WELL_FORMED]


def shown_by_source(source: str) -> set[str]:
    """What the WordPress source itself shows as markup-looking text: the
    matches in the text a browser would show for it."""
    return {m.group(0).lower() for m in MARKUP_AS_TEXT.finditer(unescape(strip_tags(source)))}


@pytest.mark.parametrize("path", [*FILES, FIXTURE], ids=lambda p: p.name)
def test_titles_names_and_comments_show_no_markup_as_text(path, client):
    wxr_import(path)
    assert Article.objects.exists() or Comment.objects.exists()
    for article in Article.objects.all():
        found = {m.group(0).lower() for m in MARKUP_AS_TEXT.finditer(article.title)}
        assert found <= shown_by_source(article.title), (article.wp_id, article.title)
    for comment in Comment.objects.all():
        name = {m.group(0).lower() for m in MARKUP_AS_TEXT.finditer(comment.author_name)}
        assert not name, (comment.wp_id, comment.author_name)
        if comment.body_html:
            shown = {
                m.group(0).lower()
                for m in MARKUP_AS_TEXT.finditer(text_of(comment.body_shown_html))
            }
            assert shown <= shown_by_source(comment.body), (comment.wp_id, comment.body[:200])
