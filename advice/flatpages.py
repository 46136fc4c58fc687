"""Flat pages (django.contrib.flatpages) as this site shows them: the
privacy page's staff-written text and imported WordPress pages.

A flat page's content is Markdown, rendered and sanitised like an answer
(:func:`advice.markdown.render_markdown`), never trusted as HTML; shown in
``templates/privacy/flatpage.html`` inside the site's base template.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.flatpages.models import FlatPage
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from advice.markdown import render_markdown


def flatpage_response(request):
    """The flat page whose URL is ``request.path_info`` on this site
    (``settings.SITE_ID``; flatpages store URLs without a script prefix),
    rendered, or None when there is none. "Registration required" sends a
    visitor who is not logged in to the admin's login page (only staff have
    accounts)."""
    page = FlatPage.objects.filter(url=request.path_info, sites__id=settings.SITE_ID).first()
    if page is None:
        return None
    if page.registration_required and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return render(
        request,
        "privacy/flatpage.html",
        # render_markdown sanitises its output (advice/markdown.py).
        {"title": page.title, "content_html": mark_safe(render_markdown(page.content))},
    )
