"""Note pages: the list of note templates, the standalone drafter (with its
no-JavaScript post-back and download) and the calendar reminder.

Privacy: what a reader types into a drafter is only used to build the
response. It is not stored, not logged (``sensitive_post_parameters`` keeps
it out of error reports), never put in a URL other than the ``mailto:`` the
reader asked for, and the answers to its POSTs are ``Cache-Control:
no-store``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from config.methods import allow_methods
from config.shared_pages import shared_page
from config.site import site_url
from notes import sendtime
from notes.blanks import BlankSyntaxError
from notes.drafting import drafter_context, drafter_for
from notes.models import NoteTemplate
from notes.reminder import reminder_ics

logger = logging.getLogger(__name__)


@allow_methods("GET", "HEAD")
@shared_page()
def note_list(request):
    """``/notes/``: every note template, by title."""
    return render(
        request, "notes/notetemplate_list.html", {"templates": NoteTemplate.objects.all()}
    )


def _ascii_filename(slug: str, extension: str) -> str:
    stem = slug.encode("ascii", "ignore").decode() or "note"
    return f"{stem}.{extension}"


def _safe_back(request, url: str) -> str:
    """``url`` when it is a path on this site (where the reader came from),
    else ``""``."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


# CSRF-exempt on purpose: the drafter's post-back changes no state. It stores
# nothing, sends nothing and answers only with the note built from the posted
# blanks, so a forged POST gains an attacker nothing; a token would only break
# the form on cached article pages and for readers without cookies.
@csrf_exempt
@sensitive_post_parameters()
@allow_methods("GET", "HEAD", "POST")
@shared_page()
def note_detail(request, slug: str):
    """``/notes/<slug>/``: the standalone drafter.

    GET shows the empty drafter. POST (the no-JavaScript path, also the
    target of drafters embedded in articles) fills the note from the posted
    blanks and shows it in a read-only text box with a ``mailto:`` link and
    the send time; with ``action=download`` it answers the note as a
    ``text/plain`` attachment instead. Over-long blanks come back as form
    errors. Every answer to a POST is ``no-store`` (as is the page of a
    reader with state); the empty drafter a reader without state asks for
    is the same for all and may be kept by the whole-page cache
    (:func:`config.shared_pages.shared_page`).
    """
    note = get_object_or_404(NoteTemplate, slug=slug)
    try:
        drafter = drafter_for(note)
    except BlankSyntaxError as error:
        logger.warning("Note template %s cannot be parsed", note.pk)
        raise Http404("This note template cannot be used until an editor fixes it.") from error
    form = drafter.make_form(request.POST if request.method == "POST" else None)
    context = drafter_context(drafter, form)
    if request.method == "POST":
        context["back_url"] = _safe_back(request, form.data.get("back", ""))
        if request.POST.get("action") == "download" and form.is_valid():
            result = context["result"]
            text = (f"Subject: {result.subject}\n\n" if result.subject else "") + result.body
            response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="{_ascii_filename(note.slug, "txt")}"'
            )
            return response
    return render(request, "notes/notetemplate_detail.html", context)


@never_cache
@allow_methods("GET", "HEAD")
def note_reminder(request, slug: str):
    """``/notes/<slug>/reminder.ics?at=YYYY-MM-DDTHH:MM&tz=Area/City``: an
    iCalendar reminder to send the note at that local time in that zone.

    The query holds only the send time and the zone, never the note. Bad or
    missing values answer 400 with a short plain-text reason.
    """
    note = get_object_or_404(NoteTemplate, slug=slug)
    zone_name = request.GET.get("tz", "")
    try:
        zone = sendtime.zone_from_name(zone_name)
        local = datetime.strptime(request.GET.get("at", ""), "%Y-%m-%dT%H:%M")
    except ValueError:
        return HttpResponseBadRequest(
            "Give at=YYYY-MM-DDTHH:MM and tz=<IANA time zone>.\n", content_type="text/plain"
        )
    if not 1900 <= local.year <= 2200:
        return HttpResponseBadRequest("That date is out of range.\n", content_type="text/plain")
    at = sendtime.local_instant(local.date(), local.time(), zone)
    body = reminder_ics(
        at=at,
        title=note.title,
        url=site_url(note.get_absolute_url()),
        now=timezone.now(),
        host=urlsplit(site_url()).hostname or "localhost",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_ascii_filename(note.slug + "-reminder", "ics")}"'
    )
    return response
