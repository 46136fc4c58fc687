"""The staff door's pure rules (advice/staff/rules.py), without a database."""

from datetime import timedelta

import pytest

from advice.staff.rules import (
    ACTIVITY_TOUCH_SECONDS,
    activity_needs_touch,
    code_is_totp,
    minutes_text,
    normalise_code,
    second_factor_required,
    session_idle_expired,
)


@pytest.mark.parametrize(
    ("account", "superusers", "all_staff", "required"),
    [
        ({"is_staff": True, "is_superuser": True}, True, False, True),
        ({"is_staff": True, "is_superuser": True}, False, False, False),  # make run's admin
        ({"is_staff": True, "is_superuser": True}, False, True, True),
        ({"is_staff": True, "is_superuser": False}, True, False, False),
        ({"is_staff": True, "is_superuser": False}, True, True, True),
        ({"is_staff": False, "is_superuser": False}, True, True, False),
        ({"is_staff": False, "is_superuser": True}, True, True, False),  # cannot reach the admin
    ],
)
def test_who_owes_a_second_factor(account, superusers, all_staff, required):
    assert (
        second_factor_required(
            is_active=True, **account, superusers=superusers, all_staff=all_staff
        )
        is required
    )


def test_an_inactive_account_owes_nothing():
    assert not second_factor_required(
        is_active=False, is_staff=True, is_superuser=True, superusers=True, all_staff=True
    )


def test_a_session_is_idle_expired_from_the_limit_on():
    hours8 = 8 * 3600
    assert not session_idle_expired(1000.0, 1000.0 + hours8 - 1, hours8)
    assert session_idle_expired(1000.0, 1000.0 + hours8, hours8)
    assert not session_idle_expired(None, 1e12, hours8)  # never recorded: recorded now
    assert not session_idle_expired(0.0, 1e12, 0)  # 0 turns the rule off


def test_activity_is_rewritten_only_every_few_minutes():
    assert activity_needs_touch(None, 5.0)
    assert not activity_needs_touch(100.0, 100.0 + ACTIVITY_TOUCH_SECONDS - 1)
    assert activity_needs_touch(100.0, 100.0 + ACTIVITY_TOUCH_SECONDS)


@pytest.mark.parametrize(
    ("typed", "code", "totp"),
    [
        ("123456", "123456", True),
        (" 123 456 ", "123456", True),
        ("123-456", "123456", True),
        ("ABCD-EFGH", "abcdefgh", False),
        ("12345", "12345", False),
        ("1234567", "1234567", False),
        ("١٢٣٤٥٦", "١٢٣٤٥٦", False),  # Arabic-Indic digits are not the app's code
        ("", "", False),
    ],
)
def test_typed_codes_are_read_as_the_app_or_a_recovery_code(typed, code, totp):
    assert normalise_code(typed) == code
    assert code_is_totp(code) is totp


def test_minutes_are_whole_and_rounded_up():
    assert minutes_text(timedelta(minutes=15)) == "15 minutes"
    assert minutes_text(timedelta(seconds=61)) == "2 minutes"
    assert minutes_text(timedelta(seconds=30)) == "1 minute"
