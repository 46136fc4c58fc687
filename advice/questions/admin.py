"""Reader questions in the admin: the editors' queue
(:class:`ReaderQuestionAdmin`, with its "make a draft article" action) and
the inline listing on an article's page the questions it answers
(:class:`ReaderQuestionInline`, used by ``advice.admin.ArticleAdmin``). The
work is done by :mod:`advice.questions.services`; see docs/architecture.md
(``questions/``).
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from advice.markdown import nesting_problem
from advice.models import ReaderQuestion
from advice.questions.services import reader_question_make_article
from advice.trail import ADDITION, trail_record


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


@admin.register(ReaderQuestion)
class ReaderQuestionAdmin(admin.ModelAdmin):
    """The editors' queue of reader questions. "Make a draft article from
    this question" turns each selected question into a draft article (see
    :func:`advice.questions.services.reader_question_make_article`); publishing that
    article marks the question answered."""

    list_display = [
        "display_name", "email", "status", "created_at", "consent_to_publish", "article_link",
    ]  # fmt: skip
    list_filter = ["status", "consent_to_publish"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "question"]
    raw_id_fields = ["article"]
    # The change page shows "Article" once (the field, whose widget links
    # the article); the list shows it as a link (article_link).
    exclude = ["ip_address"]
    readonly_fields = ["created_at", "ip_address_shown"]
    # What the reader said about themselves: who they are, where to answer
    # them, whether they consent to publication. Nobody edits it afterwards
    # (the "answered" e-mail goes only to a reader who consented).
    READER_FIELDS = ["name", "email", "consent_to_publish"]
    actions = ["make_draft_article"]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        return fields + self.READER_FIELDS if obj is not None else fields

    @admin.display(description="IP address")
    def ip_address_shown(self, obj):
        return obj.ip_address or "—"

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
            reader_question_make_article(question=question, author=request.user)
            for question in queryset.select_related("article")
        ]
        trail_record(user=request.user, objects=queryset, message="Draft article made")
        trail_record(
            user=request.user,
            objects=articles,
            message="Made from a reader question",
            action_flag=ADDITION,
        )
        for article in articles:
            # The draft keeps the reader's text as sent; saving it will ask
            # the editor to flatten what the renderer had to flatten.
            if problem := nesting_problem(article.question):
                self.message_user(request, f"{article.title}: {problem}", messages.WARNING)
        if len(articles) == 1:
            url = reverse("admin:advice_article_change", args=[articles[0].pk])
            return HttpResponseRedirect(url)
        self.message_user(request, f"{len(articles)} draft articles ready to answer.")
        return None

    def has_add_article_permission(self, request) -> bool:
        return request.user.has_perm("advice.add_article")
