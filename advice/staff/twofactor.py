"""Two factors for staff: TOTP (an authenticator app) through django-otp,
with single-use recovery codes (django-otp's static tokens).

Who must use a second factor is :func:`second_factor_required`: superusers
when ``REQUIRE_2FA_FOR_SUPERUSERS`` is on (the default when ``DEBUG`` is
off), every staff member when ``STAFF_REQUIRE_2FA`` is on. A session is
verified once a code has been checked here (``django_otp.login`` records
the device in the session; ``django_otp.middleware.OTPMiddleware`` reads it
back as ``request.user.otp_device``).

Enrolment: :func:`totp_device_for_enrolment` gives the account's unconfirmed
authenticator (made once, so a QR code already scanned stays valid);
:func:`totp_enrol` confirms it with a code from the app and makes
:data:`RECOVERY_CODE_COUNT` recovery codes. Verification:
:func:`second_factor_verify` checks a code against the authenticator or,
failing the six-digit shape, the recovery codes (each works once). Both go
through the devices' own throttling (django-otp: after n failures a device
refuses every code for ``2**(n-1)`` seconds; ``OTP_TOTP_THROTTLE_FACTOR``,
``OTP_STATIC_THROTTLE_FACTOR``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from advice.staff.rules import code_is_totp, normalise_code, second_factor_required

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def second_factor_required_for(user) -> bool:
    """:func:`advice.staff.rules.second_factor_required` for ``user`` (any
    request user, anonymous included) under the current settings."""
    return second_factor_required(
        is_active=bool(getattr(user, "is_active", False)),
        is_staff=bool(getattr(user, "is_staff", False)),
        is_superuser=bool(getattr(user, "is_superuser", False)),
        superusers=settings.REQUIRE_2FA_FOR_SUPERUSERS,
        all_staff=settings.STAFF_REQUIRE_2FA,
    )


def second_factor_pending(user) -> bool:
    """True when ``user`` (a request's user, behind ``OTPMiddleware``) is
    logged in, must use a second factor and has not passed it in this
    session."""
    if not user.is_authenticated or not second_factor_required_for(user):
        return False
    return not user.is_verified()


def has_authenticator(user) -> bool:
    """True when ``user`` has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_device_for_enrolment(user) -> TOTPDevice:
    """The unconfirmed authenticator ``user`` is enrolling (made on first
    call, then the same one, so its secret stays what the app scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps take it typed in: base32,
    in groups of four characters."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` address as a QR code: an SVG document
    (qrcode's SVG path factory, white background; no raster image library)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode")


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code gave: the device that accepted it, or why none
    did (``refused``: wrong code; ``wait_until``: the device refuses codes
    until then after repeated failures)."""

    device: object | None = None
    refused: bool = False
    wait_until: datetime | None = None


def _check(device, code: str) -> CodeCheck:
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return CodeCheck(wait_until=extra.get("locked_until"))
        return CodeCheck(refused=True)
    if device.verify_token(code):
        return CodeCheck(device=device)
    return CodeCheck(refused=True)


def second_factor_verify(user, typed: str) -> CodeCheck:
    """Check ``typed`` for ``user``: six digits against the confirmed
    authenticator, anything else against the recovery codes (a recovery code
    that works is deleted, so it works once). One device is tried, never
    every device, so a wrong code counts against one device's throttle
    only. Runs in one transaction with the device row locked, so two
    concurrent tries cannot both use one code."""
    code = normalise_code(typed)
    if not code:
        return CodeCheck(refused=True)
    model = TOTPDevice if code_is_totp(code) else StaticDevice
    with transaction.atomic():
        device = (
            model.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        if device is None:
            return CodeCheck(refused=True)
        return _check(device, code)


def totp_enrol(user, device: TOTPDevice, typed: str) -> tuple[CodeCheck, list[str]]:
    """Confirm ``device`` (``user``'s unconfirmed authenticator) with a code
    the app shows. On success the device is confirmed, any older
    authenticator and recovery codes of ``user`` are deleted, and
    :data:`RECOVERY_CODE_COUNT` new recovery codes are made; returns the
    check and the codes (empty when refused)."""
    code = normalise_code(typed)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        check = _check(device, code) if code_is_totp(code) else CodeCheck(refused=True)
        if check.device is None:
            return check, []
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(user)
    return check, codes


def recovery_codes_replace(user) -> list[str]:
    """Delete ``user``'s recovery codes and make :data:`RECOVERY_CODE_COUNT`
    new ones (django-otp's random tokens: 8 base32 characters); returns them,
    to be shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def session_verified(request, device) -> None:
    """Mark this session as verified by ``device``: a new session key (the
    session gains a privilege), then django-otp's record of the device."""
    request.session.cycle_key()
    django_otp.login(request, device)


def seconds_until(moment: datetime | None) -> int:
    """Whole seconds from now until ``moment`` (at least 1)."""
    if moment is None:
        return 1
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)
