"""Create the "Editors" group: may write and publish articles, topics, note
templates and flat pages (the privacy page's text) and turn reader
questions into draft articles; may not moderate comments or manage staff
accounts (the "Moderators" group of migration 0002 moderates)."""

from django.db import migrations

PERMISSIONS = [
    *(
        (app_label, model, f"{op}_{model}")
        for app_label, model in (
            ("advice", "article"),
            ("advice", "topic"),
            ("notes", "notetemplate"),
            ("flatpages", "flatpage"),
        )
        for op in ("add", "change", "delete", "view")
    ),
    ("advice", "readerquestion", "view_readerquestion"),
    ("advice", "readerquestion", "change_readerquestion"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    for app_label, model, codename in PERMISSIONS:
        perm = Permission.objects.get(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        )
        group.permissions.add(perm)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0008_comment_edits_and_reply_subscriptions"),
        ("notes", "0001_initial"),
        ("flatpages", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
