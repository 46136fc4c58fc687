"""``/articles/<slug>/comments/<id>/edit/``: the writer edits or removes their
own comment (web layer of :mod:`advice.comments.editing`).

A plain page with the text in a form: it works without JavaScript. GET shows
it to the browser that may edit (else 403 and why, showing nothing of the
comment); POST saves the text, or removes the comment when the "Remove"
button was pressed. Both POSTs need the CSRF token (the browser cookie is
what authenticates them). Every refusal keeps the text that was sent, in
the form, with the reason.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache

from advice.comments import cookies
from advice.comments.editing import (
    comment_edit,
    comment_editable,
    comment_withdraw,
    edit_refusal_message,
)
from advice.comments.views import comment_address
from advice.models import Article
from advice.reader_fields import PlainTextField
from advice.reader_refusals import ReaderText
from config.methods import allow_methods

MSG_FIELDS = "Your change was not saved: please correct the text below."


class CommentEditForm(ReaderText, forms.Form):
    """The new text of a comment: plain text, 1 to 65,525 characters (the
    comment form's limit), NULs taken out and some of it visible
    (:class:`advice.reader_refusals.ReaderText`)."""

    field_nouns = {"body": "comment"}

    body = PlainTextField(
        label="Your comment",
        max_length=65525,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )


def _page(request, article, *, form, comment=None, message="", status=200):
    response = render(
        request,
        "advice/comments/comment_edit.html",
        {
            "article": article,
            "comment": comment,
            "form": form,
            "message": message,
            "minutes": settings.COMMENTS_EDIT_MINUTES,
        },
        status=status,
    )
    patch_vary_headers(response, ["Cookie"])  # the answer depends on the browser token
    return response


@never_cache
@allow_methods("GET", "HEAD", "POST")
def comment_edit_view(request, slug: str, pk: int):
    """Edit or remove comment ``pk`` of the published article ``slug``.

    GET: the form with the comment's text (200), or 403 with
    :func:`advice.comments.editing.edit_refusal_message` for any browser that
    may not (another browser, a guessed id, an imported comment, after
    ``COMMENTS_EDIT_MINUTES``). POST: ``body`` saved (303 to the comment),
    or with ``remove`` the comment removed (303 to the comments); refused:
    400 for a bad text, 403 as for GET, the sent text kept in the form."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    now = timezone.now()
    token = cookies.browser_token(request)
    key = cookies.browser_key_hash(token) if token else ""
    comment = article.comments.filter(pk=pk).first()
    allowed = comment is not None and comment_editable(comment, browser_key=key, now=now)

    if request.method != "POST":
        if not allowed:
            return _page(
                request, article, form=CommentEditForm(), message=edit_refusal_message(), status=403
            )
        return _page(
            request, article, form=CommentEditForm(initial={"body": comment.body}), comment=comment
        )

    form = CommentEditForm(request.POST)
    if "remove" in request.POST:
        result = comment_withdraw(article=article, comment_id=pk, browser_key=key, now=now)
        if result.done:
            return HttpResponseRedirect(f"{article.get_absolute_url()}#comments", status=303)
        return _page(request, article, form=form, message=result.message, status=403)
    if not allowed:
        return _page(request, article, form=form, message=edit_refusal_message(), status=403)
    if not form.is_valid():
        return _page(request, article, form=form, comment=comment, message=MSG_FIELDS, status=400)
    result = comment_edit(
        article=article, comment_id=pk, browser_key=key, body=form.cleaned_data["body"], now=now
    )
    if not result.done:
        return _page(request, article, form=form, message=result.message, status=403)
    return HttpResponseRedirect(comment_address(article, pk, token), status=303)
