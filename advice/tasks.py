"""Work the task queue does besides mail: the daily jobs, and how far behind
the queue is.

This module owns the site's scheduled work (docs/architecture.md,
``tasks.py``). django-tasks has no scheduler: ``manage.py enqueue_daily``
(run once a day by cron or a systemd timer) calls :func:`daily_enqueue`,
which queues each job of :data:`DAILY`; the worker that sends the mail
(``manage.py db_worker``) runs them. Queueing a job that is already
waiting adds nothing, so a second cron run, or days of them while the
worker is stopped, leave one of each. A new daily job is a task here and
an entry in :data:`DAILY`.

:func:`queue_backlog` tells ``/healthz`` how many tasks are ready to run
and how long the oldest of them has waited (database backend only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from advice.comments.moderation import comments_ip_clear
from advice.comments.notify import subscriptions_prune
from advice.mailqueue import queue_database, task_waiting
from advice.related import related_mark_all, related_refresh

logger = logging.getLogger(__name__)


@task()
def comments_ip_clear_daily() -> int:
    """Blank the IP address and user agent of comments older than
    ``COMMENTS_IP_RETENTION_DAYS`` (:func:`advice.comments.moderation.comments_ip_clear`).
    Returns how many comments were cleared."""
    cleared = comments_ip_clear(
        older_than_days=settings.COMMENTS_IP_RETENTION_DAYS, now=timezone.now()
    )
    logger.info("Cleared the IP address of %d comment(s)", cleared)
    return cleared


@task()
def task_results_prune_daily() -> None:
    """Delete the queue's finished tasks older than 14 days (django-tasks-db's
    ``prune_db_task_results``): a sent mail's row holds its recipients and
    text, kept no longer than that. Does nothing on another backend."""
    if queue_database(task_results_prune_daily) is not None:  # the database backend
        call_command("prune_db_task_results", verbosity=0)


@task()
def comment_subscriptions_prune_daily() -> int:
    """End the reply subscriptions with no reply for
    ``COMMENTS_NOTIFY_RETENTION_DAYS`` and those never confirmed
    (:func:`advice.comments.notify.subscriptions_prune`). Returns how many
    ended."""
    ended = subscriptions_prune(now=timezone.now())
    logger.info("Ended %d reply subscription(s)", ended)
    return ended


@task()
def related_refresh_daily() -> int:
    """Work out every article's related list again
    (:func:`advice.related.related_mark_all`, then
    :func:`advice.related.related_refresh`): text similarity reads the
    search index, which new comments change without marking any list.
    Returns how many lists were worked out (about 17 ms each at 5,000
    articles)."""
    related_mark_all()
    return related_refresh()


# The jobs ``manage.py enqueue_daily`` queues.
DAILY: tuple[Task, ...] = (
    comments_ip_clear_daily,
    task_results_prune_daily,
    comment_subscriptions_prune_daily,
    related_refresh_daily,
)


def daily_enqueue() -> list[str]:
    """Queue each job of :data:`DAILY` that is not already waiting. Returns
    the names of the jobs queued. Raises what the backend raises when it
    cannot queue (the caller is a command, run again tomorrow)."""
    queued = []
    for job in DAILY:
        if not task_waiting(job):
            job.enqueue()
            queued.append(job.name)
    return queued


@dataclass(frozen=True)
class Backlog:
    """How far behind the queue is: ``ready`` tasks waiting to run, and the
    age in seconds of the oldest (0 when none); both ``None`` when the
    backend cannot say (only the database backend can)."""

    ready: int | None
    oldest_seconds: float | None


def queue_backlog() -> Backlog:
    """The queue's :class:`Backlog` now, in one query. A task deferred to a
    later time (a retry) counts once that time has come, and its age from
    then. Raises database errors."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return Backlog(ready=None, oldest_seconds=None)
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    found = DBTaskResult.objects.ready().aggregate(ready=Count("id"), since=Min(ready_since))
    oldest = (timezone.now() - found["since"]).total_seconds() if found["since"] else 0.0
    return Backlog(ready=found["ready"], oldest_seconds=max(oldest, 0.0))
