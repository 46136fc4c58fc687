"""The reader's side of reader questions: the Ask form (``/ask/``), its
confirmation page and the answer suggestions shown while the reader types.

A sent question is checked by :class:`advice.questions.forms.AskForm` (fields,
honeypot, signed token: 400 with the reader's text kept) and stored by
:func:`advice.questions.services.reader_question_submit` (flood limit: 429).
While they type, ``static/js/ask.js`` asks ``/ask/suggest/?q=``
(:func:`ask_suggest`) for published answers that may already fit. See
docs/architecture.md (``questions/``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from advice.client import request_client_address
from advice.questions.forms import AskForm
from advice.questions.services import answer_suggestions, reader_question_submit
from advice.reader_csrf import csrf_token_if_own_state
from advice.reader_state import has_own_state
from config.methods import allow_methods

SUGGESTIONS = 5  # answers offered while the reader types
MSG_FLOOD = (
    "You've just sent a question. Please wait {seconds} seconds before sending another; "
    "your text is kept below."
)


def _form_page(request, form: AskForm, *, message: str = "", status: int = 200) -> HttpResponse:
    """The Ask page with ``form`` and ``message`` above it, answered with
    HTTP ``status``."""
    return render(request, "advice/ask.html", {"form": form, "ask_message": message}, status=status)


# No CSRF token on a stateless reader's form: config.origin guards it (advice.reader_csrf).
@csrf_token_if_own_state
@allow_methods("GET", "HEAD", "POST")
def ask(request):
    """``/ask/``: the form (GET); a question sent (POST). Refusals show the
    form again with the reader's text and the reason: 400 for fields,
    honeypot or token, 429 for sending again too soon. Success: 303 to
    ``/ask/thanks/``. Every answer to a POST, and the form of a reader with
    state of their own (it holds their CSRF token), is ``no-store``; the
    form varies by cookie (a reader with state gets the token)."""
    now = timezone.now()
    if request.method != "POST":  # GET or HEAD
        response = _form_page(request, AskForm(now=now))
        patch_vary_headers(response, ["Cookie"])
        if has_own_state(request.COOKIES):
            add_never_cache_headers(response)
        return response
    response = _ask_post(request, now)
    add_never_cache_headers(response)
    return response


def _ask_post(request, now) -> HttpResponse:
    """The answer to a question sent at ``now`` (see :func:`ask`)."""
    form = AskForm(request.POST, now=now)
    if not form.is_valid():
        message = form.refusal_message()
        form.refresh_token()
        return _form_page(request, form, message=message, status=400)
    ip = request_client_address(request)
    question = reader_question_submit(data=form.cleaned_data, ip=ip, now=now)
    if question is None:
        form.refresh_token()
        message = MSG_FLOOD.format(seconds=settings.COMMENTS_FLOOD_SECONDS)
        return _form_page(request, form, message=message, status=429)
    return HttpResponseRedirect(reverse("advice:ask_thanks"), status=303)


@allow_methods("GET", "HEAD")
def ask_thanks(request):
    """``/ask/thanks/``: the confirmation page after a question is sent."""
    return render(request, "advice/ask_thanks.html")


@allow_methods("GET", "HEAD")
def ask_suggest(request):
    """``/ask/suggest/?q=<question so far>``: JSON ``{"results": [{"title":
    ..., "url": ...}]}`` with up to five published articles that may
    already answer it (:func:`advice.questions.services.answer_suggestions`:
    only those sharing a meaningful word where they say what they are
    about; the last word may be unfinished). Any ``q`` is safe; no words →
    no results."""
    articles = answer_suggestions(request.GET.get("q", ""), limit=SUGGESTIONS)
    results = [{"title": a.title, "url": a.get_absolute_url()} for a in articles]
    return JsonResponse({"results": results})
