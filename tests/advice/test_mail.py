"""E-mail the site sends: rendered from templates, links from SITE_URL
whatever Host the request carried, queued after the commit under a
Message-ID of its own, and a failing mail server logged while the reader's
(or editor's) request still succeeds. Tasks run at once here
(ImmediateBackend, tests/conftest.py); the queue itself, with a worker and
real mail servers, is tested in test_mail_queue.py."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from advice.comments.forms import form_token
from advice.mail import mail_render, mail_send
from advice.models import Article, Comment, ReaderQuestion
from advice.questions.forms import ask_token
from advice.questions.services import reader_question_make_article

SITE = "https://advice.example.org"
OTHER_HOST = "attacker.example"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPException("550 refused")


class TimingOutBackend(BaseEmailBackend):
    """A mail server that never answers."""

    def send_messages(self, messages):
        raise TimeoutError("timed out")


@pytest.fixture(autouse=True)
def site(db, settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    settings.MANAGERS = [("Editors", "editors@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _ask(client):
    data = {
        "name": "Bianca",
        "email": "bianca@example.com",
        "question": "Should I send a thank-you note?",
        "consent_to_publish": "on",
        "honeypot": "",
        "token": ask_token(timezone.now() - timedelta(seconds=10)),
    }
    return client.post("/ask/", data, HTTP_HOST=OTHER_HOST)


def _publish(staff_client, article):
    return staff_client.post(
        "/admin/advice/article/",
        {"action": "publish_articles", "_selected_action": [article.pk]},
        HTTP_HOST=OTHER_HOST,
    )


def _answerable(staff_client) -> Article:
    question = ReaderQuestion.objects.create(
        name="Ana", email="ana@example.com", question="How soon?", consent_to_publish=True
    )
    article = reader_question_make_article(question=question, author=staff_client.user)
    article.answer = "Give it a week."
    article.save()
    return article


def test_setting_bounds_the_wait_for_the_mail_server():
    from django.conf import settings

    assert settings.EMAIL_TIMEOUT == 10


def test_rendered_mail_is_plain_text_on_a_one_line_subject():
    subject, body = mail_render(
        "advice/email/question_answered",
        {
            "question": ReaderQuestion(name="Tom & Jerry's", email="t@example.com"),
            "title": "Tom & Jerry's <b>\ncase",
            "article_url": f"{SITE}/articles/x/",
            "site_name": "Ask",
        },
    )
    assert subject == "Your question is answered: Tom & Jerry's <b> case"
    assert body == (
        "Hello Tom & Jerry's,\n\nThank you for your question. The answer is published "
        f"here:\n\n{SITE}/articles/x/\n\n— Ask\n"
    )


def test_new_question_mail_links_to_site_url_not_the_request_host(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client).status_code == 303
    question = ReaderQuestion.objects.get()
    (message,) = mail.outbox
    assert f"{SITE}/admin/advice/readerquestion/{question.pk}/change/" in message.body
    assert OTHER_HOST not in message.body


def test_answered_mail_links_to_site_url_not_the_request_host(
    staff_client, django_capture_on_commit_callbacks
):
    article = _answerable(staff_client)
    with django_capture_on_commit_callbacks(execute=True):
        assert _publish(staff_client, article).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert f"{SITE}/articles/{article.slug}/" in message.body
    assert OTHER_HOST not in message.body


def test_held_comment_mail_links_to_site_url_not_the_request_host(
    client, make_article, django_capture_on_commit_callbacks
):
    article = make_article()
    data = {
        "name": "Ana",
        "email": "first-time@example.com",
        "url": "",
        "body": "A first comment, held for a moderator.",
        "honeypot": "",
        "token": form_token(article.pk, timezone.now() - timedelta(seconds=30)),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("advice:comment_post", args=[article.slug]), data, HTTP_HOST=OTHER_HOST)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    (message,) = mail.outbox
    assert f"{SITE}/admin/advice/comment/{comment.pk}/change/" in message.body
    assert f"{SITE}/admin/advice/comment/\n" in message.body
    assert OTHER_HOST not in message.body


@pytest.mark.parametrize("backend", ["RefusingBackend", "TimingOutBackend"])
def test_failing_mail_server_is_logged_and_the_question_still_stored(
    client, settings, caplog, django_capture_on_commit_callbacks, backend
):
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client)
    assert response.status_code == 303
    assert ReaderQuestion.objects.count() == 1
    assert "Could not send the e-mail advice/email/question_new" in caplog.text


@pytest.mark.parametrize("backend", ["RefusingBackend", "TimingOutBackend"])
def test_failing_mail_server_is_logged_and_publishing_still_succeeds(
    staff_client, settings, caplog, django_capture_on_commit_callbacks, backend
):
    article = _answerable(staff_client)
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    with django_capture_on_commit_callbacks(execute=True):
        assert _publish(staff_client, article).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.reader_questions.get().status == ReaderQuestion.Status.ANSWERED
    assert "Could not send the e-mail advice/email/question_answered" in caplog.text


def test_mail_without_recipients_is_not_sent():
    sent = mail_send(
        template="advice/email/question_answered",
        context={"question": ReaderQuestion(), "title": "", "article_url": "", "site_name": ""},
        to=[],
    )
    assert sent is False
    assert mail.outbox == []


def test_missing_template_is_logged_not_raised(caplog):
    assert mail_send(template="advice/email/nothing", context={}, to=["a@example.com"]) is False
    assert "Could not send the e-mail advice/email/nothing" in caplog.text


def test_message_carries_its_message_id_and_extra_headers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = mail_send(
            template="advice/email/question_answered",
            context={"question": ReaderQuestion(name="Ana"), "title": "T", "article_url": SITE},
            to=["ana@example.com"],
            headers={"List-Unsubscribe": f"<{SITE}/unsubscribe/x/>"},
        )
    assert sent is True
    (message,) = mail.outbox
    headers = message.message()
    assert headers["Message-ID"].startswith("<")
    assert headers["Message-ID"].endswith("@advice.example.org>")
    assert headers["List-Unsubscribe"] == f"<{SITE}/unsubscribe/x/>"


def test_mail_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        mail_send(
            template="advice/email/question_answered",
            context={"question": ReaderQuestion(name="Ana"), "title": "T", "article_url": SITE},
            to=["ana@example.com"],
        )
    assert len(queued) == 1
    assert mail.outbox == []
