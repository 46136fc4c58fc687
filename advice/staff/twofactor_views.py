"""The two-factor pages in the admin (``/admin/two-factor/...``, named in
the ``admin`` namespace by :class:`advice.staff.site.StaffAdminSite`):

- ``two_factor_verify``: after the password, the code from the authenticator
  app or one recovery code; then on to ``next``. Sends an account without an
  authenticator to enrolment.
- ``two_factor_enrol``: QR code and typed secret of a new authenticator,
  confirmed with a code the app shows; then the recovery codes, shown once.
  An account that already has an authenticator may replace it only from a
  verified session.
- ``two_factor``: the account's second factor at a glance, and new recovery
  codes (from a verified session).

Every page answers ``Cache-Control: no-store`` and keeps the typed code out
of error reports. The rules and database work are in ``twofactor.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from advice.staff import twofactor


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a recovery code
    (spaces and dashes are ignored)."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _next_url(request) -> str:
    """Where to go after this page: ``next`` when it is a path on this site,
    else the admin index."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _page(request, site: AdminSite, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {**site.each_context(request), "title": title, "next": _next_url(request), **context},
    )


def _is_active_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def _wait_message(check: twofactor.CodeCheck) -> str:
    seconds = twofactor.seconds_until(check.wait_until)
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes: try again in {seconds} {unit}."


WRONG_CODE = "That code is not right. Check the app's current code, or use a recovery code."


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, *, site: AdminSite):
    """Ask for the second factor; on success mark the session verified and
    go on to ``next``."""
    user = request.user
    if not _is_active_staff(user):
        return HttpResponseRedirect(reverse("admin:login"))
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    if not twofactor.has_authenticator(user):
        return HttpResponseRedirect(
            reverse("admin:two_factor_enrol") + "?" + request.GET.urlencode()
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = twofactor.second_factor_verify(user, form.cleaned_data["code"])
        if check.device is not None:
            twofactor.session_verified(request, check.device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _wait_message(check) if check.wait_until else WRONG_CODE)
    return _page(request, site, "staff/two_factor_verify.html", "Two-factor sign-in", form=form)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request, *, site: AdminSite):
    """Set up an authenticator app: QR code, secret, confirmation code;
    then show the recovery codes once."""
    user = request.user
    if not _is_active_staff(user):
        return HttpResponseRedirect(reverse("admin:login"))
    if twofactor.has_authenticator(user) and not user.is_verified():
        return HttpResponseRedirect(reverse("admin:two_factor_verify"))
    device = twofactor.totp_device_for_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = twofactor.totp_enrol(user, device, form.cleaned_data["code"])
        if check.device is not None:
            twofactor.session_verified(request, check.device)
            return _page(
                request, site, "staff/two_factor_codes.html", "Your recovery codes", codes=codes
            )
        form.add_error("code", _wait_message(check) if check.wait_until else WRONG_CODE)
    return _page(
        request,
        site,
        "staff/two_factor_enrol.html",
        "Set up two-factor sign-in",
        form=form,
        qr_svg=twofactor.totp_qr_svg(device),
        secret=twofactor.totp_secret(device),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def overview(request, *, site: AdminSite):
    """The account's second factor; POST makes new recovery codes (the old
    ones stop working) and shows them once."""
    user = request.user
    if not _is_active_staff(user):
        return HttpResponseRedirect(reverse("admin:login"))
    has_authenticator = twofactor.has_authenticator(user)
    if request.method == "POST":
        if not has_authenticator:
            return HttpResponseRedirect(reverse("admin:two_factor_enrol"))
        if not user.is_verified():
            return HttpResponseRedirect(
                reverse("admin:two_factor_verify") + "?next=" + reverse("admin:two_factor")
            )
        codes = twofactor.recovery_codes_replace(user)
        return _page(
            request, site, "staff/two_factor_codes.html", "Your recovery codes", codes=codes
        )
    return _page(
        request,
        site,
        "staff/two_factor.html",
        "Two-factor sign-in",
        has_authenticator=has_authenticator,
        verified=user.is_verified(),
        required=twofactor.second_factor_required_for(user),
        codes_left=twofactor.recovery_codes_left(user) if has_authenticator else 0,
    )
