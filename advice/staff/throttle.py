"""Password guessing on any login form, throttled with django-axes.

Settings (``config/settings.py``, from the environment): after
``AXES_FAILURE_LIMIT`` failed logins (``STAFF_LOGIN_FAILURE_LIMIT``, 5) for
one account, or from one client address, that account, or that address,
is refused for ``AXES_COOLOFF_TIME`` (``STAFF_LOGIN_COOLOFF_MINUTES``, 15).
The two count separately (``AXES_LOCKOUT_PARAMETERS = ["username",
"ip_address"]``): one address cannot try many accounts, and many addresses
cannot try one account. Tries made while locked out do not extend the lock.
A successful login clears that account's and that address's failures.

The client address is the project's one rule
(:func:`advice.client.request_client_address`: the socket's address, or the
one ``COMMENTS_TRUSTED_PROXIES`` proxies put in ``X-Forwarded-For``), given
to axes as ``AXES_CLIENT_IP_CALLABLE``; a forwarded address from anyone else
is ignored, so a forged header neither locks others out nor escapes the
limit.

A locked-out editor is let back in from the command line with axes's own
``manage.py axes_reset_username <username>`` (``axes_reset_ip <address>``
for an address).
"""

from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from advice.staff.rules import minutes_text


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the page a refused login gets (HTTP 429,
    ``Retry-After`` in seconds): what happened, how long to wait, and the
    login form again with the username kept."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials) or ""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "username": str(username)[:150],
        "wait": minutes_text(cool_off) if cool_off else None,
        "login_url": reverse("admin:login"),
        "next": request.POST.get("next") or request.GET.get("next") or reverse("admin:index"),
    }
    # Rendered here: axes calls this from its middleware, after the view,
    # where a TemplateResponse would no longer be rendered.
    response = render(
        request, "staff/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def replace_axes_attempt_admin(site: admin.AdminSite) -> None:
    """Swap axes's admin for failed-login records for one whose "Clean up
    expired attempts" action works from the admin.

    axes's own action (django-axes 8.3) reads ``request.axes_attempt_time``,
    which only axes's login handling sets, so in the admin it raised
    AttributeError (a 500). Called once the admin has autodiscovered every
    app's registrations (``StaffAdminConfig.ready``)."""
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt
    from django.utils.timezone import now

    class AttemptAdmin(AccessAttemptAdmin):
        @admin.action(description="Clean up expired attempts")
        def cleanup_expired_attempts(self, request, queryset):
            request.axes_attempt_time = now()
            return super().cleanup_expired_attempts(request, queryset)

    if site.is_registered(AccessAttempt):
        site.unregister(AccessAttempt)
        site.register(AccessAttempt, AttemptAdmin)
