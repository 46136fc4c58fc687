from django.contrib import admin

from notes.models import NoteTemplate


@admin.register(NoteTemplate)
class NoteTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "send_rule"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
