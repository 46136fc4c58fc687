"""Stored related-article lists (advice.related). Every existing article
gets a list marked stale, so the first refresh (``manage.py
related_refresh``, or the task the next content change queues) works them
all out; until then an article shows no related list."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('advice', '0011_article_old_slugs'),
    ]

    operations = [
        migrations.CreateModel(
            name='RelatedArticle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('shared_topics', models.PositiveSmallIntegerField(default=0)),
                ('similar', models.BooleanField(default=False)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='related_entries', to='advice.article')),
                ('related', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='listed_in', to='advice.article')),
            ],
            options={
                'ordering': ['article', 'position'],
            },
        ),
        migrations.CreateModel(
            name='RelatedList',
            fields=[
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='advice.article')),
                ('stale_since', models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True)),
                ('by_similarity', models.BooleanField(default=False)),
            ],
        ),
        migrations.AddConstraint(
            model_name='relatedarticle',
            constraint=models.UniqueConstraint(fields=('article', 'position'), name='related_article_position'),
        ),
        migrations.RunSQL(
            "INSERT INTO advice_relatedlist (article_id, stale_since, by_similarity) "
            "SELECT id, CURRENT_TIMESTAMP, FALSE FROM advice_article",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
