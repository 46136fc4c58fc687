"""Make a note template from an article's quoted fill-in note.

:func:`article_make_note_template` does the work (called by the admin action
:func:`make_note_template` and usable from a shell or command); the finding
and rewriting is the pure :func:`advice.quoted_notes.extract.extract_note`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from advice.models import Article
from advice.quoted_notes.extract import extract_note
from advice.slugs import free_slug
from notes.markers import marker_line
from notes.models import NoteTemplate


@transaction.atomic
def article_make_note_template(*, article: Article) -> NoteTemplate | None:
    """Create a note template from ``article``'s quoted fill-in note and put
    the marker ``{{note:<slug>}}`` in the answer in place of the quote(s).

    The template takes the article's title and slug (``-2``… when taken),
    the end-of-day send rule and help for its optional blanks. Returns the
    new template, or ``None`` (nothing changed) when the answer quotes no
    note with blanks — so running it twice changes nothing the second time.
    """
    slug = free_slug(article.slug[:190] or "note", NoteTemplate.objects.all(), max_length=200)
    extracted = extract_note(article.answer, slug=slug)
    if extracted is None:
        return None
    note = NoteTemplate.objects.create(
        title=article.title[:200],
        slug=slug,
        subject=extracted.subject,
        body=extracted.body,
        blank_settings=extracted.blank_settings,
        send_rule=NoteTemplate.SendRule.END_OF_DAY,
    )
    article.answer = extracted.answer
    article.save()  # re-renders answer_html with the marker
    return note


@admin.action(description="Make a note template from the quoted note", permissions=["change"])
def make_note_template(modeladmin, request, queryset):
    """Admin action on articles: one note template per selected article
    whose answer quotes a fill-in note; a message for each result."""
    if not request.user.has_perm("notes.add_notetemplate"):
        modeladmin.message_user(request, "You may not add note templates.", level=messages.ERROR)
        return
    for article in queryset:
        note = article_make_note_template(article=article)
        if note is None:
            modeladmin.message_user(
                request,
                f"“{article.title}”: no quoted note with [blanks] found; nothing changed.",
                level=messages.WARNING,
            )
        else:
            modeladmin.message_user(
                request,
                f"“{article.title}”: note template “{note.slug}” made; the answer now "
                f"embeds it with {marker_line(note.slug)}.",
                level=messages.SUCCESS,
            )
