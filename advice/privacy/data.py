"""What the site keeps for one e-mail address, and its export and erasure.

Each kind of record a reader leaves is a :class:`Source` in :data:`SOURCES`
(comments and their earlier texts, reply subscriptions, reader questions,
mail waiting in the task queue). A new kind of record that holds an
address is one more :class:`Source` there: export and erasure (and the
"nothing left in any table" test) then cover it with no other change.

Addresses match case-insensitively (``Reader@Example.com`` is
``reader@example.com``). The trail names a request by :func:`request_key`
(a keyed hash of the address), so the log keeps who did what and when
without keeping the address it was asked to forget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from advice.models import Article, Comment, CommentRevision, CommentSubscription, ReaderQuestion
from advice.publishing import articles_touch
from advice.search.sqlite import COMMENT_FTS_TABLE
from advice.trail import CHANGE, DELETION, trail_record

ANONYMOUS = "Anonymous"
REMOVED_TEXT = "[removed]"
ADDRESS_REMOVED = "[e-mail removed]"
ERASED_QUESTION = "[erased reader question]"


def normalise_address(email: str) -> str:
    """``email`` as matched and hashed: surrounding white space dropped,
    lower case."""
    return email.strip().lower()


def request_key(email: str) -> str:
    """The name of a request for ``email`` in the trail: 16 hex characters
    of an HMAC of the normalised address keyed with ``SECRET_KEY`` (the same
    address always gives the same key; the key does not give the address)."""
    return salted_hmac("advice.privacy", normalise_address(email)).hexdigest()[:16]


@dataclass(frozen=True)
class Source:
    """One kind of record holding an address. ``export(email)`` returns a
    list of plain JSON values, one per record; ``erase(email, remove_text,
    by, key)`` erases them, writes their trail entries and returns how many
    records it changed or deleted."""

    name: str
    export: Callable[[str], list[dict]]
    erase: Callable[..., int]


def _article_ref(article) -> dict | None:
    if article is None:
        return None
    return {"id": article.pk, "title": article.title, "url": article.get_absolute_url()}


def _time(value) -> str | None:
    return value.isoformat() if value else None


# --- comments ---------------------------------------------------------------


def _comments(email: str):
    return Comment.objects.filter(author_email__iexact=normalise_address(email))


def comments_export(email: str) -> list[dict]:
    """Every comment written under ``email``, whatever its status."""
    return [
        {
            "id": c.pk,
            "article": _article_ref(c.article),
            "reply_to": c.parent_id,
            "created_at": _time(c.created_at),
            "status": c.get_status_display(),
            "name": c.author_name,
            "email": c.author_email,
            "website": c.author_url,
            "comment": c.body,
            "ip_address": c.ip_address,
            "user_agent": c.user_agent,
        }
        for c in _comments(email).select_related("article").order_by("created_at", "id")
    ]


def _without_address(body: str, email: str) -> str:
    return re.sub(re.escape(normalise_address(email)), ADDRESS_REMOVED, body, flags=re.IGNORECASE)


def comments_erase(email: str, *, remove_text: bool, by, key: str) -> int:
    """Anonymise the comments written under ``email``: name "Anonymous";
    e-mail, website, IP address, user agent and browser token cleared. The
    text is kept (the address itself cut out of it) or, with
    ``remove_text``, replaced by "[removed]" and the comment removed (soft:
    its replies keep their place). Earlier trail entries are renamed to the
    anonymised comment."""
    comments = list(_comments(email))
    for comment in comments:
        comment.author_name = ANONYMOUS
        comment.author_email = comment.author_url = comment.user_agent = comment.browser_key = ""
        comment.ip_address = None
        if remove_text:
            comment.body, comment.status = REMOVED_TEXT, Comment.Status.REMOVED
            comment.body_html = ""  # an imported comment's rendering goes with its text
        else:
            comment.body = _without_address(comment.body, email)
            comment.body_html = _without_address(comment.body_html, email)
    fields = ["author_name", "author_email", "author_url", "user_agent", "browser_key"]
    Comment.objects.bulk_update(comments, [*fields, "ip_address", "body", "body_html", "status"])
    articles_touch(article_ids={c.article_id for c in comments})
    _rename_trail(comments, lambda comment: str(comment)[:200])
    what = "author anonymised, text removed" if remove_text else "author anonymised, text kept"
    trail_record(user=by, objects=comments, message=f"Personal data erased: {what} (request {key})")
    return len(comments)


# --- reader questions -------------------------------------------------------


def _questions(email: str):
    return ReaderQuestion.objects.filter(email__iexact=normalise_address(email))


def reader_questions_export(email: str) -> list[dict]:
    """Every reader question sent from ``email``, with the article that
    answered it (articles are the column's text: erasure leaves them)."""
    return [
        {
            "id": q.pk,
            "created_at": _time(q.created_at),
            "name": q.name,
            "email": q.email,
            "question": q.question,
            "consent_to_publish": q.consent_to_publish,
            "status": q.get_status_display(),
            "answered_by": _article_ref(q.article),
            "ip_address": q.ip_address,
        }
        for q in _questions(email).select_related("article").order_by("created_at", "id")
    ]


def reader_questions_erase(email: str, *, remove_text: bool, by, key: str) -> int:
    """Delete the reader questions sent from ``email`` (``remove_text`` does
    not apply: a question goes whole). Their trail keeps a deletion entry
    named "[erased reader question]"."""
    questions = list(_questions(email))
    _rename_trail(questions, lambda question: ERASED_QUESTION)
    trail_record(
        user=by,
        objects=questions,
        message=f"Personal data erased: question deleted (request {key})",
        action_flag=DELETION,
        object_repr=ERASED_QUESTION,
    )
    ReaderQuestion.objects.filter(pk__in=[q.pk for q in questions]).delete()
    return len(questions)


# --- reply subscriptions and comments' earlier texts ---------------------------


def _subscriptions(email: str):
    return CommentSubscription.objects.for_address(normalise_address(email))


def subscriptions_export(email: str) -> list[dict]:
    """Every reply subscription of ``email``: its comment, article, scope
    and times."""
    return [
        {
            "comment": s.comment_id,
            "article": _article_ref(s.article),
            "email": s.email,
            "scope": s.get_scope_display(),
            "asked_at": _time(s.created_at),
            "confirmed_at": _time(s.confirmed_at),
            "last_reply_at": _time(s.last_reply_at),
        }
        for s in _subscriptions(email).select_related("article").order_by("created_at", "id")
    ]


def subscriptions_erase(email: str, *, remove_text: bool, by, key: str) -> int:
    """Delete the reply subscriptions of ``email`` (and the record of the
    notices sent to it)."""
    return _subscriptions(email).delete()[1].get(CommentSubscription._meta.label, 0)


def _revisions(email: str):
    return CommentRevision.objects.filter(comment__in=_comments(email).values("pk"))


def comment_revisions_export(email: str) -> list[dict]:
    """The earlier texts of the comments written under ``email`` (kept when
    their writer edited them)."""
    return [
        {"comment": r.comment_id, "replaced_at": _time(r.replaced_at), "text": r.body}
        for r in _revisions(email).order_by("replaced_at", "id")
    ]


def comment_revisions_erase(email: str, *, remove_text: bool, by, key: str) -> int:
    """Delete the earlier texts of the comments written under ``email``
    (they may name the reader, and moderators no longer need them)."""
    return _revisions(email).delete()[0]


# --- mail waiting in the task queue (django-tasks' database backend) --------


def _queued_mail(email: str):
    if not apps.is_installed("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult  # only when installed

    return DBTaskResult.objects.filter(args_kwargs__icontains=normalise_address(email))


def queued_mail_export(email: str) -> list[dict]:
    """Mail to or about ``email`` held in the task queue's table (sent or
    waiting): when it was queued and its state."""
    rows = _queued_mail(email)
    if rows is None:
        return []
    return [
        {"queued_at": _time(r.enqueued_at), "status": r.status, "task": r.task_path}
        for r in rows.order_by("enqueued_at")
    ]


def queued_mail_erase(email: str, *, remove_text: bool, by, key: str) -> int:
    """Delete the task-queue rows holding ``email`` (a message not sent yet
    is not sent)."""
    rows = _queued_mail(email)
    return 0 if rows is None else rows.delete()[0]


SOURCES: list[Source] = [
    # Before "comments": they find their records through the comments' address.
    Source("comment_revisions", comment_revisions_export, comment_revisions_erase),
    Source("subscriptions", subscriptions_export, subscriptions_erase),
    Source("comments", comments_export, comments_erase),
    Source("reader_questions", reader_questions_export, reader_questions_erase),
    Source("queued_mail", queued_mail_export, queued_mail_erase),
]


def _rename_trail(objects: list, name: Callable) -> None:
    """Earlier trail entries of ``objects`` show ``name(obj)`` instead of the
    ``str()`` they were written with (which may hold the reader's name)."""
    for obj in objects:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        ).update(object_repr=name(obj))


def _search_index_compact() -> None:
    """Merge SQLite's comment search index, so erased words leave its
    segments (an FTS5 delete only marks them until the next merge)."""
    if (
        connection.vendor == "sqlite"
        and COMMENT_FTS_TABLE in connection.introspection.table_names()
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {COMMENT_FTS_TABLE}({COMMENT_FTS_TABLE}) VALUES ('optimize')"
            )


def _record_request(by, key: str, message: str) -> None:
    """A trail entry for a request that touched no record."""
    if by is not None and getattr(by, "pk", None):
        LogEntry.objects.create(
            user_id=by.pk,
            object_repr=f"Personal data request {key}",
            action_flag=CHANGE,
            change_message=message,
        )


def personal_data_export(*, email: str, by=None) -> dict:
    """Everything kept for ``email``: ``{"address", "request", "exported_at",
    <source name>: [records...]}`` for each of :data:`SOURCES`, plain JSON
    values. ``by`` (the staff member) gets a trail entry per record
    "Personal data exported (request <key>)", or one for the request when
    nothing is kept."""
    key = request_key(email)
    export = {
        "address": normalise_address(email),
        "request": key,
        "exported_at": timezone.now().isoformat(),
    }
    for source in SOURCES:
        export[source.name] = source.export(email)
    message = f"Personal data exported (request {key})"
    recorded = trail_record(user=by, objects=_comments(email), message=message)
    recorded += trail_record(user=by, objects=_questions(email), message=message)
    if not recorded:
        _record_request(by, key, message + ": nothing kept for this address")
    return export


def personal_data_summary(*, email: str) -> dict:
    """What an erasure of ``email`` would touch: ``{"comments": n,
    "reader_questions": n, "queued_mail": n, "articles": QuerySet}``, the
    articles being those made from the reader's questions (left as they
    are)."""
    queued = _queued_mail(email)
    return {
        "comments": _comments(email).count(),
        "reader_questions": _questions(email).count(),
        "queued_mail": 0 if queued is None else queued.count(),
        "articles": Article.objects.filter(
            reader_questions__email__iexact=normalise_address(email)
        ).distinct(),
    }


@transaction.atomic
def personal_data_erase(*, email: str, remove_text: bool = False, by=None) -> dict[str, int]:
    """Erase what is kept for ``email``, in one transaction: each of
    :data:`SOURCES` erases its records (comments anonymised, their text kept
    or with ``remove_text`` removed; reader questions and queued mail
    deleted). Articles made from the reader's questions are the column's
    text and stay as they are. ``by`` (the staff member) is written in the
    trail. Returns ``{source name: records changed or deleted}``."""
    key = request_key(email)
    counts = {
        source.name: source.erase(email, remove_text=remove_text, by=by, key=key)
        for source in SOURCES
    }
    if counts["comments"]:
        _search_index_compact()
    if not counts["comments"] and not counts["reader_questions"]:
        _record_request(by, key, "Personal data erased: nothing kept for this address")
    return counts
