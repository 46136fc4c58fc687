"""Reply subscriptions in the admin: listed for moderators, never changed by
hand, ended by an action (:func:`advice.comments.notify.subscriptions_end`,
written in the trail). :mod:`advice.comments.admin` imports this module so
Django registers it."""

from __future__ import annotations

from django.contrib import admin, messages

from advice.comments.notify import subscriptions_end
from advice.models import CommentSubscription


@admin.register(CommentSubscription)
class CommentSubscriptionAdmin(admin.ModelAdmin):
    """Who asked for reply e-mails, on which comment, since when; read-only.
    "End the selected subscriptions" deletes them (no more e-mails; the
    address is not kept)."""

    list_display = [
        "email",
        "scope",
        "article",
        "comment_id",
        "confirmed",
        "created_at",
        "last_reply_at",
    ]
    list_filter = ["scope", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["email", "article__title"]
    fields = [
        "email", "scope", "article", "comment", "created_at",
        "confirmation_sent_at", "confirmed_at", "last_reply_at",
    ]  # fmt: skip
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    actions = ["end_subscriptions"]

    @admin.display(boolean=True, description="Confirmed", ordering="confirmed_at")
    def confirmed(self, obj):
        return obj.confirmed_at is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Ended through the action, which writes the trail without the address.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("advice.can_moderate"):
            actions.pop("end_subscriptions", None)
        return actions

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("advice.can_moderate") or super().has_view_permission(
            request, obj
        )

    @admin.action(description="End the selected subscriptions (no more e-mails)")
    def end_subscriptions(self, request, queryset):
        count = subscriptions_end(subscriptions=queryset, by=request.user, source="admin action")
        self.message_user(
            request, f"{count} subscription{'' if count == 1 else 's'} ended.", messages.SUCCESS
        )
