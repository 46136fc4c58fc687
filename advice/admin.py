"""The editors' and moderators' admin."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from markdownx.widgets import AdminMarkdownxWidget

from advice.comments import moderation
from advice.markdown import nesting_problem
from advice.models import Article, Comment, ReaderQuestion, Topic
from advice.questions import views as reader_questions
from advice.quoted_notes.actions import make_note_template


def _changed_message(count: int, verb: str, noun: str = "comment") -> str:
    """'3 comments approved.' / '1 comment approved.' / 'No comment changed.'"""
    if count == 0:
        return f"No {noun} changed (the selected ones were {verb} already)."
    return f"{count} {noun}{'' if count == 1 else 's'} {verb}."


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
        count = moderation.articles_publish(articles=queryset)
        reader_questions.reader_questions_mark_answered(articles=queryset, request=request)
        self.message_user(request, _changed_message(count, "published", "article"))
        if unanswered_titles:
            self.message_user(
                request,
                "Not published, as they have no answer yet: " + "; ".join(unanswered_titles),
                messages.WARNING,
            )

    @admin.action(description="Open comments on the selected articles", permissions=["moderate"])
    def open_comments(self, request, queryset):
        count = moderation.articles_set_comment_status(
            articles=queryset, status=Article.CommentStatus.OPEN
        )
        self.message_user(request, _changed_message(count, "opened for comments", "article"))

    @admin.action(description="Close comments on the selected articles", permissions=["moderate"])
    def close_comments(self, request, queryset):
        count = moderation.articles_set_comment_status(
            articles=queryset, status=Article.CommentStatus.CLOSED
        )
        self.message_user(request, _changed_message(count, "closed for comments", "article"))

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("advice.can_moderate")


class CommentStatusFilter(admin.SimpleListFilter):
    """Status filter whose default (no choice made) is the held queue; "All"
    is an explicit choice (``?status=all``)."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.ALL, "All")]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class CommentAdminForm(forms.ModelForm):
    """The comment change form: a reply stays on its parent's article."""

    class Meta:
        model = Comment
        fields = []  # CommentAdmin.fields says which, so its formfield_overrides apply

    def clean(self):
        cleaned = super().clean()
        article, parent = cleaned.get("article"), cleaned.get("parent")
        if parent is not None:
            if self.instance.pk is not None and parent.pk == self.instance.pk:
                self.add_error("parent", "A comment cannot reply to itself.")
            elif article is not None and parent.article_id != article.pk:
                self.add_error("parent", "A reply must be to a comment on the same article.")
        return cleaned


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: opens on held comments, bulk approve / spam /
    remove / restore through :mod:`advice.comments.moderation` (``can_moderate``).

    Who may change what on the change form:

    - ``status`` only through the actions, for everyone, so every status
      change goes through :mod:`advice.comments.moderation`'s transitions (and its log);
    - what says who wrote a comment and where it stands
      (:attr:`PLACEMENT_FIELDS`: the columnist flag, the account, the
      article, the parent, the time) only by editors: users with
      ``advice.change_article`` (superusers have every permission). A
      moderator (the "Moderators" group: ``change_comment`` +
      ``can_moderate``, no ``change_article``) sees them read-only;
    - the author's name, e-mail and website and the text stay editable for
      moderators (removing a spam link or an address posted by mistake is
      moderation).
    """

    PLACEMENT_FIELDS = ["by_columnist", "user", "article", "parent", "created_at"]

    form = CommentAdminForm
    fields = [
        "article", "parent", "author_name", "author_email", "author_url", "body",
        "status", "created_at", "user", "by_columnist", "ip_address", "user_agent",
    ]  # fmt: skip

    list_display = [
        "status", "article", "author", "created_at", "excerpt", "ip_address",
    ]  # fmt: skip
    list_display_links = ["excerpt"]
    list_filter = [
        CommentStatusFilter, "by_columnist", ("article", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["author_name", "author_email", "body", "ip_address", "article__title"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "parent", "user"]
    readonly_fields = ["ip_address", "user_agent"]
    # Commenters' websites are http/https only; a bare host is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["approve_comments", "spam_comments", "remove_comments", "restore_comments"]

    def changelist_view(self, request, extra_context=None):
        held = Comment.objects.held().count()
        extra_context = {"title": f"Moderate comments: {held} held", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Author", ordering="author_name")
    def author(self, obj):
        return f"{obj.author_name} <{obj.author_email}>" if obj.author_email else obj.author_name

    @admin.display(description="Comment")
    def excerpt(self, obj):
        return Truncator(" ".join(obj.body.split())).chars(80) or "(empty)"

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("advice.can_moderate")

    def can_change_placement(self, request) -> bool:
        """True for editors (``advice.change_article``; superusers too)."""
        return request.user.has_perm("advice.change_article")

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        if obj is not None:  # an existing comment: status only via the actions
            fields.append("status")
        if not self.can_change_placement(request):
            fields.extend(self.PLACEMENT_FIELDS)
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # An edited comment changes its article's page (and the one it left,
        # when an editor moved it): touch them for the caches.
        article_ids = {obj.article_id, form.initial.get("article")} - {None}
        moderation.articles_touch(article_ids=article_ids)

    def delete_model(self, request, obj):
        article_id = obj.article_id
        super().delete_model(request, obj)
        moderation.articles_touch(article_ids=[article_id])

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        moderation.articles_touch(article_ids=article_ids)

    def _moderate(self, request, queryset, action, verb):
        count = action(comments=queryset, by=request.user)
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(request, _changed_message(count, verb), level)

    @admin.action(description="Approve the selected comments", permissions=["moderate"])
    def approve_comments(self, request, queryset):
        self._moderate(request, queryset, moderation.comment_approve, "approved")

    @admin.action(description="Mark the selected comments as spam", permissions=["moderate"])
    def spam_comments(self, request, queryset):
        self._moderate(request, queryset, moderation.comment_spam, "marked as spam")

    @admin.action(description="Remove the selected comments", permissions=["moderate"])
    def remove_comments(self, request, queryset):
        self._moderate(request, queryset, moderation.comment_remove, "removed")

    @admin.action(
        description="Restore the selected comments (removed or spam → approved)",
        permissions=["moderate"],
    )
    def restore_comments(self, request, queryset):
        self._moderate(request, queryset, moderation.comment_restore, "restored")


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
