"""``manage.py import_wxr FILE [--dry-run] [--update] [--report CSV]
[--media-dir DIR]``: import a WordPress export."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from advice.wordpress.importer import wxr_import
from advice.wordpress.media import MediaLinks
from advice.wordpress.summary import write_report
from advice.wordpress.wxr import WXRError


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2): posts become articles, categories and "
        "tags topics, comments keep their threads. The file is checked first; nothing is "
        "written if it is not well-formed. Running it again adds nothing and keeps "
        "articles changed here since their import (--update overwrites them). The "
        "summary gives each article's new address."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the WXR file WordPress exported (Tools > Export)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="do the whole import, report it, then roll it back (nothing is kept)",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite articles changed here since their import with the file's version",
        )
        parser.add_argument(
            "--media-dir",
            metavar="DIR",
            help="a copy of the old site's wp-content/uploads/: the images the articles use "
            "are checked like editor uploads, stored here and their links rewritten",
        )
        parser.add_argument(
            "--report",
            metavar="CSV",
            help="write each article's old address, new address, title and status to this CSV",
        )

    def handle(
        self,
        *args,
        file: str,
        dry_run: bool,
        update: bool,
        report: str | None,
        media_dir: str | None = None,
        **options,
    ):
        if media_dir is not None and not Path(media_dir).is_dir():
            raise CommandError(f"{media_dir}: not a folder. Nothing was imported.")
        bar = tqdm(desc="Importing", unit="item", file=self.stderr._out, disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        # The report's file is opened first: one that cannot be written stops
        # the command before anything is imported.
        try:
            out = open(report, "w", newline="", encoding="utf-8") if report else None  # noqa: SIM115
        except OSError as exc:
            bar.close()
            raise CommandError(
                f"{report}: cannot write the report ({exc.strerror}). Nothing was imported."
            ) from None
        try:
            summary = wxr_import(
                file,
                dry_run=dry_run,
                update=update,
                progress=progress,
                media=MediaLinks(media_dir),
            )
            if out is not None:
                write_report(summary, out)
        except WXRError as exc:
            raise CommandError(f"{file}: {exc}. Nothing was imported.") from None
        except OSError as exc:
            raise CommandError(f"{exc.filename}: cannot read the file ({exc.strerror}).") from None
        finally:
            bar.close()
            if out is not None:
                out.close()
        for line in summary.lines():
            self.stdout.write(line)
        if out is not None:
            self.stdout.write(f"Report written to {report}")
