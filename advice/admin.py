"""The editors' and moderators' admin."""

from django.contrib import admin, messages
from django.db import models
from markdownx.widgets import AdminMarkdownxWidget

from advice import publishing
from advice.admin_forms import ArticleAdminForm
from advice.comments.admin import changed_message  # also registers CommentAdmin
from advice.models import Article, Topic
from advice.questions import services as reader_questions
from advice.questions.admin import ReaderQuestionInline
from advice.quoted_notes.actions import make_note_template
from advice.trail import trail_recent_html


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [ReaderQuestionInline]
    list_display = [
        "title", "asker", "status", "published_at", "comment_status",
        "approved_comments", "held_comments",
    ]  # fmt: skip
    list_filter = ["status", "comment_status", "topics"]
    search_fields = ["title", "asker", "question", "answer"]
    actions = ["publish_articles", "open_comments", "close_comments", make_note_template]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    autocomplete_fields = ["author"]
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "asker", "question", "answer", "topics"]}),
        ("Publishing", {"fields": ["status", "published_at", "author"]}),
        ("Comments", {"fields": ["comment_status", "comments_close_at"]}),
        ("Activity", {"fields": ["recent_activity"]}),
    ]
    readonly_fields = ["recent_activity"]

    def get_queryset(self, request):
        # Counts annotated in the changelist query: no query per row.
        return super().get_queryset(request).with_approved_count().with_held_count()

    @admin.display(description="Recent activity")
    def recent_activity(self, obj):
        return trail_recent_html(obj)

    @admin.display(description="Approved", ordering="approved_comment_count")
    def approved_comments(self, obj):
        return obj.approved_comment_count

    @admin.display(description="Held", ordering="held_comment_count")
    def held_comments(self, obj):
        return obj.held_comment_count

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        reader_questions.reader_questions_mark_answered(articles=[obj])
        private = obj.reader_questions.filter(consent_to_publish=False).count()
        if private and obj.status == Article.Status.PUBLISHED:
            self.message_user(
                request,
                f"{private} reader question(s) answered here did not consent to publication: "
                "make sure the article does not quote them word for word.",
                messages.WARNING,
            )

    # Publishing edits articles; opening and closing comments is moderation
    # (moderators open or close comments per article, in bulk).
    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish_articles(self, request, queryset):
        unanswered = queryset.drafts().without_answer()
        unanswered_titles = list(unanswered.values_list("title", flat=True))
        count = publishing.articles_publish(
            articles=queryset, by=request.user, source="bulk action"
        )
        reader_questions.reader_questions_mark_answered(articles=queryset)
        self.message_user(request, changed_message(count, "published", "article"))
        if unanswered_titles:
            self.message_user(
                request,
                "Not published, as they have no answer yet: " + "; ".join(unanswered_titles),
                messages.WARNING,
            )

    @admin.action(description="Open comments on the selected articles", permissions=["moderate"])
    def open_comments(self, request, queryset):
        count = publishing.articles_set_comment_status(
            articles=queryset,
            status=Article.CommentStatus.OPEN,
            by=request.user,
            source="bulk action",
        )
        self.message_user(request, changed_message(count, "opened for comments", "article"))

    @admin.action(description="Close comments on the selected articles", permissions=["moderate"])
    def close_comments(self, request, queryset):
        count = publishing.articles_set_comment_status(
            articles=queryset,
            status=Article.CommentStatus.CLOSED,
            by=request.user,
            source="bulk action",
        )
        self.message_user(request, changed_message(count, "closed for comments", "article"))

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("advice.can_moderate")
