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
and the old-link fallback (imported WordPress pages) show flat pages, both
through :func:`advice.flatpages.flatpage_response`.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from advice.flatpages import flatpage_response
from config.methods import allow_methods


@allow_methods("GET", "HEAD")
def privacy(request):
    """The privacy page (GET / HEAD): the staff's flat page at this path
    (``/privacy/``, without any script prefix, as flatpages store URLs) when
    there is one, else the default text."""
    page = flatpage_response(request)
    if page is not None:
        return page
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
