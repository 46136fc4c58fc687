"""Reader questions, from the Ask form to an answered question.

This module owns the question's workflow (docs/architecture.md,
``questions/``):

1. :func:`reader_question_submit` stores a question sent through the Ask
   form, unless the same IP address or e-mail sent one within
   ``COMMENTS_FLOOD_SECONDS`` (read from the ``ReaderQuestion`` table, so it
   holds across app servers), and e-mails ``MANAGERS`` a link to it in the
   admin.
2. In the admin an editor turns a question into a draft article
   (:func:`reader_question_make_article`): asker and question filled in,
   ``ReaderQuestion.article`` pointing at it.
3. When that article is published (admin save or bulk publish),
   :func:`reader_questions_mark_answered` marks the question answered and,
   when the reader consented, e-mails them the link.

E-mails go through :func:`advice.mail.mail_send` (templates in
``templates/advice/email/``, links from ``SITE_URL``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify

from advice.limits import flood_seconds, limit_lock, sender_flooding
from advice.mail import mail_send
from advice.models import Article, ReaderQuestion
from advice.search.highlight import TermMatcher
from advice.search.queries import search_article_ids
from advice.search.terms import query_terms
from advice.slugs import free_slug
from config.site import site_url

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


# --- Answers that may already fit ------------------------------------------------

SUGGESTION_CANDIDATES = 20  # ranked hits looked at for the suggestions
# How much a shared word counts toward "this answer is about the question":
# in the title (what the article is about) 2, in the reader's question it
# answers 1; a suggestion needs FITS_AT (2) in all. Words met only in the
# answer's body, its topics' names or its comments count nothing: there
# they are as often incidental ("your notes" in an article about a boss,
# "job" in the topic "On the job").
TITLE_WEIGHT, QUESTION_WEIGHT, FITS_AT = 2, 1, 2


def _shared(text: str, matcher: TermMatcher) -> set[str]:
    found: set[str] = set()
    for _start, _end, terms in matcher.words(text):
        found |= terms
    return found


def answer_suggestions(text: str | None, *, limit: int = 5) -> list[Article]:
    """Published articles that may already answer a reader's ``text`` (a
    question as typed so far; the last word may be unfinished), best first,
    at most ``limit``.

    The search index finds the candidates (any of the words; stop words
    dropped by :func:`advice.search.terms.query_terms`); one is kept only
    when the meaningful words it shares with ``text`` stand where it says
    what it is about: one in its title, or two in the reader's question it
    answers (see :data:`TITLE_WEIGHT`). Words are matched as search
    highlights them (same light stem). Two queries, or none when ``text``
    has no meaningful word."""
    terms = query_terms(text)
    if not terms or limit <= 0:
        return []
    ids = search_article_ids(text, any_term=True, prefix=True, limit=SUGGESTION_CANDIDATES)
    if not ids:
        return []
    found = Article.objects.only("title", "slug", "question").in_bulk(ids)
    matcher = TermMatcher(terms)
    kept = []
    for article_id in ids:
        article = found.get(article_id)
        if article is None:
            continue
        in_title = _shared(article.title, matcher)
        in_question = _shared(article.question, matcher) - in_title
        if TITLE_WEIGHT * len(in_title) + QUESTION_WEIGHT * len(in_question) >= FITS_AT:
            kept.append(article)
        if len(kept) == limit:
            break
    return kept


# --- Storing a question -----------------------------------------------------------


def reader_question_flooding(*, ip: str | None, email: str, now: datetime) -> bool:
    """True when a question came from the same ``ip`` or ``email`` (any case)
    less than ``COMMENTS_FLOOD_SECONDS`` before ``now`` (WordPress: 15 s;
    the rule is :mod:`advice.limits`'). Off when ``COMMENTS_TIMING_RULES`` is
    off or the setting is 0. Reads the ``ReaderQuestion`` table, so it holds
    across app servers."""
    return sender_flooding(
        ReaderQuestion.objects.all(), ip=ip, email=email, now=now, seconds=flood_seconds()
    )


def reader_question_submit(*, data: dict, ip: str | None, now: datetime) -> ReaderQuestion | None:
    """Store a reader's question and e-mail ``MANAGERS`` about it.

    ``data``: the form's cleaned values (name, email, question,
    consent_to_publish). Returns the new :class:`ReaderQuestion`, or ``None``
    when :func:`reader_question_flooding` refuses it (nothing stored). The
    check and the insert run in one transaction holding
    :func:`advice.limits.limit_lock` for ``ip`` and the e-mail, so
    concurrent posts from one sender store one question on SQLite and
    PostgreSQL. The e-mail goes after the transaction commits and links to
    the question in the admin (a mail failure is logged only)."""
    with transaction.atomic():
        # Check and insert as one step for every sender sharing the address
        # or e-mail (see advice.limits.limit_lock), so concurrent posts
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
    context = {
        "question": question,
        "asker": one_line(question.display_name, 60),
        "admin_url": site_url(reverse("admin:advice_readerquestion_change", args=[question.pk])),
    }
    transaction.on_commit(
        lambda: mail_send(template="advice/email/question_new", context=context, managers=True)
    )
    return question


# --- From question to article --------------------------------------------------


def unique_article_slug(title: str, *, fallback: str = "reader-question") -> str:
    """A slug for ``title`` not used by any article yet (``title``,
    ``title-2``, ``title-3``..., :func:`advice.slugs.free_slug`). Letters of
    any script are kept; a title with none gives ``fallback``. At most 200
    characters."""
    base = slugify(title, allow_unicode=True)[:180].strip("-") or fallback
    return free_slug(base, Article.objects.all(), max_length=200)


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
    *, articles: QuerySet | Iterable[Article], now: datetime | None = None
) -> int:
    """Mark answered the reader questions whose article is among ``articles``
    (a QuerySet or Articles) and is published at ``now``; questions already
    answered or declined are left alone. Each asker who consented to publish
    gets an e-mail with the article's link (after commit; a mail failure is
    logged only). Returns how many questions were marked. Scheduled articles
    are marked once they are published and this is called again."""
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
            _answered_mail(question)
    return len(questions)


def _answered_mail(question: ReaderQuestion) -> None:
    """E-mail the asker the link to the published answer, after commit."""
    context = {
        "question": question,
        "title": one_line(question.article.title, 120),
        "article_url": site_url(question.article.get_absolute_url()),
        "site_name": settings.SITE_NAME,
    }
    transaction.on_commit(
        lambda: mail_send(
            template="advice/email/question_answered", context=context, to=[question.email]
        )
    )
