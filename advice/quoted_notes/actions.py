"""Make a note template from an article's quoted fill-in note.

:func:`article_make_note_template` does the work (called by the admin action
:func:`make_note_template` and usable from a shell or command); the finding
and rewriting is the pure :func:`advice.quoted_notes.extract.extract_note`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from advice.models import Article
from advice.quoted_notes.extract import extract_note
from advice.slugs import free_slug
from advice.trail import ADDITION, trail_record
from notes.markers import marker_line, marker_line_slugs
from notes.models import NoteTemplate


def article_embedded_note_templates(*, article: Article) -> list[NoteTemplate]:
    """The existing note templates that ``article``'s answer embeds with a
    marker line, in the order of the markers (one query)."""
    slugs = marker_line_slugs(article.answer)
    found = NoteTemplate.objects.in_bulk(slugs, field_name="slug") if slugs else {}
    return [found[slug] for slug in dict.fromkeys(slugs) if slug in found]


@transaction.atomic
def article_make_note_template(*, article: Article) -> NoteTemplate | None:
    """Create a note template from ``article``'s quoted fill-in note and put
    the marker ``{{note:<slug>}}`` in the answer in place of the quote(s).

    The template takes the article's title and slug (``-2``… when taken),
    the end-of-day send rule, and a readable label and help for each blank
    (:func:`advice.quoted_notes.extract.extract_note`). Returns the new
    template, or ``None`` (nothing changed) when the answer quotes no note
    with blanks — so running it twice changes nothing the second time.
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


def _change_url(note: NoteTemplate) -> str:
    return reverse("admin:notes_notetemplate_change", args=[note.pk])


@admin.action(description="Make a note template from the quoted note", permissions=["change"])
def make_note_template(modeladmin, request, queryset):
    """Admin action on articles: one note template per selected article
    whose answer quotes a fill-in note, and a message for each article (made;
    already made, with a link; or no quoted note). With one article
    selected, it then opens that note template's change page, where the
    editor adjusts labels and help."""
    if not request.user.has_perm("notes.add_notetemplate"):
        modeladmin.message_user(request, "You may not add note templates.", level=messages.ERROR)
        return None
    shown: list[NoteTemplate] = []
    articles = list(queryset)
    for article in articles:
        note = article_make_note_template(article=article)
        if note is None:
            existing = article_embedded_note_templates(article=article)
            shown.extend(existing[:1])
            _report_nothing_made(modeladmin, request, article, existing)
            continue
        shown.append(note)
        trail_record(
            user=request.user,
            objects=[article],
            message=f"Note template “{note.slug}” made from the quoted note",
        )
        trail_record(
            user=request.user,
            objects=[note],
            message=f"Made from the article “{article.title}”",
            action_flag=ADDITION,
        )
        modeladmin.message_user(
            request,
            format_html(
                "“{}”: note template “{}” made; the answer now embeds it with {}. "
                "Check its labels and help below.",
                article.title,
                note.slug,
                marker_line(note.slug),
            ),
            level=messages.SUCCESS,
        )
    if len(articles) == 1 and len(shown) == 1:
        return HttpResponseRedirect(_change_url(shown[0]))
    return None


def _report_nothing_made(modeladmin, request, article: Article, existing: list[NoteTemplate]):
    if existing:
        links = format_html_join(
            ", ", '<a href="{}">{}</a>', ((_change_url(n), n.slug) for n in existing)
        )
        message = format_html(
            "“{}”: the note template already exists ({}); its answer embeds it, so nothing "
            "was made.",
            article.title,
            links,
        )
        modeladmin.message_user(request, message, level=messages.WARNING)
        return
    modeladmin.message_user(
        request,
        f"“{article.title}”: no quoted note with [blanks] found; nothing changed.",
        level=messages.WARNING,
    )
