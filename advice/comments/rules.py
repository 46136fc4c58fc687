"""The comment moderation rules, as plain functions of values (no database,
no request), and the reader-facing refusal messages of posting a comment.

:func:`advice.comments.submit.comment_submit` reads the comments table and
calls these to decide whether a comment is stored and as what: links
counted as the page would link them (:func:`count_links`), the hold and spam
word lists (:func:`find_listed_word`), the status (:func:`moderation_status`)
and where a deep reply attaches (:func:`ancestor_chain`,
:func:`reply_parent_id`). Defaults follow WordPress's discussion settings.
See docs/architecture.md ("Layers": pure logic).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.html import urlize

# The statuses a new comment can be stored with: the values of
# ``advice.models.Comment.Status`` (this module imports no models; a test
# keeps the two in step).
APPROVED = "approved"
HELD = "pending"
SPAM = "spam"

# Reader-facing refusal messages. Each says why, and that the text is kept.
MSG_CLOSED = "Comments are closed on this article, so your comment was not posted."
MSG_BAD_PARENT = (
    "The comment you replied to can't take replies (it may be waiting for moderation, "
    "removed, or on another article). Your text is kept below."
)
MSG_DUPLICATE = (
    "It looks as though you've already said that here, so it was not posted twice. "
    "Your text is kept below."
)
MSG_FLOOD = (
    "You're commenting a little too quickly. Please wait {seconds} seconds and send "
    "it again; your text is kept below."
)


def count_links(body: str) -> int:
    """How many links ``body`` (plain text) shows once rendered: web addresses
    and e-mail addresses that the page turns into links (Django's ``urlize``,
    the same function the comment template uses). Returns a count >= 0."""
    return len(re.findall(r"<a\s", urlize(body, autoescape=True)))


def find_listed_word(words: Iterable[str], *texts: str) -> str | None:
    """The first of ``words`` found in any of ``texts``, or ``None``.

    Matching is case-insensitive and by substring, as WordPress matches its
    "comment moderation" and "disallowed comment keys" lists against the
    author, e-mail, URL, body, IP address and user agent. Blank words are
    ignored."""
    haystacks = [t.casefold() for t in texts if t]
    for word in words:
        needle = word.strip().casefold()
        if needle and any(needle in h for h in haystacks):
            return word.strip()
    return None


def moderation_status(
    *,
    is_staff: bool,
    spam_word: str | None,
    hold_word: str | None,
    link_count: int,
    max_links: int | None,
    first_time: bool,
    hold_first_time: bool,
) -> tuple[str, str]:
    """Decide the status a new comment is stored with.

    Returns ``(status, reason)``: ``status`` is a ``Comment.Status`` value
    (:data:`APPROVED`, :data:`HELD` or :data:`SPAM`); ``reason`` a short
    note for moderators ("" when approved).
    Order: the columnist's comments (``is_staff``, see
    :func:`advice.models.acts_as_columnist`) are approved at once; a spam
    word makes it spam; a hold word, ``link_count >= max_links`` (WordPress
    ``comment_max_links``; 0 or ``None`` turns it off) or a first comment
    from an e-mail with no approved comment (WordPress
    ``comment_previously_approved``) holds it; otherwise it is approved."""
    if is_staff:
        return APPROVED, ""
    if spam_word:
        return SPAM, f"spam word {spam_word!r}"
    if hold_word:
        return HELD, f"hold word {hold_word!r}"
    if max_links and link_count >= max_links:
        return HELD, f"{link_count} links"
    if hold_first_time and first_time:
        return HELD, "first comment from this e-mail"
    return APPROVED, ""


def ancestor_chain(parent_id: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """The ids from the thread's top-level comment down to ``parent_id``
    inclusive, following ``parent_of`` (comment id -> its parent id). A parent
    missing from the map ends the walk (it counts as top level); a cycle in
    imported data ends it too. Returns at least ``[parent_id]``."""
    chain = [parent_id]
    seen = {parent_id}
    current = parent_of.get(parent_id)
    while current is not None and current not in seen and current in parent_of:
        chain.append(current)
        seen.add(current)
        current = parent_of.get(current)
    chain.reverse()
    return chain


def reply_parent_id(chain: list[int], max_depth: int) -> int | None:
    """The parent a new reply is stored under, given the ``chain`` from the
    top-level comment to the comment replied to (see :func:`ancestor_chain`).

    A reply sits one level below its parent (top level = depth 1). When that
    would be deeper than ``max_depth`` (``COMMENTS_MAX_DEPTH``, WordPress's
    ``thread_comments_depth``), the reply attaches to the ancestor at depth
    ``max_depth - 1`` so it shows at the deepest allowed level; with
    ``max_depth <= 1`` replies become top-level comments (``None``)."""
    if max_depth <= 1:
        return None
    if len(chain) + 1 <= max_depth:
        return chain[-1]
    return chain[max_depth - 2]
