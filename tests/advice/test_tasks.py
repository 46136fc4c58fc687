"""The queue's other work (advice/tasks.py): the daily jobs, queued by
``manage.py enqueue_daily`` and run by the worker; and the backlog that
``/healthz`` reports without letting it decide the status. On the real
database backend (django-tasks-db)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advice.mailqueue import mail_enqueue, mail_message
from advice.models import Comment
from advice.tasks import DAILY, Backlog, queue_backlog
from tests.advice.test_mail_queue import DB_BACKEND, run_worker


@pytest.fixture(autouse=True)
def queue(settings, db):
    settings.TASKS = DB_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def enqueue_daily() -> str:
    out = StringIO()
    call_command("enqueue_daily", stdout=out)
    return out.getvalue()


def queue_mails(count: int) -> None:
    for n in range(count):
        assert mail_enqueue(mail_message(subject=f"#{n}", body="x", to=["a@example.com"]))


# --- daily jobs --------------------------------------------------------------------


def test_daily_ip_clearing_runs_through_the_queue(
    transactional_db, make_article, make_comment, settings
):
    settings.COMMENTS_IP_RETENTION_DAYS = 90
    article = make_article()
    old = make_comment(article, ip_address="203.0.113.7", user_agent="Old browser")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    recent = make_comment(article, ip_address="203.0.113.8", user_agent="New browser")

    assert "comments_ip_clear_daily" in enqueue_daily()
    old.refresh_from_db()
    assert old.ip_address == "203.0.113.7"  # queued, not run by the command

    run_worker()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("203.0.113.8", "New browser")
    # With every other daily job (task and subscription pruning, related
    # lists); the content made above queued its own related-list refresh too.
    done = set(DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True))
    assert {job.module_path for job in DAILY} <= done


def test_enqueue_daily_twice_before_the_worker_runs_queues_each_job_once():
    enqueue_daily()
    assert "already waiting" in enqueue_daily()
    waiting = DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    assert sorted(waiting) == sorted(job.module_path for job in DAILY)


# --- backlog and /healthz -------------------------------------------------------------


def test_healthz_reports_the_backlog_and_its_age(client):
    queue_mails(3)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))

    response = client.get("/healthz")

    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "ok"
    assert lines[1] == "queue_ready 3"
    name, seconds = lines[2].split()
    assert name == "queue_oldest_ready_seconds"
    assert 300 <= int(seconds) < 400


def test_healthz_with_an_empty_queue(client):
    assert client.get("/healthz").content == b"ok\nqueue_ready 0\nqueue_oldest_ready_seconds 0\n"


def test_a_big_backlog_keeps_healthz_at_200(client):
    """A stalled worker must not take the app servers out of rotation."""
    queue_mails(500)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(days=2))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert b"queue_ready 500\n" in response.content


def test_a_deferred_retry_counts_once_due_and_ages_from_then():
    queue_mails(1)
    now = timezone.now()
    DBTaskResult.objects.update(
        run_after=now + timedelta(minutes=10), enqueued_at=now - timedelta(hours=1)
    )
    assert queue_backlog() == Backlog(ready=0, oldest_seconds=0.0)

    DBTaskResult.objects.update(run_after=now - timedelta(seconds=30))
    backlog = queue_backlog()
    assert backlog.ready == 1
    assert 30 <= backlog.oldest_seconds < 90  # since it was due, not since queued


def test_healthz_says_unknown_when_the_backend_cannot_count(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\nqueue_ready unknown\nqueue_oldest_ready_seconds unknown\n"
