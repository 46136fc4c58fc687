"""Production's session, cookie and staff-door settings, read in a fresh
process started with production's environment (``DEBUG=0``; see
tests/test_production.py), and the cookies a production login page sets."""

from __future__ import annotations

import json

import pytest

from tests.test_production import production_env, production_get, run, via_proxy

# Seconds each (a Python process per test): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

SETTINGS_SCRIPT = """
import json
import django
django.setup()
from django.conf import settings
names = [
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "REQUIRE_2FA_FOR_SUPERUSERS", "STAFF_REQUIRE_2FA", "STAFF_SESSION_IDLE_HOURS",
    "AXES_ENABLED", "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS",
    "AXES_CLIENT_IP_CALLABLE", "STAFF_PASSWORD_RESET_LIMIT",
]
values = {name: getattr(settings, name) for name in names}
values["AXES_COOLOFF_SECONDS"] = settings.AXES_COOLOFF_TIME.total_seconds()
print(json.dumps(values))
"""


def settings_of(env: dict[str, str]) -> dict:
    done = run(["-c", SETTINGS_SCRIPT], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_states_the_cookie_and_staff_settings(tmp_path):
    values = settings_of(production_env(tmp_path))

    assert values == {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "REQUIRE_2FA_FOR_SUPERUSERS": True,  # DEBUG off: superusers need a second factor
        "STAFF_REQUIRE_2FA": False,
        "STAFF_SESSION_IDLE_HOURS": 8,
        "AXES_ENABLED": True,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_LOCKOUT_PARAMETERS": ["username", "ip_address"],
        "AXES_CLIENT_IP_CALLABLE": "advice.client.request_client_address",
        "STAFF_PASSWORD_RESET_LIMIT": 5,
        "AXES_COOLOFF_SECONDS": 15 * 60,
    }


def test_the_staff_door_is_configured_from_the_environment(tmp_path):
    values = settings_of(
        production_env(
            tmp_path,
            STAFF_LOGIN_FAILURE_LIMIT="3",
            STAFF_LOGIN_COOLOFF_MINUTES="60",
            STAFF_LOGIN_THROTTLE="0",
            STAFF_REQUIRE_2FA="1",
            STAFF_SESSION_IDLE_HOURS="2",
        )
    )

    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_SECONDS"] == 60 * 60
    assert values["AXES_ENABLED"] is False
    assert values["STAFF_REQUIRE_2FA"] is True
    assert values["STAFF_SESSION_IDLE_HOURS"] == 2


def test_development_exempts_make_runs_admin_unless_asked(tmp_path):
    development = production_env(tmp_path, DEBUG="1")
    assert settings_of(development)["REQUIRE_2FA_FOR_SUPERUSERS"] is False
    assert (
        settings_of({**development, "REQUIRE_2FA_FOR_SUPERUSERS": "1"})[
            "REQUIRE_2FA_FOR_SUPERUSERS"
        ]
        is True
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, str]:
    """A migrated, collectstatic'ed production site; its environment."""
    env = production_env(tmp_path_factory.mktemp("production"))
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = run(["manage.py", *command, "--verbosity", "0"], env)
        assert done.returncode == 0, done.stderr
    return env


def test_the_production_login_page_sets_a_strict_csrf_cookie(production):
    (login,) = production_get(production, via_proxy("/admin/login/"))

    assert login["status"] == 200
    cookie = login["cookies"]["csrftoken"]
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie
    assert 'href="/admin/password_reset/"' in login["body"]
