"""The trail: who moderated or published what, and when.

Every moderation and publishing change (approve / spam / remove / restore a
comment, publish an article, open or close its comments, make a draft from
a reader question, make a note template, export or erase a reader's data)
is written as one row of Django's admin log (``django.contrib.admin``'s
``LogEntry``) per object, naming the staff member, the time and the action
("Approved (bulk action)"). Django's admin writes such rows for its own
change form and delete action, but not for custom bulk actions: the
services call :func:`trail_record` for those. The admin's History page of
any object lists its rows; :func:`trail_recent_html` shows the last few on
the comment and article change forms. See docs/architecture.md
("``trail.py``").

A change made by the system (automatic closing, IP clearing) has no user,
and ``LogEntry.user`` may not be empty: such changes are logged by the
Python logger only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

__all__ = ["ADDITION", "CHANGE", "DELETION", "trail_recent", "trail_recent_html", "trail_record"]

# How many rows the "Recent activity" field of a change form shows.
RECENT_LIMIT = 10


def trail_record(
    *,
    user,
    objects: QuerySet | Iterable[Model],
    message: str,
    action_flag: int = CHANGE,
    object_repr: str | None = None,
) -> int:
    """Write one ``LogEntry`` per object of ``objects`` (a QuerySet or any
    iterable of saved model instances, of one or several models): ``user``
    (a user instance) did ``message`` ("Approved (bulk action)"), now.
    ``action_flag`` is ``ADDITION``, ``CHANGE`` (default) or ``DELETION``
    (write it before the rows go). ``object_repr`` names every object
    instead of its ``str()`` (for records being erased). Does nothing and returns 0 when ``user``
    is ``None`` or not a saved account (the system acting). Returns how many
    entries were written (one bulk INSERT)."""
    if user is None or not getattr(user, "pk", None):
        return 0
    objects = list(objects)
    if not objects:
        return 0
    types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    entries = [
        LogEntry(
            user_id=user.pk,
            content_type_id=types[type(obj)].pk,
            object_id=str(obj.pk),
            object_repr=(str(obj) if object_repr is None else object_repr)[:200],
            action_flag=action_flag,
            change_message=message,
        )
        for obj in objects
    ]
    LogEntry.objects.bulk_create(entries)
    return len(entries)


def trail_recent(obj: Model, limit: int = RECENT_LIMIT) -> QuerySet:
    """The last ``limit`` log entries of ``obj`` (newest first, user joined):
    the rows its admin History page lists."""
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-id")[:limit]
    )


def trail_recent_html(obj: Model | None, limit: int = RECENT_LIMIT) -> str:
    """The "Recent activity" read-only field of a change form: the last
    ``limit`` entries of ``obj`` as an escaped HTML list ("2025-05-01 09:30 —
    mod: Approved (bulk action)"), or a sentence when there are none or the
    object is not saved yet."""
    if obj is None or obj.pk is None:
        return "Nothing yet."
    entries = list(trail_recent(obj, limit))
    if not entries:
        return "Nothing recorded yet."
    return format_html(
        '<ul class="trail">{}</ul>',
        format_html_join(
            "",
            "<li>{} — {}: {}</li>",
            (
                (
                    f"{localtime(entry.action_time):%Y-%m-%d %H:%M}",
                    entry.user.get_username(),
                    entry.get_change_message() or entry.get_action_flag_display(),
                )
                for entry in entries
            ),
        ),
    )
