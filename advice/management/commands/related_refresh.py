"""``manage.py related_refresh``: work out every stale related list now
(:func:`advice.related.related_refresh`), e.g. right after the migration
that made them or a large import, instead of waiting for the queue."""

from django.core.management.base import BaseCommand

from advice.related import related_mark_all, related_refresh


class Command(BaseCommand):
    help = "Work out every stale related-articles list now and store it."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="mark every list stale first")

    def handle(self, *args, **options):
        if options["all"]:
            related_mark_all()
        done = related_refresh()
        self.stdout.write(f"Worked out {done} related list(s).")
