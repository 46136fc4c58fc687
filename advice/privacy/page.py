"""The public privacy page, ``/privacy/``: what the site keeps about a
reader and for how long.

Two sources, the first that exists:

1. A flat page (``django.contrib.flatpages``) with URL ``/privacy/`` on this
   site (``settings.SITE_ID``), written by staff in the admin ("Flat
   pages"). Its title heads the page; its content is Markdown, rendered
   through :func:`advice.markdown.render_markdown` (sanitised: whatever HTML
   is stored, no script, style or event attribute reaches the page). Its
   "template name" and "enable comments" fields are ignored; "registration
   required" sends a visitor who is not logged in to the login page, as
   Django's own flat page view does.
2. The default text, ``templates/privacy/privacy.html``, whose figures come
   from the settings that enforce them (``COMMENTS_IP_RETENTION_DAYS``,
   ``COMMENTS_NOTIFY_RETENTION_DAYS``, ``COMMENTS_NOTIFY_CONFIRM_DAYS``,
   ``COMMENTS_EDIT_MINUTES``), so page
   and behaviour agree. A flat page's figures are typed by its writer.

flatpages' own URLconf and fallback middleware are not installed: this view
is the only one that shows a flat page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.flatpages.models import FlatPage
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.markdown import render_markdown
from config.methods import allow_methods


def privacy_flatpage(url: str) -> FlatPage | None:
    """The flat page with ``url`` (e.g. ``"/privacy/"``) on this site
    (``settings.SITE_ID``), or None when staff have not written one."""
    return FlatPage.objects.filter(url=url, sites__id=settings.SITE_ID).first()


@allow_methods("GET", "HEAD")
def privacy(request):
    """The privacy page (GET / HEAD): the staff's flat page at this path
    (``/privacy/``, without any script prefix, as flatpages store URLs) when
    there is one, else the default text."""
    page = privacy_flatpage(request.path_info)
    if page is not None:
        if page.registration_required and not request.user.is_authenticated:
            # Only staff have accounts: the admin's login page.
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return render(
            request,
            "privacy/flatpage.html",
            # render_markdown sanitises its output (advice/markdown.py).
            {"title": page.title, "content_html": mark_safe(render_markdown(page.content))},
        )
    return render(
        request,
        "privacy/privacy.html",
        {
            "ip_retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
            "notify_retention_days": settings.COMMENTS_NOTIFY_RETENTION_DAYS,
            "notify_confirm_days": settings.COMMENTS_NOTIFY_CONFIRM_DAYS,
            "edit_minutes": settings.COMMENTS_EDIT_MINUTES,
            "remember_cookie": REMEMBER_COOKIE,
            "browser_cookie": BROWSER_COOKIE,
        },
    )
