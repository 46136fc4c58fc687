"""Comment threads: turn a flat list of comments into display order.

Pure functions over values; the article page loads the comments in one query
and calls :func:`thread_order`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ThreadEntry:
    """One comment in display order, with its shown nesting ``depth``
    (1 = top level, never above the maximum)."""

    comment: Any
    depth: int


def thread_order(comments: Iterable[Any], max_depth: int) -> list[ThreadEntry]:
    """Order ``comments`` as a thread: each comment followed by its replies.

    ``comments`` are objects with ``pk``, ``parent_id`` and an order already
    applied (oldest first). A comment whose parent is not among them (held,
    removed, another article's) is shown at the top level. Nesting deeper than
    ``max_depth`` (>= 1) is shown at ``max_depth``; the stored parent is
    unchanged. Returns a list of :class:`ThreadEntry`, each comment once.
    """
    comments = list(comments)
    known = {c.pk for c in comments}
    children: dict[Any, list[Any]] = {}
    roots = []
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in known:
            children.setdefault(comment.parent_id, []).append(comment)
        else:
            roots.append(comment)

    ordered: list[ThreadEntry] = []
    seen: set[Any] = set()
    stack = [(c, 1) for c in reversed(roots)]
    while stack:
        comment, depth = stack.pop()
        if comment.pk in seen:  # a parent cycle in imported data; show once
            continue
        seen.add(comment.pk)
        ordered.append(ThreadEntry(comment, min(depth, max(1, max_depth))))
        for child in reversed(children.get(comment.pk, [])):
            stack.append((child, depth + 1))
    # Members of a parent cycle have no root; show them at the top level.
    for comment in comments:
        if comment.pk not in seen:
            seen.add(comment.pk)
            ordered.append(ThreadEntry(comment, 1))
    return ordered
