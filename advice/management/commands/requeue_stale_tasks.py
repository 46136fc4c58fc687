"""``manage.py requeue_stale_tasks --older-than SECONDS``: put back in the
queue the tasks a killed worker left running.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL
or FAILED when it ends; a worker killed in between (SIGKILL, the machine
lost) leaves the row RUNNING for ever and the task never runs. This command
returns every RUNNING task started more than ``--older-than`` seconds ago
to READY, so the next worker runs it again. Run it from cron with a bound
longer than any task can take (default an hour: a mail attempt takes at
most ``EMAIL_TIMEOUT`` seconds), or by hand after a worker was killed.

A task run again may repeat what its first run did before the kill: the
mail task (advice/mailqueue.py) then sends its message again under the
same ``Message-ID``, so the receiving side recognises the repeat
(delivery is at least once).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

DEFAULT_OLDER_THAN = 60 * 60  # seconds


def stale_tasks_requeue(*, older_than: float, now) -> int:
    """Return to READY every django-tasks-db task RUNNING since before
    ``now - older_than`` seconds (started time cleared, so its age counts
    again from the next claim). Returns how many were requeued."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now - timedelta(seconds=older_than)
    return (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .update(status="READY", started_at=None)
    )


class Command(BaseCommand):
    help = (
        "Return tasks left RUNNING by a killed worker (started more than "
        "--older-than seconds ago) to the queue, so a worker runs them again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_OLDER_THAN,
            metavar="SECONDS",
            help=f"Requeue tasks running longer than this (default {DEFAULT_OLDER_THAN}).",
        )

    def handle(self, *args, older_than: float, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more seconds.")
        count = stale_tasks_requeue(older_than=older_than, now=timezone.now())
        self.stdout.write(f"Requeued {count} stale task(s).")
