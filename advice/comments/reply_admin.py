"""The comment admin's answering tools: "Approve and reply" on a comment's
change page, the "In reply to" column of the queue, and the earlier texts
of a comment its writer edited (a read-only field).

:class:`CommentAnswerMixin` is mixed into
:class:`advice.comments.admin.CommentAdmin`; the button is drawn by
``templates/admin/advice/comment/change_form.html``; the work is
:func:`advice.comments.staff_reply.comment_approve_and_reply`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime

from advice.client import request_client_address
from advice.comments.staff_reply import comment_approve_and_reply
from advice.comments.submit import ClientInfo
from advice.models import Comment, acts_as_columnist
from advice.reader_fields import PlainTextField


def excerpt(text: str, chars: int = 80) -> str:
    """``text`` on one line, cut to ``chars`` characters with an ellipsis."""
    return Truncator(" ".join(text.split())).chars(chars) or "(empty)"


class ReplyForm(forms.Form):
    """The columnist's reply: plain text, as a reader's comment."""

    body = PlainTextField(
        label="Your reply",
        max_length=65525,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "dir": "auto"}),
    )


class CommentAnswerMixin:
    """For :class:`~advice.comments.admin.CommentAdmin`: the
    ``<id>/approve-and-reply/`` page and the "In reply to" column."""

    @admin.display(description="Earlier texts")
    def earlier_texts(self, obj):
        """The texts the comment had before its writer edited it, oldest
        first, with when each was replaced (read-only; escaped)."""
        revisions = list(obj.revisions.all()) if obj and obj.pk else []
        if not revisions:
            return "Never edited by its writer."
        return format_html(
            '<ol class="earlier-texts">{}</ol>',
            format_html_join(
                "",
                "<li><p>Replaced {}:</p><blockquote>{}</blockquote></li>",
                ((f"{localtime(r.replaced_at):%Y-%m-%d %H:%M:%S}", r.body) for r in revisions),
            ),
        )

    @admin.display(description="In reply to")
    def in_reply_to(self, obj):
        """The parent's author and the start of its text, linked to it; "—"
        for a top-level comment (``parent`` is joined by the list query)."""
        parent = obj.parent
        if parent is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>: {}',
            reverse("admin:advice_comment_change", args=[parent.pk]),
            parent.author_name,
            excerpt(parent.body, 60),
        )

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/approve-and-reply/",
                self.admin_site.admin_view(self.approve_and_reply_view),
                name="advice_comment_approve_and_reply",
            )
        ]
        return own + super().get_urls()

    def approve_and_reply_view(self, request, object_id):
        """GET: the reply form under the comment; POST: approve it and post
        the reply (:func:`comment_approve_and_reply`), then back to the held
        queue with a message; a refused reply shows the form again with the
        text and why. Needs the ``can_moderate`` permission and a staff
        account acting as the columnist."""
        if not (self.has_moderate_permission(request) and acts_as_columnist(request.user)):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=object_id)
        form = ReplyForm(request.POST or None)
        problem = ""
        if request.method == "POST" and form.is_valid():
            result = comment_approve_and_reply(
                comment=comment,
                body=form.cleaned_data["body"],
                user=request.user,
                client=ClientInfo(
                    ip=request_client_address(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                ),
                now=timezone.now(),
            )
            if result.stored:
                self.message_user(
                    request, "Comment approved and your reply posted.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:advice_comment_changelist"))
            problem = result.message
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Approve and reply",
            "comment": comment,
            "form": form,
            "problem": problem,
        }
        return TemplateResponse(
            request,
            "admin/advice/comment/approve_and_reply.html",
            context,
            status=400 if problem else 200,
        )
