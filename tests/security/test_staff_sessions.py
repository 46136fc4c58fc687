"""Staff sessions (advice/staff/middleware.py, Django's session auth hash):
an idle staff session ends after STAFF_SESSION_IDLE_HOURS; a password change
logs out every other session and keeps the one that changed it."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from advice.staff.middleware import LAST_ACTIVITY_KEY

PASSWORD = "correct-horse-battery-1"
ADMIN = "/admin/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


def last_active(client, hours_ago: float) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - hours_ago * 3600
    session.save()


def test_a_staff_session_records_activity_from_login(client, editor):
    client.force_login(editor)
    assert abs(client.session[LAST_ACTIVITY_KEY] - time.time()) < 3600


def test_a_staff_session_idle_for_eight_hours_ends(client, editor):
    client.force_login(editor)
    last_active(client, 8.01)

    response = client.get("/admin/advice/article/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=%2Fadmin%2Fadvice%2Farticle%2F"
    assert "_auth_user_id" not in client.session
    login = client.get(response["Location"])
    assert "logged out after 8 hours without activity" in login.text


def test_a_staff_session_used_within_the_limit_goes_on(client, editor):
    client.force_login(editor)
    last_active(client, 7.9)

    assert client.get(ADMIN).status_code == 200
    # The request counted as activity: the clock starts again.
    assert abs(client.session[LAST_ACTIVITY_KEY] - time.time()) < 3600


def test_the_idle_limit_comes_from_settings(client, editor, settings):
    settings.STAFF_SESSION_IDLE_HOURS = 1
    client.force_login(editor)
    last_active(client, 1.5)

    assert client.get(ADMIN).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_idle_session_also_ends_on_public_pages(client, editor, make_article):
    article = make_article()
    client.force_login(editor)
    last_active(client, 9)

    response = client.get(reverse("advice:article_detail", args=[article.slug]))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_password_change_logs_out_every_other_session(editor):
    here, elsewhere = Client(), Client()
    here.force_login(editor)
    elsewhere.force_login(editor)
    assert elsewhere.get(ADMIN).status_code == 200

    new = "another-horse-battery-2"
    response = here.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response["Location"] == reverse("admin:password_change_done")
    assert here.get(ADMIN).status_code == 200  # update_session_auth_hash kept this one
    answer = elsewhere.get(ADMIN)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


def test_a_password_reset_logs_out_every_session(client, editor):
    elsewhere = Client()
    elsewhere.force_login(editor)
    editor.set_password("reset-by-mail-horse-3")
    editor.save()

    assert elsewhere.get(ADMIN).status_code == 302
