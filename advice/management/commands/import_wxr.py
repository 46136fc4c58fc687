"""``manage.py import_wxr FILE [--dry-run]``: import a WordPress export."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from advice.wordpress.importer import wxr_import
from advice.wordpress.wxr import WXRError


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2): posts become articles, categories and "
        "tags topics, comments keep their threads. The file is checked first; nothing is "
        "written if it is not well-formed. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the WXR file WordPress exported (Tools > Export)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="do the whole import, report it, then roll it back (nothing is kept)",
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        bar = tqdm(desc="Importing", unit="item", file=self.stderr._out, disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            summary = wxr_import(file, dry_run=dry_run, progress=progress)
        except WXRError as exc:
            raise CommandError(f"{file}: {exc}. Nothing was imported.") from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror}).") from None
        finally:
            bar.close()
        for line in summary.lines():
            self.stdout.write(line)
