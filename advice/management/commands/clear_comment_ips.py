"""``manage.py clear_comment_ips``: forget commenters' IP addresses after the
retention period. Meant to run daily (cron, a systemd timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from advice.comments.moderation import comments_ip_clear


class Command(BaseCommand):
    help = (
        "Clear the IP address and user agent of comments older than "
        "COMMENTS_IP_RETENTION_DAYS (default 90). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep addresses this many days (default: COMMENTS_IP_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        if days is None:
            days = settings.COMMENTS_IP_RETENTION_DAYS
        if days is None or days < 0:
            raise CommandError("The retention period must be zero or more days.")
        cleared = comments_ip_clear(older_than_days=days, now=timezone.now())
        self.stdout.write(f"Cleared the IP address of {cleared} comment(s) older than {days} days.")
