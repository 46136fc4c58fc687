from django.core.management.base import BaseCommand

from advice.demo import demo_load
from advice.models import Article
from notes.demo import notes_demo_load


class Command(BaseCommand):
    help = (
        "Load the demo articles, topics, comments and note templates into a site "
        "that has no article yet (`make run` calls it every time). With --force, "
        "add whatever demo content is missing even when articles exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add missing demo content even when the site already has articles.",
        )

    def handle(self, *args, force: bool = False, **options):
        # Once a site has articles, demo content an editor deleted stays deleted.
        if not force and Article.objects.exists():
            self.stdout.write("The site has articles already: demo content not loaded.")
            return
        created = demo_load()
        self.stdout.write(
            "Demo content: {articles} articles, {topics} topics, {comments} comments added.".format(
                **created
            )
        )
        self.stdout.write(f"Demo note templates: {notes_demo_load()} added.")
