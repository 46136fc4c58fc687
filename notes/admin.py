"""Admin for note templates: shows the blanks it detected, refuses a body or
subject it cannot parse (saying the line and column), validates the
per-blank label / help / example settings."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from notes.blanks import BlankSyntaxError, merge_blanks, parse
from notes.forms import NoteTemplateAdminForm
from notes.models import NoteTemplate

OPTIONAL = "optional (its line is dropped when left empty)"


@admin.register(NoteTemplate)
class NoteTemplateAdmin(admin.ModelAdmin):
    form = NoteTemplateAdminForm
    list_display = ["title", "slug", "send_rule", "updated_at"]
    list_filter = ["send_rule"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["detected_blanks"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "subject", "body", "detected_blanks"]}),
        (
            "Blanks",
            {
                "fields": ["blank_settings"],
                "description": (
                    'Optional, per blank: {"your name": {"label": "Your name", '
                    '"help": "As you sign your e-mail", "example": "Sam Lee"}}. '
                    "Keys are blank names (any case)."
                ),
            },
        ),
        ("When to send", {"fields": ["send_rule", "send_after_days"]}),
    ]

    @admin.display(description="Blanks found")
    def detected_blanks(self, obj):
        """The blanks of the saved body and subject: name, required or optional."""
        if obj is None or obj.pk is None:
            return "Save to see the blanks found in the body and subject."
        try:
            blanks = merge_blanks(parse(obj.body), parse(obj.subject))
        except BlankSyntaxError as error:
            return format_html('<span class="errornote">{}</span>', str(error))
        if not blanks:
            return "No blanks: the note has nothing to fill in."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>[{}]</code> — {}</li>",
                ((blank.key, "required" if blank.required else OPTIONAL) for blank in blanks),
            ),
        )
