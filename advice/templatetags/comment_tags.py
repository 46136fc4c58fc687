"""``{% comment_item entry %}``: one comment of a comment page as HTML
(``templates/advice/_comment.html``), each comment rendered once per worker
process.

A comment's HTML is a function of a few values: its own (name, website,
time, text, status, nesting), where the page stands (comment page, comments
open, whom it answers) and, for its writer, the edit link. The tag gathers
exactly those values into a :class:`CommentRow`, and the template sees only
that row, never the comment itself; so the row is a complete key, and the
HTML made from it is kept (least recently used first out, bounded). A page
rendered again after one new comment, or for a reader with a held comment
of their own, renders only the comments it has not rendered before. An
edited, erased or re-imported comment is a new row; nothing has to be told
of a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from advice.markdown import sanitize_comment_html
from advice.templatetags.advice_tags import urlize_ugc

register = template.Library()

# Comments whose text (with its stored HTML) is at most this many characters
# are kept once rendered: most comments (WordPress's run to a few hundred).
# Longer ones are rendered every time, so what is kept stays under about
# ITEM_MEMO_ENTRIES * (2 * ITEM_MEMO_CHARS + 1,500) characters (~8 M).
ITEM_MEMO_CHARS = 2000
ITEM_MEMO_ENTRIES = 1536


@dataclass(frozen=True, slots=True)
class CommentRow:
    """Everything ``advice/_comment.html`` shows of one comment on one
    comment page. ``held``: not approved (shown to its writer only);
    ``edited``: the writer changed it; ``reply_to_pk`` / ``reply_to_name`` /
    ``reply_to_page``: the parent when the page cannot show the nesting (0 /
    "" / 0 otherwise, see :mod:`advice.comments.threads`); ``page_number``:
    the comment page shown; ``reply_link``: comments are open and the comment
    is approved; ``edit_url``: "" unless the reader may still edit it."""

    pk: int
    depth: int
    by_columnist: bool
    held: bool
    website: str
    author_name: str
    created_at: datetime
    edited: bool
    body: str
    body_html: str
    reply_to_pk: int
    reply_to_name: str
    reply_to_page: int
    page_number: int
    reply_link: bool
    edit_url: str


def comment_body_html(body: str, body_html: str) -> SafeString:
    """A comment's text as the page shows it (safe HTML): an imported
    comment's stored ``body_html`` cleaned again (as
    ``Comment.body_shown_html``: :func:`advice.markdown.sanitize_comment_html`,
    links ``nofollow ugc``); else the plain ``body`` escaped, its web
    addresses linked (``urlize_ugc``) and its paragraphs and line breaks kept
    (Django's ``linebreaks``)."""
    if body_html:
        return mark_safe(sanitize_comment_html(body_html))
    return linebreaks_filter(urlize_ugc(body), autoescape=True)


@register.filter(is_safe=True)
def comment_body(row: CommentRow) -> SafeString:
    """``{{ comment|comment_body }}``: :func:`comment_body_html` of a row."""
    return comment_body_html(row.body, row.body_html)


def comment_row(entry, *, page_number: int, comments_open: bool, editable_url) -> CommentRow:
    """The :class:`CommentRow` of ``entry`` (a
    :class:`advice.comments.threads.ThreadEntry`) on comment page
    ``page_number``; ``editable_url(comment)`` gives its edit address or
    ""."""
    comment = entry.comment
    approved = comment.status == "approved"
    reply_to = entry.reply_to
    return CommentRow(
        pk=comment.pk,
        depth=entry.depth,
        by_columnist=bool(comment.by_columnist),
        held=not approved,
        website=comment.website,
        author_name=comment.author_name,
        created_at=comment.created_at,
        edited=bool(comment.edited_at),
        body=comment.body,
        body_html=comment.body_html,
        reply_to_pk=reply_to.pk if reply_to is not None else 0,
        reply_to_name=reply_to.author_name if reply_to is not None else "",
        reply_to_page=entry.reply_to_page if reply_to is not None else 0,
        page_number=page_number,
        reply_link=comments_open and approved,
        edit_url=editable_url(comment),
    )


def comment_item_html(row: CommentRow) -> SafeString:
    """``advice/_comment.html`` rendered for ``row`` (in the current time
    zone and language)."""
    return mark_safe(get_template("advice/_comment.html").render({"comment": row}))


@lru_cache(maxsize=ITEM_MEMO_ENTRIES)
def _comment_item_kept(row: CommentRow, zone: str, language: str) -> SafeString:
    return comment_item_html(row)


@register.simple_tag(takes_context=True)
def comment_item(context, entry) -> SafeString:
    """``{% comment_item entry %}`` inside ``advice/_comment_thread.html``:
    the ``<li>`` of ``entry``, read with the thread's ``comment_page``,
    ``comments_open``, ``editable_ids`` and ``article_slug``. Kept per
    process for comments up to :data:`ITEM_MEMO_CHARS` characters, per time
    zone and language (the shown times depend on both)."""
    editable_ids = context.get("editable_ids") or ()

    def editable_url(comment) -> str:
        if comment.pk not in editable_ids:
            return ""
        return reverse("advice:comment_edit", args=[context["article_slug"], comment.pk])

    row = comment_row(
        entry,
        page_number=context["comment_page"].number,
        comments_open=bool(context.get("comments_open")),
        editable_url=editable_url,
    )
    if len(row.body) + len(row.body_html) > ITEM_MEMO_CHARS:
        return comment_item_html(row)
    return _comment_item_kept(row, get_current_timezone_name(), get_language() or "")
