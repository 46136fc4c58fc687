"""``manage.py restore_site DIR [--force]``: bring back a backup made by
``backup_site`` (advice/backup.py; ``make restore BACKUP=DIR``). Refuses a
database that already holds content unless ``--force``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advice.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore the database and uploaded media from a backup folder made by backup_site."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder (backups/<timestamp>/).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds content.",
        )

    def handle(self, *args, folder: str, force: bool, **options):
        try:
            manifest = backup_restore(Path(folder), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['taken_at']} from {folder}")
