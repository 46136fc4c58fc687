"""Reader questions: the Ask form, answer suggestions, and the path from a
question to a published article.

Workflow:

1. A reader fills in ``/ask/`` (:func:`ask`). The form has the same guards
   as the comment form: a honeypot field, a signed timestamp
   (``COMMENTS_SIGNATURE_MIN_AGE`` / ``COMMENTS_SIGNATURE_MAX_AGE``, checked
   when ``COMMENTS_TIMING_RULES`` is on) and a flood limit read from the
   ``ReaderQuestion`` table (same IP address or e-mail within
   ``COMMENTS_FLOOD_SECONDS`` → 429), so it holds across app servers. A stored
   question is e-mailed to ``MANAGERS`` and the reader is redirected to a
   confirmation page. While they type, ``static/js/ask.js`` asks
   ``/ask/suggest/?q=`` (:func:`ask_suggest`) for published answers that may
   already fit.
2. In the admin an editor turns a question into a draft article
   (:func:`reader_question_make_article`): asker and question filled in,
   ``ReaderQuestion.article`` pointing at it.
3. When that article is published (admin save or bulk publish),
   :func:`reader_questions_mark_answered` marks the question answered and,
   when the reader consented, e-mails them the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mail_managers, send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_GET, require_http_methods

from advice.comments.forms import PlainTextField, reject_surrogates
from advice.comments.submit import client_address, limit_lock
from advice.models import Article, ReaderQuestion
from advice.search.queries import search_article_ids
from advice.signed_forms import TokenProblem, form_token_make, form_token_problem

QUESTION_MAX_CHARS = 5000
SUGGESTIONS = 5  # answers offered while the reader types
ASK_TOKEN_SALT = "advice.questions.ask-token"

MSG_HONEYPOT = (
    "Your question could not be accepted: a field that people leave empty was filled in. "
    "Your text is kept below."
)
MSG_TOKEN_BAD = (
    "This form could not be checked (it may have been changed). Your text is kept below; "
    "please send it again."
)
MSG_TOKEN_OLD = (
    "This form was open for too long and has expired. Your text is kept below; please "
    "send it again."
)
MSG_TOKEN_FAST = (
    "That was sent faster than a person can type. Your text is kept below; please wait a "
    "moment and send it again."
)
MSG_FLOOD = (
    "You've just sent a question. Please wait {seconds} seconds before sending another; "
    "your text is kept below."
)
MSG_FIELDS = "Your question was not sent: please correct the fields marked below."
_TOKEN_MESSAGES = {
    TokenProblem.BAD: MSG_TOKEN_BAD,
    TokenProblem.OLD: MSG_TOKEN_OLD,
    TokenProblem.FAST: MSG_TOKEN_FAST,
}


# --- Pure rules ---------------------------------------------------------------


def ask_token(now: datetime) -> str:
    """A signed token for the Ask form made at ``now`` (see
    :mod:`advice.signed_forms`), under its own salt, so a comment form's token
    does not pass here."""
    return form_token_make(salt=ASK_TOKEN_SALT, now=now)


def check_ask_token(
    token: str | None, *, now: datetime, min_age: int, max_age: int, timing: bool = True
) -> str | None:
    """Check a token from :func:`ask_token`: ``None`` when good, else the
    reader-facing reason. A bad signature is always refused; with ``timing``
    a token older than ``max_age`` or younger than ``min_age`` seconds is
    refused too."""
    problem = form_token_problem(
        token, salt=ASK_TOKEN_SALT, now=now, min_age=min_age, max_age=max_age, timing=timing
    )
    return _TOKEN_MESSAGES[problem] if problem else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s")


def one_line(text: str, limit: int = 80) -> str:
    """``text`` on one line (control characters and runs of blanks become
    one space), cut at a word to at most ``limit`` characters with "…".
    Safe for an e-mail subject (no header injection)."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return Truncator(flat).chars(limit)


def question_title(question: str, limit: int = 80) -> str:
    """A first draft of an article title from a reader's ``question``: its
    first sentence (up to ``.``, ``?`` or ``!``) on one line, cut to
    ``limit`` characters. "Reader question" when the text has none."""
    flat = one_line(question, limit=10_000)
    first = _SENTENCE_END.split(flat, maxsplit=1)[0] if flat else ""
    return Truncator(first).chars(limit) or "Reader question"


# --- The form ---------------------------------------------------------------------


