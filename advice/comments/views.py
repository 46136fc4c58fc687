"""The article page's comment section and posting a comment (web layer).

:func:`comment_section` gives the article page (:mod:`advice.pages`) its
comment tree, form and refusal message; :func:`comment_post` takes a posted
comment, hands it to :func:`advice.comments.submit.comment_submit` and
answers with a redirect to the comment or the article page again with the
reader's text and why it was refused. See docs/architecture.md
("``comments/``").
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from advice import caching
from advice.client import request_client_address
from advice.comments import cookies
from advice.comments.editing import own_comments
from advice.comments.forms import CommentForm
from advice.comments.rules import MSG_CLOSED
from advice.comments.submit import ClientInfo, comment_submit
from advice.comments.threads import paginate_thread, thread_order, thread_page_number
from advice.models import Article, Comment
from advice.reader_csrf import csrf_token_if_own_state
from config.methods import allow_methods
from config.pagequery import object_id

logger = logging.getLogger(__name__)

# The columns a comment page shows of each comment (the values of
# advice.templatetags.comment_tags.CommentRow, the thread's shape, and the
# article the related manager checks): the rest (e-mail, address, browser,
# the account) is never loaded for it. A column read but not listed costs a
# query per comment (the query-count tests catch it).
THREAD_FIELDS = (
    "pk", "article", "parent", "status", "by_columnist", "author_url", "author_name",
    "created_at", "edited_at", "body", "body_html",
)  # fmt: skip


def _with_held(thread, held):
    """``thread`` (approved comments in display order) with the ``held``
    comments put in their places, in display order again."""
    merged = sorted([e.comment for e in thread] + held, key=lambda c: (c.created_at, c.pk))
    return thread_order(merged, settings.COMMENTS_MAX_DEPTH)


def _filled(article, entries, loaded: dict):
    """``entries`` (one comment page: :class:`ThreadEntry` over light rows of
    ``pk``, ``parent_id`` and ``created_at``, or over comments) with each
    comment, and each ``reply_to``, as the comment itself with
    :data:`THREAD_FIELDS`: from ``loaded`` (pk -> comment) when there, the
    others in one query. A comment no longer visible by then (removed
    between the queries) is left out."""
    wanted = {
        row.pk
        for entry in entries
        for row in (entry.comment, entry.reply_to)
        if row is not None and not isinstance(row, Comment) and row.pk not in loaded
    }
    if wanted:
        shown = article.comments.visible().filter(pk__in=wanted).only(*THREAD_FIELDS)
        loaded = {**loaded, **{comment.pk: comment for comment in shown}}

    def full(row):
        return row if row is None or isinstance(row, Comment) else loaded.get(row.pk)

    filled = []
    for entry in entries:
        comment = full(entry.comment)
        if comment is None:
            continue
        reply_to = full(entry.reply_to)
        filled.append(replace(entry, comment=comment, reply_to=reply_to,
                              reply_to_page=entry.reply_to_page if reply_to else 0))  # fmt: skip
    return filled


def _thread_keys(article, browser_token: str):
    """The ``(pk, parent_id)`` of every comment on ``article`` this browser
    sees (the approved ones and, with a token, its own held comments,
    :func:`advice.comments.cookies.own_held_comments`), oldest first: what
    :func:`thread_order` needs to place them, and nothing else. One query;
    rows are named tuples, not model instances, so an article with
    thousands of comments costs a list of small tuples, not their bodies."""
    rows = article.comments.visible()
    if browser_token:
        rows = rows | cookies.own_held_comments(article, cookies.browser_key_hash(browser_token))
    return rows.order_by("created_at", "id").values_list("pk", "parent_id", named=True)


def comment_place(article, comment_pk: int, browser_token: str) -> str:
    """Where comment ``comment_pk`` of ``article`` stands for this browser
    (its own held comments count): the article's address with ``?cpage=N``
    when not on the first comment page, and ``#comment-<id>``. The same page
    the comment section shows it on (its own held comments put in their
    places as :func:`_with_held` does), worked out from
    ids and parent ids alone (:func:`_thread_keys`,
    :func:`thread_page_number`): one query."""
    page = thread_page_number(
        _thread_keys(article, browser_token),
        comment_pk,
        settings.COMMENTS_PER_PAGE,
        settings.COMMENTS_MAX_DEPTH,
    )
    query = f"?cpage={page}" if page > 1 else ""
    return f"{article.get_absolute_url()}{query}#comment-{comment_pk}"


def comment_address(article, comment_pk: int, browser_token: str) -> str:
    """Where to send the writer of comment ``comment_pk`` once it is stored
    (committed): :func:`comment_place`, or, when the database fails while
    working that out (:class:`django.db.DatabaseError`, logged as a
    warning), the article's address with ``#comment-<id>`` and no comment
    page. The comment is stored, so the writer must never be told otherwise
    (the 503 page says nothing was stored)."""
    try:
        return comment_place(article, comment_pk, browser_token)
    except DatabaseError:
        logger.warning(
            "comment %s stored, but its comment page could not be read; redirecting without it",
            comment_pk,
            exc_info=True,
        )
        return f"{article.get_absolute_url()}#comment-{comment_pk}"


def _comment_thread_html(request, article, comments_open: bool, timeout: int, number: int) -> str:
    """The comment tree of comment page ``number`` (``?cpage=N`` in normal
    form, :func:`config.pagequery.normal_page`) as HTML; pages as
    :func:`advice.comments.threads.paginate_thread` cuts them (raises
    :class:`PageOutOfRange` beyond the last page, storing nothing).

    The same for every reader, so cached under the article's ``updated_at``
    (bumped by every comment change), open/closed, the page settings and the
    page number, for ``timeout`` seconds; except for a browser with held
    comments of its own, whose tree (with "awaiting moderation" in place) is
    rendered for it alone. Costs one query when rendered, for an article
    whose comments fit on one page; for a longer thread three at most (its
    first page's worth of comments, its shape from light rows, the shown
    page's other comments), so its cost grows by a small tuple per comment,
    not a whole comment; none from the cache (one more when the browser has
    a comment token)."""

    def render_thread(held=(), editable=frozenset()) -> str:
        per_page = settings.COMMENTS_PER_PAGE
        visible = article.comments.visible().order_by("created_at", "id")
        first = list(visible.only(*THREAD_FIELDS)[: per_page + 1])
        light = len(first) > per_page  # else the whole thread is loaded
        if light:  # its shape from light rows; the shown page's comments below
            keys = visible.values_list("pk", "parent_id", "created_at", named=True)
            thread = thread_order(keys, settings.COMMENTS_MAX_DEPTH)
        else:
            thread = thread_order(first, settings.COMMENTS_MAX_DEPTH)
        count = len(thread)
        if held:
            thread = _with_held(thread, list(held))
        entries, comment_page = paginate_thread(thread, per_page, number)
        if light:
            entries = _filled(article, entries, {comment.pk: comment for comment in first})
        context = {
            "thread": entries,
            "comment_page": comment_page,
            "comment_count": count,
            "comments_open": comments_open,
            "editable_ids": editable,  # this browser's comments it may still edit
            "article_slug": article.slug,
        }
        return render_to_string("advice/_comment_thread.html", context)

    token = cookies.browser_token(request)
    if token:
        key = cookies.browser_key_hash(token)
        held, editable = own_comments(article, browser_key=key, now=timezone.now())
        if held or editable:
            return render_thread(held, editable)
    cache_key = caching.fragment_key(
        "comments",
        article.pk,
        article.updated_at,
        comments_open,
        settings.COMMENTS_PER_PAGE,
        settings.COMMENTS_MAX_DEPTH,
        number,
    )
    return caching.cached_fragment(cache_key, render_thread, timeout)


def reply_target(article, raw: str | None):
    """The approved comment of ``article`` that a raw ``?replytocom=`` or
    posted ``parent`` value names (:func:`config.pagequery.object_id`), or
    ``None``; one query, none when the value is no id."""
    reply_id = object_id(raw)
    if reply_id is None:
        return None
    return article.comments.visible().filter(pk=reply_id).first()


def comment_section(
    request,
    article,
    *,
    comments_open: bool,
    timeout: int,
    form=None,
    message="",
    number=1,
    reply_to=None,
) -> dict:
    """Template values for the article page's comments section: the comment
    tree of comment page ``number`` (HTML, see :func:`_comment_thread_html`;
    raises :class:`config.pagequery.PageOutOfRange` beyond the last page),
    cached for ``timeout`` seconds; the form (prefilled from the "remember
    me" cookie and ``?replytocom=<id>``, or the reader's refused ``form``
    with a fresh token); the approved comment replied to (:func:`reply_target`,
    unless the caller passes ``reply_to``, already looked up) and the
    refusal ``message``."""
    if form is None:
        initial = cookies.remembered_author(request.COOKIES.get(cookies.REMEMBER_COOKIE))
        initial["remember"] = bool(initial)
        if reply_to is None:
            reply_to = reply_target(article, request.GET.get("replytocom"))
    else:
        form.refresh_token()
        reply_to = reply_target(article, str(form.data.get("parent", "")))
    if form is None:
        if reply_to is not None:
            initial["parent"] = reply_to.pk
        form = CommentForm(initial=initial, article=article, user=request.user)
    return {
        "comment_thread_html": _comment_thread_html(
            request, article, comments_open, timeout, number
        ),
        "comment_form": form,
        "comment_message": message,
        "reply_to": reply_to,
    }


def _refused(request, article, form, message: str, status: int):
    """The article page again, with the reader's ``form`` and why it was
    refused, answered with HTTP ``status``."""
    # advice.pages imports this module for the comment section; import it here.
    from advice.pages import render_article

    return render_article(
        request, article, comment_form=form, comment_message=message, status=status
    )


# No CSRF token on a stateless reader's form: config.origin guards it (advice.reader_csrf).
@csrf_token_if_own_state
@never_cache
@allow_methods("GET", "HEAD", "POST")
def comment_post(request, slug: str):
    """``POST /articles/<slug>/comments/``: post a comment or reply. A GET
    (the address bar after a refusal, a bookmark) goes to the article's form.

    Unknown, draft or scheduled article: 404. Refusals re-render the article
    page with the reader's text in the form and a message saying why: 403
    comments closed (nothing stored), 400 form problems (lengths, honeypot,
    signature, bad parent), 409 duplicate, 429 too soon (see
    :func:`advice.comments.submit.comment_submit`). Success: 303 to the comment's
    permalink, setting the browser cookie that shows the writer their own held
    comment and, when asked, the "remember me" cookie."""
    article = get_object_or_404(Article.objects.published().select_related("author"), slug=slug)
    if request.method != "POST":  # GET or HEAD
        return HttpResponseRedirect(article.get_absolute_url() + "#respond")
    now = timezone.now()
    form = CommentForm(request.POST, article=article, user=request.user, now=now)
    if not article.comments_open(now):
        return _refused(request, article, form, MSG_CLOSED, 403)
    if not form.is_valid():
        return _refused(request, article, form, form.refusal_message(), 400)
    token = cookies.browser_token(request) or secrets.token_urlsafe(32)
    client = ClientInfo(
        ip=request_client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        browser_key=cookies.browser_key_hash(token),
    )
    result = comment_submit(
        article=article,
        data=form.comment_data(),
        user=request.user,
        client=client,
        now=now,
        request=request,
    )
    if not result.stored:
        if result.status_code == 404:
            raise Http404("No article here.")
        return _refused(request, article, form, result.message, result.status_code)
    comment = result.comment
    response = HttpResponseRedirect(comment_address(article, comment.pk, token), status=303)
    secure = request.is_secure()
    cookies.browser_cookie_set(response, token, secure=secure)
    if form.cleaned_data.get("remember") and not form.is_staff:
        data = form.comment_data()
        cookies.remember_cookie_set(
            response, name=data.name, email=data.email, url=data.url, secure=secure
        )
    elif not form.is_staff:
        cookies.remember_cookie_delete(response)
    return response
