"""Someone hears about errors (advice/error_mail.py): an unexpected error is
mailed to ADMINS through the mail queue, never during the request, and a
storm of errors is one message a minute that counts the rest."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import path
from django_tasks_db.models import DBTaskResult

from advice.error_mail import WINDOW_KEY
from tests.advice.test_cache_outage import broken_cache, silent_redis  # noqa: F401 (fixtures)

# transaction=True: the worker (run here) checks its connection between tasks.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def boom(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("boom/", boom)]


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Ana Ruiz", "ana@x.test"), ("b@x.test", "b@x.test")]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _fail(times: int = 1, **post) -> None:
    client = Client(raise_request_exception=False)
    for _ in range(times):
        response = client.post("/boom/", post) if post else client.get("/boom/")
        assert response.status_code == 500


def _queued() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="mail_deliver").count()


def _send_queued() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_unexpected_error_reaches_admins_through_the_queue(admins, mailoutbox):
    _fail()
    assert mailoutbox == []  # nothing sent during the request
    assert _queued() == 1
    _send_queued()
    (message,) = mailoutbox
    assert message.to == ["ana@x.test", "b@x.test"]
    assert "Internal Server Error: /boom/" in message.subject
    assert "Request: GET /boom/" in message.body
    assert "RuntimeError: the view failed" in message.body
    assert message.extra_headers["Message-ID"]


def test_a_storm_of_errors_in_a_minute_is_one_message(admins, mailoutbox):
    _fail(100)
    assert _queued() == 1
    _send_queued()
    assert len(mailoutbox) == 1


def test_the_next_message_counts_the_errors_not_mailed(admins, mailoutbox):
    _fail(101)
    cache.delete(WINDOW_KEY)  # the minute has passed (the window's key expired)
    _fail()
    _send_queued()
    first, second = mailoutbox
    assert "not mailed" not in first.body
    assert "100 more error(s) since the last message were not mailed" in second.body


def test_the_readers_text_is_not_mailed(admins, mailoutbox):
    _fail(body="my private words", email="reader@x.test")
    _send_queued()
    assert "my private words" not in mailoutbox[0].body
    assert "reader@x.test" not in mailoutbox[0].body


def test_without_admins_nothing_is_queued(settings, mailoutbox):
    settings.ADMINS = []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _fail(3)
    assert _queued() == 0


@pytest.mark.usefixtures("broken_cache")
def test_a_failing_cache_is_asked_once_then_rested_and_errors_still_counted(monkeypatch):
    # One policy for all cache use (config.cache): after the first failure
    # the error-mail window lives in the process and the cache is rested,
    # so a Redis that never answers costs one timeout, not one per error.
    from advice import error_mail
    from advice.error_mail import error_mail_claim
    from config import cache as cache_policy

    monkeypatch.setattr(error_mail, "_local_window_ends", 0.0)  # no window open yet
    monkeypatch.setattr(error_mail, "_local_suppressed", 0)
    cache_policy.reset()
    assert error_mail_claim() == 0  # this process's own window opens
    assert not cache_policy.cache_available()
    assert error_mail_claim() is None  # counted in that window, cache not asked