class AskForm(forms.Form):
    """The Ask form. ``name`` may be blank (shown as "Anonymous");
    ``question`` up to 5,000 characters; ``honeypot`` must stay empty;
    ``token`` is :func:`ask_token`, checked against ``now``."""

    name = PlainTextField(
        label="Name",
        max_length=200,
        required=False,
        help_text='Leave blank to ask as "Anonymous".',
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=100,
        help_text="Never shown. We write to you when your question is answered.",
        validators=[reject_surrogates],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    question = PlainTextField(
        label="Your question",
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
    )
    consent_to_publish = forms.BooleanField(
        label="The columnist may publish my question with an answer (without my e-mail address).",
        required=False,
    )
    honeypot = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["token"].initial = ask_token(self.now)

    def clean_honeypot(self) -> str:
        if self.cleaned_data.get("honeypot"):
            raise ValidationError(MSG_HONEYPOT)
        return ""

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "")
        problem = check_ask_token(
            token,
            now=self.now,
            min_age=settings.COMMENTS_SIGNATURE_MIN_AGE,
            max_age=settings.COMMENTS_SIGNATURE_MAX_AGE,
            timing=settings.COMMENTS_TIMING_RULES,
        )
        if problem:
            raise ValidationError(problem)
        return token

    def refusal_message(self) -> str:
        """Why the form was refused ("" when it was not)."""
        if not self.is_bound or not self.errors:
            return ""
        for name in ("honeypot", "token"):
            if name in self.errors:
                return self.errors[name][0]
        return MSG_FIELDS

    def refresh_token(self) -> None:
        """Give a refused, bound form a fresh token and an empty honeypot so
        the reader can send it again with their text kept."""
        data = self.data.copy()
        data["token"] = ask_token(self.now)
        data["honeypot"] = ""
        self.data = data


# --- Storing a question -----------------------------------------------------------


def reader_question_flooding(*, ip: str | None, email: str, now: datetime) -> bool:
    """True when a question came from the same ``ip`` or ``email`` (any case)
    less than ``COMMENTS_FLOOD_SECONDS`` before ``now`` (WordPress: 15 s).
    Off when ``COMMENTS_TIMING_RULES`` is off or the setting is 0. Reads the
    ``ReaderQuestion`` table, so it holds across app servers."""
    seconds = settings.COMMENTS_FLOOD_SECONDS or 0
    if not settings.COMMENTS_TIMING_RULES or seconds <= 0:
        return False
    same = Q(email__iexact=email)
    if ip:
        same |= Q(ip_address=ip)
    return ReaderQuestion.objects.filter(
        same, created_at__gt=now - timedelta(seconds=seconds)
    ).exists()


def reader_question_submit(*, data: dict, ip: str | None, now: datetime, request=None):
    """Store a reader's question and e-mail ``MANAGERS`` about it.

    ``data``: the form's cleaned values (name, email, question,
    consent_to_publish). Returns the new :class:`ReaderQuestion`, or ``None``
    when :func:`reader_question_flooding` refuses it (nothing stored). The
    check and the insert run in one transaction holding
    :func:`advice.comments.submit.limit_lock` for ``ip`` and the e-mail, so
    concurrent posts from one sender store one question on SQLite and
    PostgreSQL. The e-mail goes after the transaction commits and links to
    the question in the admin."""
    with transaction.atomic():
        # Check and insert as one step for every sender sharing the address
        # or e-mail (see advice.comments.submit.limit_lock), so concurrent posts
        # store one question.
        limit_lock("question", ip, data["email"])
        if reader_question_flooding(ip=ip, email=data["email"], now=now):
            return None
        question = ReaderQuestion.objects.create(
            name=data.get("name", ""),
            email=data["email"],
            question=data["question"],
            consent_to_publish=bool(data.get("consent_to_publish")),
            ip_address=ip,
            created_at=now,
        )
    path = reverse("admin:advice_readerquestion_change", args=[question.pk])
    link = request.build_absolute_uri(path) if request else settings.SITE_URL.rstrip("/") + path
    transaction.on_commit(
        lambda: mail_managers(
            f"New reader question from {one_line(question.display_name, 60)}",
            f"{question.display_name} asks:\n\n{question.question}\n\n"
            f"Consent to publish: {'yes' if question.consent_to_publish else 'no'}\n"
            f"In the admin: {link}\n",
            fail_silently=True,
        )
    )
    return question


# --- From question to article --------------------------------------------------


