"""Password reset by e-mail for staff (advice/staff/reset.py): Django's own
views under /admin/, the same answer whether or not the address exists,
mail only to a real staff address with a link from SITE_URL, and a limit
per address typed and per client address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

PASSWORD = "correct-horse-battery-1"
RESET = "/admin/password_reset/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True, email="editor@example.com"
    )


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST the reset form from ``address``; the mail it queues is sent when
    the request's transaction commits (advice.mail), so it is in
    ``mail.outbox`` afterwards."""

    def post(email: str, address: str = "198.51.100.10", **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email}, REMOTE_ADDR=address, headers=headers)

    return post


def test_the_admin_login_links_to_the_reset_form(client, db):
    page = client.get(reverse("admin:login"))
    assert f'href="{RESET}"' in page.text
    assert reverse("admin_password_reset") == RESET


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, ask, editor):
    known = ask("editor@example.com")
    known_page = client.get(known["Location"])
    unknown = ask("nobody@example.com", address="198.51.100.11")
    unknown_page = client.get(unknown["Location"])

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert known_page.status_code == unknown_page.status_code == 200
    assert known_page.content == unknown_page.content
    assert [message.to for message in mail.outbox] == [["editor@example.com"]]


def test_the_mail_links_to_the_public_site_and_the_link_sets_a_new_password(
    client, ask, editor, settings
):
    settings.SITE_URL = "https://advice.example"
    ask("Editor@Example.com", address="198.51.100.12")  # any case

    (message,) = mail.outbox
    assert message.subject == "Reset your password on Ask the Columnist"
    assert 'account "editor"' in message.body
    link = re.search(r"https://advice\.example(/admin/reset/\S+/)", message.body)[1]

    form = client.get(link, follow=True)  # Django moves the token into the session
    assert form.status_code == 200
    new = "another-horse-battery-2"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("password_reset_complete")
    editor.refresh_from_db()
    assert editor.check_password(new)


def test_the_request_host_never_reaches_the_mail(ask, editor, settings):
    settings.SITE_URL = "https://advice.example"
    settings.ALLOWED_HOSTS = ["advice.example", "evil.example"]
    ask("editor@example.com", Host="evil.example")

    (message,) = mail.outbox
    assert "evil.example" not in message.body
    assert "https://advice.example/admin/reset/" in message.body


def test_only_staff_accounts_get_a_mail(client, ask, django_user_model):
    django_user_model.objects.create_user(
        username="reader", password=PASSWORD, email="reader@example.com"
    )
    response = ask("reader@example.com")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_requests_for_one_address_are_limited(client, ask, editor):
    answers = [ask("editor@example.com", address=f"203.0.113.{n}") for n in range(7)]

    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 5  # STAFF_PASSWORD_RESET_LIMIT


def test_requests_from_one_client_address_are_limited(client, ask, editor, settings):
    settings.STAFF_PASSWORD_RESET_LIMIT = 2
    ask("someone@example.com", address="203.0.113.50")
    ask("someone-else@example.com", address="203.0.113.50")

    response = ask("editor@example.com", address="203.0.113.50")

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    # The same address from elsewhere is still served.
    ask("editor@example.com", address="203.0.113.51")
    assert len(mail.outbox) == 1


def test_a_bad_address_is_a_form_error_not_a_crash(client, db):
    response = client.post(RESET, {"email": "not an address\x00"})
    assert response.status_code == 200
    assert mail.outbox == []
