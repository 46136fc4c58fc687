"""``manage.py requeue_stale_tasks``: a task a killed worker left RUNNING
goes back to the queue and runs again; one still running recently is left
alone."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advice.mailqueue import mail_deliver, mail_message

# transaction=True: the worker (run here) checks its connection between tasks.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _running(started_seconds_ago: float) -> DBTaskResult:
    result = mail_deliver.enqueue(mail_message(subject="S", body="B", to=["a@x.test"]))
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("killed-worker")
    DBTaskResult.objects.filter(id=row.id).update(
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago)
    )
    return row


def test_task_left_running_by_a_killed_worker_is_requeued_and_runs(database_queue, mailoutbox):
    stale, recent = _running(600), _running(5)
    out = StringIO()
    call_command("requeue_stale_tasks", "--older-than", "60", stdout=out)
    assert out.getvalue() == "Requeued 1 stale task(s).\n"
    assert DBTaskResult.objects.get(id=stale.id).status == "READY"
    assert DBTaskResult.objects.get(id=recent.id).status == "RUNNING"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.get(id=stale.id).status == "SUCCESSFUL"
    sent = [m.extra_headers["Message-ID"] for m in mailoutbox]
    assert sent == [stale.args_kwargs["args"][0]["message_id"]]  # its own Message-ID


def test_negative_age_is_refused(database_queue):
    with pytest.raises(CommandError, match="0 or more"):
        call_command("requeue_stale_tasks", "--older-than", "-1")
