"""Pure rules of the staff door: who owes a second factor, when a staff
session has been idle too long, how a typed code is read, how long a lockout
lasts in words. Functions of values only (no request, no database)."""

from __future__ import annotations

import re
from datetime import timedelta

# A session's last-activity time is written at most this often (seconds), so
# a busy editor's session is not saved on every request; an 8-hour idle limit
# is then exact to within these 5 minutes.
ACTIVITY_TOUCH_SECONDS = 300

TOTP_DIGITS = 6

_SEPARATORS = re.compile(r"[\s\-]+")


def second_factor_required(
    *, is_active: bool, is_staff: bool, is_superuser: bool, superusers: bool, all_staff: bool
) -> bool:
    """True when an account must pass a second factor before any staff page.

    ``superusers`` is ``REQUIRE_2FA_FOR_SUPERUSERS`` (on by default when
    ``DEBUG`` is off), ``all_staff`` is ``STAFF_REQUIRE_2FA`` (off by
    default). Only active staff can reach the admin, so only they can owe it."""
    if not (is_active and is_staff):
        return False
    return all_staff or (superusers and is_superuser)


def session_idle_expired(last_activity: float | None, now: float, idle_seconds: float) -> bool:
    """True when a session last active at ``last_activity`` (Unix seconds, or
    ``None`` when never recorded) has been idle for ``idle_seconds`` or more
    at ``now``. An unrecorded time is not expired: it is recorded now.
    ``idle_seconds`` <= 0 turns the rule off."""
    if last_activity is None or idle_seconds <= 0:
        return False
    return now - last_activity >= idle_seconds


def activity_needs_touch(last_activity: float | None, now: float) -> bool:
    """True when the session's last-activity time should be written again
    (never written, or older than :data:`ACTIVITY_TOUCH_SECONDS`)."""
    return last_activity is None or now - last_activity >= ACTIVITY_TOUCH_SECONDS


def normalise_code(typed: str) -> str:
    """A typed second-factor code without spaces or dashes, in lower case
    ("123 456" → "123456", "ABCD-EFGH" → "abcdefgh")."""
    return _SEPARATORS.sub("", typed or "").lower()


def code_is_totp(code: str) -> bool:
    """True when a normalised code has the shape of an authenticator app's
    code (six digits); anything else is tried as a recovery code."""
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def minutes_text(duration: timedelta) -> str:
    """A duration in whole minutes, rounded up, as words: "1 minute",
    "15 minutes"."""
    minutes = max(1, -(-int(duration.total_seconds()) // 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
