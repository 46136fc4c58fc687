"""The comment moderation admin: the held queue, bulk approve / spam /
remove / restore, and who may change what on a comment.

Every status change goes through :mod:`advice.comments.moderation` (the same
actions any view would call); an edit or deletion touches the article
(:func:`advice.publishing.articles_touch`) so its cached page changes.
:mod:`advice.admin` imports this module, so Django's admin autodiscovery
registers :class:`CommentAdmin`. See docs/architecture.md ("``comments/``").
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.db import models
from django.utils.html import format_html
from django.utils.text import Truncator

from advice.admin_forms import LabelledSplitDateTime
from advice.comments import moderation, subscription_admin  # noqa: F401  (registers it)
from advice.comments.reply_admin import CommentAnswerMixin
from advice.models import Comment
from advice.publishing import articles_touch
from advice.trail import trail_recent_html
from advice.weblinks import WebURLValidator
from advice.wordpress.records import comment_body_html


def changed_message(count: int, verb: str, noun: str = "comment") -> str:
    """The message after a bulk admin action changed ``count`` rows of
    ``noun`` ("comment", "article"): '3 comments approved.' / '1 comment
    approved.' / 'No comment changed (the selected ones were approved
    already).'"""
    if count == 0:
        return f"No {noun} changed (the selected ones were {verb} already)."
    return f"{count} {noun}{'' if count == 1 else 's'} {verb}."


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


class ByColumnistFilter(admin.BooleanFieldListFilter):
    """The columnist flag's filter, titled so the admin's "By …" reads
    "By the columnist" (the field's own name would give "By by columnist")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "the columnist"


class CommentAdminForm(forms.ModelForm):
    """The comment change form: a reply stays on its parent's article."""

    class Meta:
        model = Comment
        fields = []  # CommentAdmin.fields says which, so its formfield_overrides apply
        widgets = {"created_at": LabelledSplitDateTime}  # each input named (axe)

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
class CommentAdmin(CommentAnswerMixin, admin.ModelAdmin):
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
        "status", "created_at", "user", "by_columnist", "ip_address_shown", "user_agent",
        "earlier_texts", "recent_activity",
    ]  # fmt: skip

    list_display = [
        "status", "article", "author", "created_at", "excerpt", "in_reply_to",
    ]  # fmt: skip
    list_display_links = ["excerpt"]
    list_filter = [
        CommentStatusFilter, ("by_columnist", ByColumnistFilter),
        ("article", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["author_name", "author_email", "body", "ip_address", "article__title"]
    list_select_related = ["article", "parent"]
    raw_id_fields = ["article", "parent", "user"]
    readonly_fields = ["ip_address_shown", "user_agent", "earlier_texts", "recent_activity"]
    # Commenters' websites are http/https only; a bare host is taken as https.
    # The "Currently:" link beside the field is drawn for http/https only.
    formfield_overrides = {
        models.URLField: {
            "assume_scheme": "https",
            "widget": AdminURLFieldWidget(validator_class=WebURLValidator),
        }
    }
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["approve_comments", "spam_comments", "remove_comments", "restore_comments"]

    def changelist_view(self, request, extra_context=None):
        held = Comment.objects.held().count()
        extra_context = {"title": f"Moderate comments: {held} held", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Author", ordering="author_name")
    def author(self, obj):
        name = f"{obj.author_name} <{obj.author_email}>" if obj.author_email else obj.author_name
        if not obj.website:  # http/https only, whatever is stored (Comment.website)
            return name
        return format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', obj.website, name)

    def view_on_site(self, obj):
        """The comment's permalink, offered only while the public can see
        the comment (its permalink is 404 otherwise)."""
        visible = Comment.objects.visible().filter(pk=obj.pk).exists()
        if not visible or not obj.article.is_published():
            return None
        return obj.get_absolute_url()

    @admin.display(description="IP address")
    def ip_address_shown(self, obj):
        return obj.ip_address or "—"

    @admin.display(description="Recent activity")
    def recent_activity(self, obj):
        return trail_recent_html(obj)

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
        if obj.body_html and "body" in form.changed_data:
            # An imported comment's body is WordPress HTML: show the edit.
            obj.body_html = comment_body_html(obj.body)
        super().save_model(request, obj, form, change)
        # An edited comment changes its article's page (and the one it left,
        # when an editor moved it): touch them for the caches.
        article_ids = {obj.article_id, form.initial.get("article")} - {None}
        articles_touch(article_ids=article_ids)

    def delete_model(self, request, obj):
        article_id = obj.article_id
        super().delete_model(request, obj)
        articles_touch(article_ids=[article_id])

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        articles_touch(article_ids=article_ids)

    def _moderate(self, request, queryset, action, verb):
        count = action(comments=queryset, by=request.user, source="bulk action")
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(request, changed_message(count, verb), level)

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
