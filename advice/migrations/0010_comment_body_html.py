"""WordPress import fidelity (issue 13).

* ``Comment.body_html``: the sanitised HTML of an imported comment, rendered
  once at import from WordPress's own HTML (kept as-is in ``body``). Empty
  for comments written here, which keep their plain-text rendering.
* ``Article.imported_at``: when the importer last wrote the article. A
  re-import leaves an article alone when its ``content_changed_at`` is later
  (an editor changed it here). Articles imported before this migration have
  no import time; a re-import keeps them unless ``--update`` is given.

Reversing drops both columns.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0009_editors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="imported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
