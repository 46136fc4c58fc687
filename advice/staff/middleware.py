"""Two middlewares for staff sessions (installed after Django's
``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``).

- :class:`StaffIdleSessionMiddleware`: a staff session unused for
  ``STAFF_SESSION_IDLE_HOURS`` (default 8) ends: the next request logs the
  staff member out and sends them to the admin login, which then returns
  them where they were going.
- :class:`SecondFactorMiddleware`: a staff member who must use a second
  factor (:func:`advice.staff.twofactor.second_factor_pending`) and has
  only given a password reaches nothing but the verification and enrolment
  pages and logout: other pages redirect there (GET, HEAD) or answer 403
  (anything else), so no staff privilege (drafts, the editor, commenting as
  the columnist) is used on a password alone.

Both look at the user only when the request carries a session cookie, so a
reader without one costs nothing and their page keeps the same headers.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse

from advice.staff.rules import activity_needs_touch, session_idle_expired
from advice.staff.twofactor import second_factor_pending

LAST_ACTIVITY_KEY = "staff_last_activity"

# Views a staff member who owes the second factor may still reach.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"admin:two_factor_verify", "admin:two_factor_enrol", "admin:two_factor_logout"}
)


def _has_session_cookie(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def _with_next(url: str, request) -> str:
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def staff_activity_record(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a staff session starts active now."""
    if request is not None and hasattr(request, "session") and user.is_staff:
        request.session[LAST_ACTIVITY_KEY] = time.time()


class StaffIdleSessionMiddleware:
    """Ends staff sessions idle for ``STAFF_SESSION_IDLE_HOURS`` hours (0
    turns it off). The last-activity time (Unix seconds) is kept in the
    session under ``staff_last_activity`` and rewritten at most every
    :data:`advice.staff.rules.ACTIVITY_TOUCH_SECONDS`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_session_cookie(request) and _is_staff(request.user):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            idle_seconds = float(settings.STAFF_SESSION_IDLE_HOURS) * 3600
            if session_idle_expired(last, now, idle_seconds):
                logout(request)
                messages.info(
                    request,
                    f"You were logged out after {settings.STAFF_SESSION_IDLE_HOURS:g} hours "
                    "without activity. Please log in again.",
                )
                return HttpResponseRedirect(_with_next(reverse("admin:login"), request))
            if activity_needs_touch(last, now):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Keeps a staff member who owes the second factor on the verification
    pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _has_session_cookie(request) or not second_factor_pending(request.user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.method in ("GET", "HEAD"):
            return HttpResponseRedirect(_with_next(reverse("admin:two_factor_verify"), request))
        return HttpResponseForbidden(
            "Enter the code from your authenticator app first.", content_type="text/plain"
        )
