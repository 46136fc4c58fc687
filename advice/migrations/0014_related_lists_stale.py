"""Every existing article gets a related list marked stale, so the first
refresh after this migration (the queue's next related-list job, the daily
job, or ``manage.py related_refresh``) works them all out; until then an
article shows no related list rather than a wrong one."""

from django.db import migrations
from django.utils import timezone


def lists_mark_stale(apps, schema_editor):
    Article = apps.get_model("advice", "Article")
    RelatedList = apps.get_model("advice", "RelatedList")
    now = timezone.now()
    RelatedList.objects.bulk_create(
        [
            RelatedList(article_id=pk, stale_since=now)
            for pk in Article.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("advice", "0013_merge_0012_related_articles_0012_site_version")]

    operations = [migrations.RunPython(lists_mark_stale, migrations.RunPython.noop)]
