"""``manage.py backup_site [--output DIR]``: a consistent copy of the
database and the uploaded media, taken while the site runs
(advice/backup.py; ``make backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from advice.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and uploaded media into DIR/<timestamp>/ (default backups/)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder that receives the timestamped backup folder (default: backups/).",
        )

    def handle(self, *args, output: str, **options):
        try:
            folder = backup_create(Path(output), now=timezone.now())
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {folder}")
