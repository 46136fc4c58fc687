"""``manage.py export_personal_data EMAIL``: everything kept for one
reader's address, as JSON (default) or readable text (advice.privacy)."""

import json

from django.core.management.base import BaseCommand

from advice.privacy import cli
from advice.privacy.data import personal_data_export
from advice.privacy.text import export_as_text


class Command(BaseCommand):
    help = (
        "Export the comments, reader questions and queued mail kept for an e-mail "
        "address (matched in any case), as JSON or text, to standard output or a file."
    )

    def add_arguments(self, parser):
        cli.add_arguments(parser)
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here (default: stdout).")

    def handle(self, *args, email, by=None, format="json", output=None, **options):
        email, user = cli.read_arguments(email, by)
        export = personal_data_export(email=email, by=user)
        if format == "json":
            text = json.dumps(export, indent=2, ensure_ascii=False) + "\n"
        else:
            text = export_as_text(export)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Written to {output}.")
        else:
            self.stdout.write(text, ending="")
        if user is None:
            self.stderr.write("Not recorded in the admin's log (no --by account given).")
