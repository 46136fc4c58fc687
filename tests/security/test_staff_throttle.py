"""Password guessing on the admin login is throttled (django-axes, set up in
config/settings.py and advice/staff/throttle.py): per account and per client
address, the address by the project's own rule (advice/client.py), so a
forged X-Forwarded-For neither locks others out nor escapes the limit."""

from __future__ import annotations

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

PASSWORD = "correct-horse-battery-1"
LIMIT = 5  # STAFF_LOGIN_FAILURE_LIMIT's default


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True, email="editor@example.com"
    )


def log_in(client, username, password, address="198.51.100.10", **headers):
    """POST the admin login form from ``address`` (the socket's address)."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        headers=headers,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def locked_out(response) -> bool:
    return response.status_code == 429 and "Too many failed logins" in response.text


def test_an_account_is_locked_after_the_limit_whatever_the_address(client, editor):
    for attempt in range(1, LIMIT):
        response = log_in(client, "editor", "wrong", address=f"203.0.113.{attempt}")
        assert response.status_code == 200  # the login form again, with its error
        assert not locked_out(response)

    response = log_in(client, "editor", "wrong", address="203.0.113.99")
    assert locked_out(response)

    # Even the right password, from a fresh address, is refused for now.
    response = log_in(client, "editor", PASSWORD, address="192.0.2.200")
    assert locked_out(response)
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long_and_keeps_the_username(client, editor):
    for _ in range(LIMIT):
        response = log_in(client, "editor", "wrong")

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Try again in 15 minutes." in response.text
    assert 'name="username" id="id_username" value="editor"' in response.text
    assert reverse("admin_password_reset") in response.text


def test_the_lockout_page_escapes_the_username(client, db):
    hostile = '"><script>alert(1)</script>'
    for _ in range(LIMIT):
        response = log_in(client, hostile, "wrong")
    assert locked_out(response)
    assert "<script>alert(1)" not in response.text
    assert html.escape(hostile) in response.text


def test_the_limit_and_cool_off_come_from_settings(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert not locked_out(log_in(client, "editor", "wrong"))
    response = log_in(client, "editor", "wrong")
    assert locked_out(response)
    assert "Try again in 15 minutes." in response.text


def test_one_address_cannot_try_many_accounts(client, editor, django_user_model):
    attacker = "203.0.113.66"
    for n in range(LIMIT):
        response = log_in(client, f"guess{n}", "wrong", address=attacker)
    assert locked_out(response)

    # The address is locked out, even for a real account with its password...
    assert locked_out(log_in(client, "editor", PASSWORD, address=attacker))
    # ...while the account itself is fine from anywhere else.
    assert logged_in(log_in(client, "editor", PASSWORD, address="198.51.100.7"))


def test_a_forged_forwarded_address_does_not_lock_out_the_address_it_names(client, editor):
    victim = "198.51.100.20"
    for n in range(LIMIT + 2):
        log_in(client, f"guess{n}", "wrong", address="203.0.113.66", X_FORWARDED_FOR=victim)

    assert logged_in(log_in(client, "editor", PASSWORD, address=victim))


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, editor):
    for n in range(LIMIT):
        response = log_in(
            client, f"guess{n}", "wrong", address="203.0.113.66", X_FORWARDED_FOR=f"10.9.8.{n}"
        )
    assert locked_out(response)
    assert locked_out(
        log_in(client, "editor", PASSWORD, address="203.0.113.66", X_FORWARDED_FOR="10.1.1.1")
    )


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(client, editor, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    attacker, victim = "203.0.113.66", "198.51.100.20"
    # The attacker writes anything to the left; the proxy appends what it saw.
    for n in range(LIMIT):
        response = log_in(
            client,
            f"guess{n}",
            "wrong",
            address=proxy,
            X_FORWARDED_FOR=f"{victim}, 10.9.8.{n}, {attacker}",
        )
    assert locked_out(response)

    # Rotating the forged part did not escape the limit...
    assert locked_out(
        log_in(client, "editor", PASSWORD, address=proxy, X_FORWARDED_FOR=f"1.2.3.4, {attacker}")
    )
    # ...the victim named in it is not locked out, nor is the proxy itself.
    assert logged_in(log_in(client, "editor", PASSWORD, address=proxy, X_FORWARDED_FOR=victim))


def test_a_locked_out_editor_is_let_back_in_from_the_command_line(client, editor, capsys):
    for _ in range(LIMIT):
        log_in(client, "editor", "wrong", address="198.51.100.30")
    assert locked_out(log_in(client, "editor", PASSWORD, address="198.51.100.31"))

    call_command("axes_reset_username", "editor")

    assert "attempts removed" in capsys.readouterr().out
    assert logged_in(log_in(client, "editor", PASSWORD, address="198.51.100.31"))


def test_a_successful_login_clears_the_failures(client, editor):
    for _ in range(LIMIT - 1):
        log_in(client, "editor", "wrong")
    assert logged_in(log_in(client, "editor", PASSWORD))
    client.logout()

    # Counting starts again: LIMIT - 1 more failures do not lock the account.
    for _ in range(LIMIT - 1):
        assert not locked_out(log_in(client, "editor", "wrong"))
    assert logged_in(log_in(client, "editor", PASSWORD))


def test_the_throttle_can_be_turned_off(client, editor, settings):
    settings.AXES_ENABLED = False
    for _ in range(LIMIT + 2):
        assert not locked_out(log_in(client, "editor", "wrong"))
    assert logged_in(log_in(client, "editor", PASSWORD))
