"""``{% articles_embedding note as articles %}``: the published articles
whose answer embeds a note template, for the standalone note page
(``templates/notes/notetemplate_detail.html``). The tag lives in ``advice``
because ``notes`` knows nothing about articles (docs/architecture.md)."""

from __future__ import annotations

from django import template

from advice.models import Article
from notes.markers import marker_slugs

register = template.Library()

MAX_ARTICLES = 20  # listed on the note page; the newest first


@register.simple_tag
def articles_embedding(note) -> list[Article]:
    """Published articles (newest first, at most :data:`MAX_ARTICLES`)
    whose answer has the marker of ``note`` (a ``NoteTemplate``). One
    query; the marker is checked again in Python because ``contains`` is
    case-insensitive on SQLite."""
    articles = (
        Article.objects.published()
        .embedding_note(note.slug)
        .only("title", "slug", "answer_html", "published_at")[:MAX_ARTICLES]
    )
    return [a for a in articles if note.slug in marker_slugs(a.answer_html)]
