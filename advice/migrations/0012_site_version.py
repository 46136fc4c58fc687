"""The site version (issue 14, item 3): one row whose counter every change
to a public page moves, the whole-page cache's key (``advice.site_version``).
The row is made here; reversing drops the table."""

import django.utils.timezone
from django.db import migrations, models


def make_row(apps, schema_editor):
    apps.get_model("advice", "SiteVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [
        ('advice', '0011_article_old_slugs'),
    ]

    operations = [
        migrations.CreateModel(
            name='SiteVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveBigIntegerField(default=0)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'site version',
            },
        ),
        migrations.RunPython(make_row, migrations.RunPython.noop),
    ]