def unique_article_slug(title: str, *, fallback: str = "reader-question") -> str:
    """A slug for ``title`` not used by any article yet (``title``,
    ``title-2``, ``title-3``...). Letters of any script are kept; a title
    with none gives ``fallback``. At most 200 characters."""
    base = slugify(title, allow_unicode=True)[:180].strip("-") or fallback
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def reader_question_make_article(*, question: ReaderQuestion, author=None) -> Article:
    """Make a draft article from a reader's ``question``: title from its
    first sentence (:func:`question_title`), asker its display name, the
    question text as the article's question, the answer empty for the
    editor. Links it (``question.article``). When the question already has
    an article, returns that one and makes nothing new."""
    if question.article_id:
        return question.article
    with transaction.atomic():
        title = question_title(question.question)
        article = Article.objects.create(
            title=title,
            slug=unique_article_slug(title),
            asker=question.display_name,
            question=question.question,
            answer="",
            status=Article.Status.DRAFT,
            author=author,
        )
        question.article = article
        question.save(update_fields=["article"])
    return article


def reader_questions_mark_answered(
    *, articles: QuerySet | Iterable[Article], now: datetime | None = None, request=None
) -> int:
    """Mark answered the reader questions whose article is among ``articles``
    (a QuerySet or Articles) and is published at ``now``; questions already
    answered or declined are left alone. Each asker who consented to publish
    gets an e-mail with the article's link (after commit). Returns how many
    questions were marked. Scheduled articles are marked once they are
    published and this is called again."""
    now = now or timezone.now()
    if isinstance(articles, QuerySet):
        article_ids = articles.values("id")
    else:
        article_ids = [a.pk for a in articles]
    questions = list(
        ReaderQuestion.objects.filter(
            status=ReaderQuestion.Status.NEW,
            article__in=Article.objects.published(now).filter(id__in=article_ids),
        ).select_related("article")
    )
    if not questions:
        return 0
    ReaderQuestion.objects.filter(id__in=[q.pk for q in questions]).update(
        status=ReaderQuestion.Status.ANSWERED
    )
    for question in questions:
        if question.consent_to_publish and question.email:
            _answered_mail(question, request)
    return len(questions)


def _answered_mail(question: ReaderQuestion, request) -> None:
    path = question.article.get_absolute_url()
    link = request.build_absolute_uri(path) if request else settings.SITE_URL.rstrip("/") + path
    subject = f"Your question is answered: {one_line(question.article.title, 120)}"
    body = (
        f"Hello {question.display_name},\n\n"
        f"Thank you for your question. The answer is published here:\n\n{link}\n\n"
        f"— {settings.SITE_NAME}\n"
    )
    transaction.on_commit(
        lambda: send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [question.email], fail_silently=True
        )
    )


# --- Views ------------------------------------------------------------------------


def _form_page(request, form: AskForm, *, message: str = "", status: int = 200):
    return render(request, "advice/ask.html", {"form": form, "ask_message": message}, status=status)


@require_http_methods(["GET", "POST"])
def ask(request):
    """``/ask/``: the form (GET); a question sent (POST). Refusals show the
    form again with the reader's text and the reason: 400 for fields,
    honeypot or token, 429 for sending again too soon. Success: 303 to
    ``/ask/thanks/``."""
    now = timezone.now()
    if request.method == "GET":
        return _form_page(request, AskForm(now=now))
    form = AskForm(request.POST, now=now)
    if not form.is_valid():
        message = form.refusal_message()
        form.refresh_token()
        return _form_page(request, form, message=message, status=400)
    ip = client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.COMMENTS_TRUSTED_PROXIES,
    )
    question = reader_question_submit(data=form.cleaned_data, ip=ip, now=now, request=request)
    if question is None:
        form.refresh_token()
        message = MSG_FLOOD.format(seconds=settings.COMMENTS_FLOOD_SECONDS)
        return _form_page(request, form, message=message, status=429)
    return HttpResponseRedirect(reverse("advice:ask_thanks"), status=303)


@require_GET
def ask_thanks(request):
    """``/ask/thanks/``: the confirmation page after a question is sent."""
    return render(request, "advice/ask_thanks.html")


@require_GET
def ask_suggest(request):
    """``/ask/suggest/?q=<question so far>``: JSON ``{"results": [{"title":
    ..., "url": ...}]}`` with up to five published articles that may
    already answer it (any of the words; the last word may be unfinished).
    Any ``q`` is safe; no words → no results."""
    ids = search_article_ids(
        request.GET.get("q", ""), any_term=True, prefix=True, limit=SUGGESTIONS
    )
    articles = Article.objects.in_bulk(ids) if ids else {}
    results = [
        {"title": articles[i].title, "url": articles[i].get_absolute_url()}
        for i in ids
        if i in articles
    ]
    return JsonResponse({"results": results})
