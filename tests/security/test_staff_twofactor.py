"""Two factors for staff (advice/staff/twofactor*.py): required of superusers
(REQUIRE_2FA_FOR_SUPERUSERS) and of all staff when STAFF_REQUIRE_2FA is on;
enrolment with a real authenticator code; recovery codes that work once;
throttled verification; no staff privilege on a password alone."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from advice.models import Article
from advice.staff.twofactor import recovery_codes_replace

PASSWORD = "correct-horse-battery-1"
ADMIN = "/admin/"


@pytest.fixture
def required(settings):
    """Production's rule: superusers must use a second factor."""
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="chief", password=PASSWORD, email="chief@example.com"
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="moderator", password=PASSWORD, is_staff=True
    )


def code_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    """What the authenticator app shows now (or ``offset_steps`` steps away),
    by RFC 6238 (django_otp.oath.totp)."""
    value = totp(device.bin_key, step=device.step, digits=device.digits, drift=offset_steps)
    return f"{value:0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    return confirmed_device(user), recovery_codes_replace(user)


def verify(client, code: str, next_url: str = ADMIN):
    return client.post(reverse("admin:two_factor_verify"), {"code": code, "next": next_url})


# --- Who must use it -----------------------------------------------------------


def test_a_superuser_without_a_device_is_sent_to_enrolment(client, superuser, required):
    client.force_login(superuser)

    response = client.get(ADMIN, follow=True)

    assert [url for url, _ in response.redirect_chain] == [
        f"{reverse('admin:two_factor_verify')}?next=%2Fadmin%2F",
        f"{reverse('admin:two_factor_enrol')}?next=%2Fadmin%2F",
    ]
    assert response.status_code == 200
    assert "<svg" in response.text  # the QR code, as SVG
    assert "Set up two-factor sign-in" in response.text


def test_a_superuser_with_a_device_is_asked_for_the_code(client, superuser, required):
    enrolled(superuser)
    client.force_login(superuser)

    response = client.get(reverse("admin:advice_article_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_factor_verify"))


