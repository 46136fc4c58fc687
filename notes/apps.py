from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Note drafting"
    default_auto_field = "django.db.models.BigAutoField"
