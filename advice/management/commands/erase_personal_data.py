"""``manage.py erase_personal_data EMAIL [--remove-text]``: anonymise a
reader's comments and delete their reader questions and queued mail
(advice.privacy)."""

from django.core.management.base import BaseCommand

from advice.privacy import cli
from advice.privacy.data import personal_data_erase


class Command(BaseCommand):
    help = (
        "Erase what is kept for an e-mail address (matched in any case): comments "
        'anonymised ("Anonymous"; e-mail, website and IP address cleared), their text '
        "kept unless --remove-text; reader questions and queued mail deleted."
    )

    def add_arguments(self, parser):
        cli.add_arguments(parser)
        parser.add_argument(
            "--remove-text",
            action="store_true",
            help='Also replace the comments\' text by "[removed]" and remove them.',
        )

    def handle(self, *args, email, by=None, remove_text=False, **options):
        email, user = cli.read_arguments(email, by)
        counts = personal_data_erase(email=email, remove_text=remove_text, by=user)
        self.stdout.write(
            f"Erased: {counts['comments']} comment(s) anonymised, "
            f"{counts['reader_questions']} reader question(s) and "
            f"{counts['queued_mail']} queued message(s) deleted."
        )
        if user is None:
            self.stderr.write("Not recorded in the admin's log (no --by account given).")
