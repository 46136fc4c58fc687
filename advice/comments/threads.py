"""Comment threads: turn a flat list of comments into display order, and
split it into comment pages.

Pure functions over values; the article page loads the comments in one query
and calls :func:`thread_order`, then :func:`paginate_thread`; a comment's
permalink page comes from :func:`comment_page_number` (or, from light rows,
:func:`thread_page_number`), which use the same page boundaries
(:func:`page_starts`).

Comment pages hold at most ``per_page`` comments (``COMMENTS_PER_PAGE``),
whatever the thread shape. A top-level comment and its replies stay on one
page when they fit on it; a thread that does not fit in what is left of a
page starts the next page, and a thread longer than a page continues over
as many pages as it needs. A reply whose parent is not shown just above it
in its nesting (the parent is on an earlier page, or the nesting is capped
at ``COMMENTS_MAX_DEPTH``) carries ``reply_to`` (the parent) and
``reply_to_page``, so the page can say whom it answers. Pure logic (see
docs/architecture.md, "Layers").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from config.pagequery import PageOutOfRange


@dataclass(frozen=True)
class ThreadEntry:
    """One comment in display order, with its shown nesting ``depth``
    (1 = top level, never above the maximum)."""

    comment: Any
    depth: int
    reply_to: Any = None  # the parent, when the page cannot show the nesting
    reply_to_page: int = 0  # the comment page of ``reply_to``


def _walk(comments: Iterable[Any]) -> Iterator[tuple[Any, int]]:
    """``(comment, depth)`` in display order, depth not capped: the traversal
    behind :func:`thread_order` (see there for ``comments`` and the rules for
    missing parents and parent cycles)."""
    comments = list(comments)
    known = {c.pk for c in comments}
    children: dict[Any, list[Any]] = {}
    roots = []
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in known:
            children.setdefault(comment.parent_id, []).append(comment)
        else:
            roots.append(comment)

    seen: set[Any] = set()
    stack = [(c, 1) for c in reversed(roots)]
    while stack:
        comment, depth = stack.pop()
        if comment.pk in seen:  # a parent cycle in imported data; show once
            continue
        seen.add(comment.pk)
        yield comment, depth
        for child in reversed(children.get(comment.pk, [])):
            stack.append((child, depth + 1))
    # Members of a parent cycle have no root; show them at the top level.
    for comment in comments:
        if comment.pk not in seen:
            seen.add(comment.pk)
            yield comment, 1


def thread_order(comments: Iterable[Any], max_depth: int) -> list[ThreadEntry]:
    """Order ``comments`` as a thread: each comment followed by its replies.

    ``comments`` are objects with ``pk``, ``parent_id`` and an order already
    applied (oldest first). A comment whose parent is not among them (held,
    removed, another article's) is shown at the top level. Nesting deeper than
    ``max_depth`` (>= 1) is shown at ``max_depth``; the stored parent is
    unchanged. Returns a list of :class:`ThreadEntry`, each comment once.
    """
    cap = max(1, max_depth)
    return [ThreadEntry(comment, min(depth, cap)) for comment, depth in _walk(comments)]


@dataclass(frozen=True)
class CommentPage:
    """One comment page: its ``number`` (1-based) of ``num_pages``, and whether
    it opens with the continuation of a thread begun on an earlier page."""

    number: int
    num_pages: int
    continued: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_starts(entries: Sequence[ThreadEntry], per_page: int) -> list[int]:
    """The index in ``entries`` (display order, from :func:`thread_order`) at
    which each comment page starts; always at least ``[0]``. Each page holds
    at most ``per_page`` (>= 1; less counts as 1) entries; see the module
    docstring for where threads break."""
    return _page_starts([entry.depth == 1 for entry in entries], per_page)


def _page_starts(top_level: Sequence[bool], per_page: int) -> list[int]:
    """:func:`page_starts` from whether each entry, in display order, is
    shown at the top level (starts a thread)."""
    per_page = max(1, per_page or 1)
    threads: list[list[int]] = []  # [start, size] of each top-level thread
    for index, top in enumerate(top_level):
        if top or not threads:
            threads.append([index, 0])
        threads[-1][1] += 1
    starts = [0]
    used = 0
    for start, size in threads:
        if used and used + size > per_page:  # does not fit: next page
            starts.append(start)
            used = 0
        offset, remaining = start, size
        while used + remaining > per_page:  # longer than a page: split it
            taken = per_page - used
            offset += taken
            remaining -= taken
            starts.append(offset)
            used = 0
        used += remaining
    return starts


def comment_page_number(entries: Sequence[ThreadEntry], comment_id: Any, per_page: int) -> int:
    """The comment page (1-based) showing ``comment_id`` among ``entries``
    (the whole thread in display order); 1 when it is not among them."""
    for index, entry in enumerate(entries):
        if entry.comment.pk == comment_id:
            return bisect_right(page_starts(entries, per_page), index)
    return 1


def thread_page_number(
    comments: Iterable[Any], comment_id: Any, per_page: int, max_depth: int
) -> int:
    """``comment_page_number(thread_order(comments, max_depth), comment_id,
    per_page)``, without making the entries: for a lookup that needs the page
    and nothing else (the redirect after a post), where ``comments`` may be
    light rows (``pk`` and ``parent_id`` only, oldest first, as for
    :func:`thread_order`). 1 when ``comment_id`` is not among them."""
    cap = max(1, max_depth)
    top_level: list[bool] = []
    found = None
    for index, (comment, depth) in enumerate(_walk(comments)):
        top_level.append(depth == 1 or cap == 1)  # the capped depth is 1
        if found is None and comment.pk == comment_id:
            found = index
    if found is None:
        return 1
    return bisect_right(_page_starts(top_level, per_page), found)


def paginate_thread(
    entries: Sequence[ThreadEntry], per_page: int, number: int
) -> tuple[list[ThreadEntry], CommentPage]:
    """Comment page ``number`` (>= 1) of ``entries`` (the whole thread in
    display order): its entries, with ``reply_to`` / ``reply_to_page`` set
    where the page cannot show the nesting, and its :class:`CommentPage`.
    Raises :class:`config.pagequery.PageOutOfRange` when ``number`` is beyond
    the last page (page 1 always exists, empty or not)."""
    starts = page_starts(entries, per_page)
    if number > len(starts):
        raise PageOutOfRange(number, len(starts))
    first = starts[number - 1]
    end = starts[number] if number < len(starts) else len(entries)
    position = {entry.comment.pk: index for index, entry in enumerate(entries)}
    shown = []
    for index in range(first, end):
        entry = entries[index]
        parent_index = position.get(getattr(entry.comment, "parent_id", None))
        if entry.depth > 1 and parent_index is not None:
            parent = entries[parent_index]
            if parent_index < first or parent.depth >= entry.depth:
                entry = replace(
                    entry,
                    reply_to=parent.comment,
                    reply_to_page=bisect_right(starts, parent_index),
                )
        shown.append(entry)
    continued = bool(shown) and shown[0].depth > 1
    return shown, CommentPage(number=number, num_pages=len(starts), continued=continued)
