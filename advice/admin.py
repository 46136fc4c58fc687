"""The editors' and moderators' admin."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from markdownx.widgets import AdminMarkdownxWidget

from advice.models import Article, Comment, ReaderQuestion, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title", "asker", "status", "published_at", "comment_status",
        "approved_comments", "held_comments",
    ]  # fmt: skip
    list_filter = ["status", "comment_status", "topics"]
    search_fields = ["title", "asker", "question", "answer"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    autocomplete_fields = ["author"]
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "asker", "question", "answer", "topics"]}),
        ("Publishing", {"fields": ["status", "published_at", "author"]}),
        ("Comments", {"fields": ["comment_status", "comments_close_at"]}),
    ]

    def get_queryset(self, request):
        # Counts annotated in the changelist query: no query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_count=Count(
                    "comments", filter=Q(comments__status=Comment.Status.APPROVED)
                ),
                held_count=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
            )
        )

    @admin.display(description="Approved", ordering="approved_count")
    def approved_comments(self, obj):
        return obj.approved_count

    @admin.display(description="Held", ordering="held_count")
    def held_comments(self, obj):
        return obj.held_count

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "article", "status", "created_at", "short_body"]
    list_filter = ["status", "by_columnist", ("article", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["author_name", "author_email", "body", "ip_address"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "parent", "user"]
    date_hierarchy = "created_at"

    @admin.display(description="Comment")
    def short_body(self, obj):
        return obj.body[:80]


@admin.register(ReaderQuestion)
class ReaderQuestionAdmin(admin.ModelAdmin):
    list_display = ["display_name", "email", "status", "created_at", "consent_to_publish"]
    list_filter = ["status", "consent_to_publish"]
    search_fields = ["name", "email", "question"]
    raw_id_fields = ["article"]
