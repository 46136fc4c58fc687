"""``manage.py enqueue_daily``: queue the daily jobs (IP clearing, pruning
the queue's old rows) for the worker. django-tasks has no scheduler: run
this once a day from cron or a systemd timer (advice/tasks.py)."""

from django.core.management.base import BaseCommand

from advice.tasks import daily_enqueue


class Command(BaseCommand):
    help = (
        "Queue the daily jobs (clear old comments' IP addresses, prune finished "
        "tasks) for the task worker. Run once a day (cron)."
    )

    def handle(self, *args, **options):
        queued = daily_enqueue()
        if queued:
            self.stdout.write(f"Queued: {', '.join(queued)}.")
        else:
            self.stdout.write("Nothing queued: every daily job is already waiting.")
