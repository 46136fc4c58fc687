"""The public privacy page, ``/privacy/``: what the site keeps about a
reader and for how long.

The text is the template ``templates/privacy/privacy.html`` (the site owner
edits it there); the figures in it come from the settings that enforce
them (``COMMENTS_IP_RETENTION_DAYS``), so page and behaviour agree.
"""

from django.conf import settings
from django.shortcuts import render

from advice.comments.cookies import BROWSER_COOKIE, REMEMBER_COOKIE
from config.methods import allow_methods


@allow_methods("GET", "HEAD")
def privacy(request):
    """The privacy page (GET / HEAD)."""
    return render(
        request,
        "privacy/privacy.html",
        {
            "ip_retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
            "remember_cookie": REMEMBER_COOKIE,
            "browser_cookie": BROWSER_COOKIE,
        },
    )
