"""The staff page "Personal data": export or erase what is kept for one
e-mail address (WordPress's "Export / Erase Personal Data" tools).

Who may use it (:func:`can_handle_personal_data`): superusers, and staff
who may both change and delete comments and view and delete reader
questions (``advice.change_comment``, ``advice.delete_comment``,
``advice.view_readerquestion``, ``advice.delete_readerquestion``): an
erasure changes comments and deletes questions, so it asks for exactly the
permissions that would let them do it by hand. The "Moderators" group has
none of the deletions and may not. Everything is a POST with Django's CSRF
token; erasing takes a second, confirming POST. Anyone else gets the admin
login page (not staff) or 403 (staff without the permissions).
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from advice.privacy import data
from advice.privacy.forms import AddressForm, EraseForm
from advice.privacy.text import export_as_text

PERMISSIONS = (
    "advice.change_comment",
    "advice.delete_comment",
    "advice.view_readerquestion",
    "advice.delete_readerquestion",
)


def can_handle_personal_data(user) -> bool:
    """True for active staff holding every permission of :data:`PERMISSIONS`
    (superusers hold them all)."""
    return bool(user.is_active and user.is_staff and user.has_perms(PERMISSIONS))


def _allowed(request) -> None:
    if not can_handle_personal_data(request.user):
        raise PermissionDenied(
            "Only staff who may delete comments and questions handle personal data."
        )


def _page(request, template: str, status: int = 200, **context) -> TemplateResponse:
    context = {**admin.site.each_context(request), "title": "Personal data", **context}
    return TemplateResponse(request, template, context, status=status)


def _attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def personal_data(request):
    """GET: the form. POST ``email`` with ``action`` = ``export_json`` /
    ``export_text`` (a download) or ``erase`` (the confirmation page, saying
    what would be erased). A bad address shows the form again with why."""
    _allowed(request)
    if request.method != "POST":
        return _page(request, "admin/personal_data.html", form=AddressForm())
    form = AddressForm(request.POST)
    action = request.POST.get("action", "")
    if action not in {"export_json", "export_text", "erase"}:
        form.add_error(None, "Choose Export JSON, Export text or Erase.")
    if not form.is_valid():
        return _page(request, "admin/personal_data.html", form=form, status=400)
    email = form.cleaned_data["email"]
    if action == "erase":
        return _confirm_page(request, EraseForm(initial={"email": email, "text": "keep"}), email)
    export = data.personal_data_export(email=email, by=request.user)
    name = f"personal-data-{export['request']}"
    if action == "export_json":
        body = json.dumps(export, indent=2, ensure_ascii=False)
        return _attachment(body, "application/json; charset=utf-8", f"{name}.json")
    return _attachment(export_as_text(export), "text/plain; charset=utf-8", f"{name}.txt")


def _confirm_page(request, form: EraseForm, email: str, status: int = 200):
    return _page(
        request,
        "admin/personal_data_confirm.html",
        status=status,
        form=form,
        email=email,
        summary=data.personal_data_summary(email=email),
    )


def personal_data_erase(request):
    """POST the :class:`EraseForm`: erases and returns to the form with a
    message saying how many records changed; without the box ticked, the
    confirmation page again. Other methods: 405 (after the permission check,
    so a refused user learns nothing more)."""
    _allowed(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = EraseForm(request.POST)
    if not form.is_valid():
        email = request.POST.get("email", "")
        if "email" in form.errors:
            form = AddressForm(request.POST)
            return _page(request, "admin/personal_data.html", status=400, form=form)
        return _confirm_page(request, form, email, status=400)
    counts = data.personal_data_erase(
        email=form.cleaned_data["email"],
        remove_text=form.cleaned_data["text"] == "remove",
        by=request.user,
    )
    messages.success(
        request,
        f"Personal data erased: {counts['comments']} comment(s) anonymised, "
        f"{counts['reader_questions']} reader question(s) and "
        f"{counts['queued_mail']} queued message(s) deleted.",
    )
    return redirect("privacy_admin:personal_data")
