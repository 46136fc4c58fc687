"""``Article.content_changed_at``: when the article's own content (title,
asker, question, answer, author, topics) last changed, apart from comment
activity. Feeds, the sitemap and JSON-LD read it; ``updated_at`` stays the
page caches' version and moves with comments too.

Existing rows are filled with the earlier of ``published_at`` and
``updated_at``:

* not ``updated_at`` alone: every comment posted, approved, removed or
  edited has moved it (``advice.publishing.articles_touch``), so it would
  date each discussed article at its last comment, the very fault this
  field fixes (feed readers showing an old article as new again);
* for a published article the publish time is the last change known for
  sure; an edit made after publishing cannot be told apart from comment
  activity and is given up (the article looks older, never newer; its next
  edit sets the true time);
* a draft or scheduled article's publish time may lie in the future; its
  ``updated_at`` (its last save) is then the earlier one, and the time
  shown to feeds is never before the publish time anyway
  (``Article.modified_at``).

The column is added with the migration's time for every row (the field's
default), then set in one UPDATE. Reversing drops the column.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Least


def fill_content_changed(apps, schema_editor):
    Article = apps.get_model("advice", "Article")
    Article.objects.update(content_changed_at=Least("published_at", "updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0006_search_per_comment"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="content_changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the title, asker, question, answer, author or topics last changed.",
                verbose_name="content changed",
            ),
        ),
        migrations.RunPython(fill_content_changed, migrations.RunPython.noop, elidable=True),
    ]
