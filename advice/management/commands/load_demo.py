from django.core.management.base import BaseCommand

from advice.demo import demo_load
from notes.demo import notes_demo_load


class Command(BaseCommand):
    help = "Load the demo articles, topics and comments (adds only what is missing)."

    def handle(self, *args, **options):
        created = demo_load()
        self.stdout.write(
            "Demo content: {articles} articles, {topics} topics, {comments} comments added.".format(
                **created
            )
        )
        self.stdout.write(f"Demo note templates: {notes_demo_load()} added.")
