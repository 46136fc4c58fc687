"""Password reset by e-mail for staff, with Django's own views, limited.

``/admin/password_reset/`` (the admin login's "Forgotten your login
credentials?" link, shown because the URL name ``admin_password_reset``
exists) takes an address and always answers the same "check your mail" page,
whether or not a staff account has that address (Django's rule; no mail is
sent for an unknown one), so the form tells nobody which addresses exist.

Each request counts against the address typed and the client's address
(:func:`advice.client.request_client_address`): after
``STAFF_PASSWORD_RESET_LIMIT`` (5) in ``STAFF_PASSWORD_RESET_WINDOW_MINUTES``
(60), further requests get the same page and no mail. The counts live in the
shared cache (:func:`config.cache.cache_incr`; Redis when there are several
app servers); a cache that fails does not block a reset.

The link in the mail is built from ``SITE_URL``, never from the request's
``Host``. Only active staff with a usable password get a mail. Django's
``PasswordResetForm.send_mail`` hands the message to the site's mail queue
(:func:`advice.mail.mail_send`), so no request waits for a mail server, and
a real address costs the request no more time than an unknown one.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponseRedirect

from advice.client import request_client_address
from advice.mail import mail_send
from config.cache import cache_incr

RESET_MAIL = "staff/email/password_reset"  # advice.mail's template pair


def _key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]
    return f"staff-password-reset:{kind}:{digest}:{window}"


def password_reset_allowed(*, email: str, client: str | None, now: float | None = None) -> bool:
    """Count one reset request for ``email`` and for ``client`` (an IP
    address, or ``None``) and say whether it may send mail: both counts at
    most ``STAFF_PASSWORD_RESET_LIMIT`` in the current window of
    ``STAFF_PASSWORD_RESET_WINDOW_MINUTES`` minutes (fixed windows from the
    Unix epoch). A count the cache cannot give allows the request."""
    window_seconds = max(60, int(settings.STAFF_PASSWORD_RESET_WINDOW_MINUTES) * 60)
    window = int((now if now is not None else time.time()) // window_seconds)
    limit = int(settings.STAFF_PASSWORD_RESET_LIMIT)
    counts = [cache_incr(_key("email", email, window), window_seconds)]
    if client:
        counts.append(cache_incr(_key("client", client, window), window_seconds))
    return all(count is None or count <= limit for count in counts)


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, for staff accounts only (readers have none)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queue the message (``staff/email/password_reset``) with the
        site's other mail instead of sending it in the request."""
        mail_send(
            template=RESET_MAIL, context=context, to=[to_email], label="a password reset e-mail"
        )


class StaffPasswordResetView(PasswordResetView):
    """Django's ``PasswordResetView`` with the limit, staff accounts only,
    the admin's look, and the link in the mail from ``SITE_URL``."""

    form_class = StaffPasswordResetForm
    email_template_name = f"{RESET_MAIL}.txt"
    subject_template_name = f"{RESET_MAIL}_subject.txt"

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def form_valid(self, form):
        allowed = password_reset_allowed(
            email=form.cleaned_data["email"], client=request_client_address(self.request)
        )
        if allowed:
            site = urlsplit(settings.SITE_URL)
            form.save(
                domain_override=site.netloc,
                use_https=site.scheme == "https",
                token_generator=self.token_generator,
                from_email=self.from_email,
                email_template_name=self.email_template_name,
                subject_template_name=self.subject_template_name,
                request=self.request,
                extra_email_context={"site_name": settings.SITE_NAME},
            )
        # The same answer either way: nothing says whether mail was sent.
        return HttpResponseRedirect(self.get_success_url())