def test_the_development_admin_is_exempt_while_the_settings_are_off(client, superuser, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = False
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(superuser)

    assert client.get(ADMIN).status_code == 200


def test_staff_who_are_not_required_pass_on_a_password(client, staff, required):
    client.force_login(staff)

    assert client.get(ADMIN).status_code == 200


def test_with_staff_require_2fa_every_staff_member_is_required(client, staff, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = False
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(staff)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_factor_verify"))


# --- Enrolment -----------------------------------------------------------------------


def test_enrolment_with_the_app_code_shows_ten_recovery_codes_once(client, superuser, required):
    client.force_login(superuser)
    page = client.get(reverse("admin:two_factor_enrol") + "?next=/admin/advice/article/")
    # The app is set up from what the page shows: the key typed in.
    secret = re.search(r'<code class="two-factor-secret">([A-Z2-7 ]+)</code>', page.text)[1]
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    shown = f"{totp(key):06d}"

    response = client.post(
        reverse("admin:two_factor_enrol"), {"code": shown, "next": "/admin/advice/article/"}
    )

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)
    assert len(codes) == len(set(codes)) == 10
    assert 'href="/admin/advice/article/"' in response.text
    device = TOTPDevice.objects.get(user=superuser)
    assert device.confirmed
    # The session is verified: the admin opens.
    assert client.get(ADMIN).status_code == 200
    # The codes are not shown again.
    assert not any(code in client.get(reverse("admin:two_factor")).text for code in codes)


def test_enrolment_refuses_a_wrong_code_and_keeps_the_same_secret(client, superuser, required):
    client.force_login(superuser)
    client.get(reverse("admin:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    valid = {code_now(device, step) for step in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in valid)

    response = client.post(reverse("admin:two_factor_enrol"), {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right." in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert TOTPDevice.objects.filter(user=superuser).count() == 1  # the same key as scanned
    assert client.get(ADMIN).status_code == 302


def test_an_enrolled_account_cannot_replace_its_app_on_a_password_alone(
    client, superuser, required
):
    enrolled(superuser)
    client.force_login(superuser)

    response = client.get(reverse("admin:two_factor_enrol"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_factor_verify"))
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


# --- Verification ----------------------------------------------------------------------


def test_the_app_code_verifies_the_session_and_goes_on(client, superuser, required):
    device, _ = enrolled(superuser)
    client.force_login(superuser)

    response = verify(client, code_now(device), next_url="/admin/advice/article/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/advice/article/"
    assert client.get("/admin/advice/article/").status_code == 200


def test_verification_never_redirects_to_another_site(client, superuser, required):
    device, _ = enrolled(superuser)
    client.force_login(superuser)

    response = verify(client, code_now(device), next_url="https://evil.example/")

    assert response["Location"] == ADMIN


def test_a_wrong_code_is_refused_and_then_throttled(client, superuser, required):
    device, _ = enrolled(superuser)
    client.force_login(superuser)
    valid = {code_now(device, step) for step in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in valid)

    response = verify(client, wrong)
    assert response.status_code == 200
    assert "That code is not right." in response.text

    # Straight after a failure even the right code waits (django-otp throttling).
    response = verify(client, code_now(device))
    assert response.status_code == 200
    assert "Too many wrong codes: try again in" in response.text
    assert client.get(ADMIN).status_code == 302

    # Once the wait is over (the failure moved back a minute), the right code works.
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - timedelta(minutes=1)
    )
    assert verify(client, code_now(device)).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_recovery_code_works_once(client, superuser, required, django_user_model):
    _, codes = enrolled(superuser)
    client.force_login(superuser)

    response = verify(client, codes[0].upper()[:4] + "-" + codes[0].upper()[4:])
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200
    assert StaticToken.objects.filter(device__user=superuser).count() == 9

    other = type(client)()
    other.force_login(superuser)
    response = verify(other, codes[0])
    assert response.status_code == 200
    assert "That code is not right." in response.text
    assert other.get(ADMIN).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, superuser, required):
    _, old = enrolled(superuser)
    client.force_login(superuser)
    verify(client, old[0])

    response = client.post(reverse("admin:two_factor"))

    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(new) & set(old)


def test_new_recovery_codes_need_a_verified_session(client, superuser, required, settings):
    _, old = enrolled(superuser)
    settings.REQUIRE_2FA_FOR_SUPERUSERS = False  # the admin opens on a password...
    client.force_login(superuser)

    response = client.post(reverse("admin:two_factor"))  # ...but codes need the app

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_factor_verify"))
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)


# --- Nothing on a password alone --------------------------------------------------------


def test_a_pending_staff_member_gets_no_staff_privilege(client, superuser, required, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    enrolled(superuser)
    client.force_login(superuser)

    page = client.get(reverse("advice:article_detail", args=[draft.slug]))
    preview = client.post(reverse("markdownx_markdownify"), {"content": "*hi*"})
    action = client.post(
        reverse("admin:advice_article_changelist"),
        {"action": "publish_articles", "_selected_action": [draft.pk]},
    )

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:two_factor_verify"))
    assert preview.status_code == 403
    assert action.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_a_pending_staff_member_can_log_out(client, superuser, required):
    enrolled(superuser)
    client.force_login(superuser)

    response = client.post(reverse("admin:two_factor_logout"))

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_whole_login_password_then_code(client, superuser, required):
    device, _ = enrolled(superuser)

    response = client.post(
        reverse("admin:login"),
        {"username": "chief", "password": PASSWORD, "next": ADMIN},
        follow=True,
    )
    assert (
        response.redirect_chain[-1][0] == f"{reverse('admin:two_factor_verify')}?next=%2Fadmin%2F"
    )
    assert "Two-factor sign-in" in response.text

    response = client.post(
        reverse("admin:two_factor_verify"), {"code": code_now(device), "next": ADMIN}, follow=True
    )
    assert response.status_code == 200
    assert "Site administration" in response.text
    assert "Two-factor sign-in" in response.text  # the link among the user's links
