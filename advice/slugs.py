"""One rule for a free slug: ``base``, else ``base-2``, ``base-3``...

Used for articles made from reader questions
(:mod:`advice.questions.services`), note templates made from quoted notes
(:mod:`advice.quoted_notes.actions`) and articles imported from WordPress
(:mod:`advice.wordpress.importer`); see docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

# Room kept for "-<n>" when a numbered slug is cut to the field's length.
SUFFIX_ROOM = 6


def free_slug(base: str, taken: Callable[[str], bool] | QuerySet, *, max_length: int) -> str:
    """The first of ``base``, ``<stem>-2``, ``<stem>-3``... that is not taken.

    ``base`` is cut to ``max_length`` characters; ``stem`` is ``base`` cut to
    ``max_length - 6`` (room for a suffix up to ``-99999``), so every answer
    fits a field of ``max_length``. ``taken`` is either a function saying
    whether a slug is in use, or a QuerySet of rows with a ``slug`` column
    (read once: the base and the stem's numbered slugs). The caller makes
    the answer stick (unique field, transaction) against a concurrent
    writer."""
    base = base[:max_length]
    stem = base[: max_length - SUFFIX_ROOM]
    if isinstance(taken, QuerySet):
        used = set(
            taken.filter(Q(slug=base) | Q(slug__startswith=f"{stem}-")).values_list(
                "slug", flat=True
            )
        )
        taken = used.__contains__
    if not taken(base):
        return base
    n = 2
    while taken(f"{stem}-{n}"):
        n += 1
    return f"{stem}-{n}"
