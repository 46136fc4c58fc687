"""An article's old slugs (issue 13, item 3): ``/articles/<old>/`` answers
301 to the article after a rename, and WordPress's ``_wp_old_slug`` values
are kept at import (``advice.slug_history``). Reversing drops the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('advice', '0010_comment_body_html'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArticleOldSlug',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(allow_unicode=True, max_length=200, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='old_slugs', to='advice.article')),
            ],
            options={
                'verbose_name': 'old slug',
                'ordering': ['-created_at', '-id'],
            },
        ),
    ]
