"""``manage.py export_wxr [FILE]``: the column as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advice.wordpress.export import wxr_export


class Command(BaseCommand):
    help = (
        "Write every article, topic and comment as a WordPress export (WXR 1.2) that "
        "WordPress's importer and import_wxr read. The file holds commenters' e-mail and "
        "IP addresses: keep it as personal data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="where to write the export (default: standard output)"
        )

    def handle(self, *args, file: str | None = None, **options):
        if not file or file == "-":
            self.stdout.ending = ""  # the XML goes out exactly as written
            summary = wxr_export(self.stdout)
            self.stderr.write(summary.line())
            return
        target = Path(file)
        # Written beside the target, then moved over it: a failed export never
        # leaves a half-written file, nor replaces an earlier one.
        try:
            handle, partial = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".partial", dir=target.parent or "."
            )
        except OSError as exc:
            raise CommandError(f"{file}: cannot write there ({exc.strerror}).") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                summary = wxr_export(stream)
            os.replace(partial, target)
        except OSError as exc:
            Path(partial).unlink(missing_ok=True)
            raise CommandError(f"{file}: cannot write the export ({exc.strerror}).") from None
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stderr.write(f"{summary.line()} Written to {file}.")
