from django.conf import settings

from advice.reader_state import has_own_state


def site(request):
    """Site-wide template values: ``site_name``."""
    return {"site_name": settings.SITE_NAME}


def reader_state(request):
    """``reader_has_state``: whether this reader has state of their own
    (:func:`advice.reader_state.has_own_state` of the request's cookies).
    Forms print ``{% csrf_token %}`` only then, so a stateless reader's page
    never calls ``get_token()``, sets no CSRF cookie and is the same bytes as
    every other stateless reader's (SECURITY.md, "Cross-site requests")."""
    return {"reader_has_state": has_own_state(request.COOKIES)}
