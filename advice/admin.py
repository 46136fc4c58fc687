"""The editors' and moderators' admin."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from markdownx.widgets import AdminMarkdownxWidget

from advice import publishing
from advice.comments.admin import changed_message  # also registers CommentAdmin
from advice.markdown import nesting_problem
from advice.models import Article, ReaderQuestion, Topic
from advice.questions import views as reader_questions
from advice.quoted_notes.actions import make_note_template


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ReaderQuestionInline(admin.TabularInline):
    """On an article's page: the reader questions it answers (the other end
    of ``ReaderQuestion.article``), each linking to its own page."""

    model = ReaderQuestion
    fields = ["display_name", "status", "consent_to_publish", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "reader question answered here"
    verbose_name_plural = "reader questions answered here"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
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
    ]

    def get_queryset(self, request):
        # Counts annotated in the changelist query: no query per row.
        return super().get_queryset(request).with_approved_count().with_held_count()

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
        reader_questions.reader_questions_mark_answered(articles=[obj], request=request)
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
        count = publishing.articles_publish(articles=queryset)
        reader_questions.reader_questions_mark_answered(articles=queryset, request=request)
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
            articles=queryset, status=Article.CommentStatus.OPEN
        )
        self.message_user(request, changed_message(count, "opened for comments", "article"))

    @admin.action(description="Close comments on the selected articles", permissions=["moderate"])
    def close_comments(self, request, queryset):
        count = publishing.articles_set_comment_status(
            articles=queryset, status=Article.CommentStatus.CLOSED
        )
        self.message_user(request, changed_message(count, "closed for comments", "article"))

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("advice.can_moderate")


@admin.register(ReaderQuestion)
class ReaderQuestionAdmin(admin.ModelAdmin):
    """The editors' queue of reader questions. "Make a draft article from
    this question" turns each selected question into a draft article (see
    :func:`advice.questions.views.reader_question_make_article`); publishing that
    article marks the question answered."""

    list_display = [
        "display_name", "email", "status", "created_at", "consent_to_publish", "article_link",
    ]  # fmt: skip
    list_filter = ["status", "consent_to_publish"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "question"]
    raw_id_fields = ["article"]
    readonly_fields = ["article_link", "created_at", "ip_address"]
    # What the reader said about themselves: who they are, where to answer
    # them, whether they consent to publication. Nobody edits it afterwards
    # (the "answered" e-mail goes only to a reader who consented).
    READER_FIELDS = ["name", "email", "consent_to_publish"]
    actions = ["make_draft_article"]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        return fields + self.READER_FIELDS if obj is not None else fields

    @admin.display(description="Article")
    def article_link(self, obj):
        if not obj.article_id:
            return "—"
        url = reverse("admin:advice_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)

    @admin.action(
        description="Make a draft article from this question", permissions=["add_article"]
    )
    def make_draft_article(self, request, queryset):
        articles = [
            reader_questions.reader_question_make_article(question=question, author=request.user)
            for question in queryset.select_related("article")
        ]
        for article in articles:
            # The draft keeps the reader's text as sent; saving it will ask
            # the editor to flatten what the renderer had to flatten.
            if problem := nesting_problem(article.question):
                self.message_user(request, f"{article.title}: {problem}", messages.WARNING)
        if len(articles) == 1:
            url = reverse("admin:advice_article_change", args=[articles[0].pk])
            return HttpResponseRedirect(url)
        self.message_user(request, f"{len(articles)} draft articles ready to answer.")

    def has_add_article_permission(self, request) -> bool:
        return request.user.has_perm("advice.add_article")
