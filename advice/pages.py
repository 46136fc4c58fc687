"""Public pages: the article list (home), an article with its comments, the
topic index and a topic's articles (web layer, docs/architecture.md). Old
WordPress links are :mod:`advice.wordpress.redirects`; error pages and
``/healthz`` are :mod:`advice.errors`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
)

from advice import caching
from advice.comments import submit as comment_rules
from advice.comments.forms import CommentForm
from advice.comments.threads import comment_page_number, paginate_thread, thread_order
from advice.models import Article, Topic
from advice.related import related_articles
from advice.seo import article_meta
from advice.wordpress.redirects import short_link_redirect
from config.pagequery import PageOutOfRange, normal_page, page_query, page_redirect

ARTICLES_PER_PAGE = 10


@require_GET
def home(request):
    """``/``: latest published articles, paginated. ``/?p=<wp id>`` (an old
    WordPress short link) answers 301 to the imported article."""
    short_link = short_link_redirect(request.GET.get("p", ""))
    if short_link is not None:
        return short_link
    number = normal_page(request.GET.get("page"))
    target = page_redirect(request, "page", number)
    if target is not None:  # one URL, one cache key per page (config.pagequery)
        return HttpResponsePermanentRedirect(target)
    now = timezone.now()
    state = caching.site_state(now) if caching.enabled() else None
    modified = None
    if state is not None and caching.conditional_get_allowed(request.COOKIES):
        # No form on this page: no signature window to respect.
        modified = caching.last_modified([state.latest_change], now, window=0)
        not_modified = _not_modified(request, modified, needs_csrf_cookie=False)
        if not_modified is not None:
            return not_modified
    articles = Article.objects.published(now)
    try:
        html = _article_list_html(articles, "home", number, state, now, "No articles yet.")
    except PageOutOfRange as beyond:
        return _to_last_page(request, "page", beyond)
    response = render(request, "advice/article_list.html", {"article_list_html": html})
    return caching.mark_revalidate(response, modified) if modified else response


def _to_last_page(request, name: str, beyond: PageOutOfRange):
    """301 from a page number beyond the last page to the last page."""
    path = escape_uri_path(request.path) + page_query(request.GET, name, beyond.last)
    return HttpResponsePermanentRedirect(path)


def _article_list_html(articles, name: str, number: int, state, now, empty_text: str):
    """Page ``number`` (normal form, :func:`config.pagequery.normal_page`) of
    ``articles`` as summaries with page links (HTML), cached under ``name``,
    that number and the site version (``state``; None: not cached). Raises
    :class:`PageOutOfRange` beyond the last page (nothing is stored then)."""

    def render_list() -> str:
        paginator = Paginator(articles.for_listing(), ARTICLES_PER_PAGE)
        if number > paginator.num_pages:
            raise PageOutOfRange(number, paginator.num_pages)
        page = paginator.page(number)
        return render_to_string(
            "advice/_article_list_items.html", {"page_obj": page, "empty_text": empty_text}
        )

    if state is None:
        return render_list()
    timeout = caching.fragment_timeout(now, [state.next_publish], caching.default_timeout())
    key = caching.fragment_key("list", name, number, ARTICLES_PER_PAGE, state.version)
    return caching.cached_fragment(key, render_list, timeout)


def _not_modified(request, modified: int, *, needs_csrf_cookie: bool):
    """The 304 (or 412) answer to a conditional GET when the reader's copy
    from ``modified`` (seconds since the epoch) is current, else None. With
    ``needs_csrf_cookie``, only for a request carrying the CSRF cookie that
    the cached form's token belongs to (see :mod:`advice.caching`)."""
    if needs_csrf_cookie and settings.CSRF_COOKIE_NAME not in request.COOKIES:
        return None
    response = get_conditional_response(request, last_modified=modified)
    return caching.mark_revalidate(response, modified) if response is not None else None


@require_GET
def article_detail(request, slug: str):
    """``/articles/<slug>/``: the question, the answer, the approved comments
    threaded, and whether comments are open. Drafts and scheduled articles
    are 404 to the public and shown to staff with a banner.

    The page carries forms (CSRF token, signed timestamp, the reader's own
    held comments and remembered name), so it is never cached whole: only
    its comment tree and related list come from the cache. A reader without
    state of their own gets ``Last-Modified`` and 304s; everyone else a
    ``no-store`` page (see :mod:`advice.caching`)."""
    now = timezone.now()
    articles = Article.objects.visible_to(request.user, now).select_related("author")
    if caching.enabled():  # the site version comes with the article's row
        articles = articles.annotate(**caching.site_state_annotations(now))
    article = get_object_or_404(articles, slug=slug)
    number = normal_page(request.GET.get("cpage"))
    target = page_redirect(request, "cpage", number)
    if target is not None:  # one URL, one cache key per comment page
        return HttpResponsePermanentRedirect(target)
    state = caching.site_state_of(article)
    modified = None
    if state is not None and caching.conditional_get_allowed(request.COOKIES):
        moments = [article.updated_at, state.latest_change, article.comments_close_time()]
        modified = caching.last_modified(moments, now, caching.signature_window())
        not_modified = _not_modified(request, modified, needs_csrf_cookie=True)
        if not_modified is not None:
            return not_modified
    try:
        response = _render_article(request, article, now=now, state=state, comment_page=number)
    except PageOutOfRange as beyond:
        return _to_last_page(request, "cpage", beyond)
    if modified:
        return caching.mark_revalidate(response, modified)
    return caching.mark_no_store(response)


def _render_article(
    request,
    article,
    *,
    comment_form=None,
    comment_message="",
    status=200,
    now=None,
    state=None,
    comment_page=1,
):
    """Render the article page for ``article`` showing comment page
    ``comment_page`` (normal form; :class:`PageOutOfRange` beyond the last);
    after a refused comment, ``comment_form`` is the reader's bound form,
    ``comment_message`` says why and ``status`` is the refusal's HTTP status.
    ``state`` is the site version (:class:`advice.caching.SiteState`) when
    the caller has it."""
    now = now or timezone.now()
    if state is None and caching.enabled():
        state = caching.site_state(now)
    comments_open = article.comments_open(now)
    next_publish = state.next_publish if state is not None else None
    timeout = caching.fragment_timeout(
        now, [next_publish, article.comments_close_time()], caching.default_timeout()
    )
    context = {
        "article": article,
        "topics": list(article.topics.all()),
        "comments_open": comments_open,
        "is_draft": not article.is_published(now),
        "related_html": caching.cached_fragment(
            caching.fragment_key(
                "related", article.pk, article.updated_at, state.version if state else None
            ),
            lambda: render_to_string(
                "advice/_related.html", {"related_articles": related_articles(article)}
            ),
            timeout,
        ),
    }
    # canonical_url and share_url come from settings.SITE_URL, never the request.
    context.update(article_meta(article))
    context.update(
        _comment_context(
            request, article, comments_open, timeout, comment_form, comment_message, comment_page
        )
    )
    return render(request, "advice/article_detail.html", context, status=status)


def _browser_token(request) -> str:
    """This browser's comment token from its signed cookie, or ""."""
    return request.get_signed_cookie(
        comment_rules.BROWSER_COOKIE, default="", salt=comment_rules.BROWSER_KEY_SALT
    )


def _thread_with_own_held(article, thread, browser_token: str):
    """``thread`` (approved comments in display order) with this browser's own
    held comments put in their places; one more query, only when the browser
    has a token."""
    if not browser_token:
        return thread
    key = comment_rules.browser_key_hash(browser_token)
    held = list(comment_rules.own_held_comments(article, key))
    if not held:
        return thread
    merged = sorted([e.comment for e in thread] + held, key=lambda c: (c.created_at, c.pk))
    return thread_order(merged, settings.COMMENTS_MAX_DEPTH)


def _comment_thread_html(request, article, comments_open: bool, timeout: int, number: int) -> str:
    """The comment tree of comment page ``number`` (``?cpage=N`` in normal
    form, :func:`config.pagequery.normal_page`) as HTML; pages as
    :func:`advice.comments.threads.paginate_thread` cuts them (raises
    :class:`PageOutOfRange` beyond the last page, storing nothing).

    The same for every reader, so cached under the article's ``updated_at``
    (bumped by every comment change), open/closed, the page settings and the
    page number, for ``timeout`` seconds; except for a browser with held
    comments of its own, whose tree (with "awaiting moderation" in place) is
    rendered for it alone. Costs one query when rendered, none from the cache
    (one more when the browser has a comment token)."""

    def render_thread(held=()) -> str:
        thread = thread_order(article.comments.visible().for_tree(), settings.COMMENTS_MAX_DEPTH)
        count = len(thread)
        if held:
            merged = sorted([e.comment for e in thread] + held, key=lambda c: (c.created_at, c.pk))
            thread = thread_order(merged, settings.COMMENTS_MAX_DEPTH)
        entries, comment_page = paginate_thread(thread, settings.COMMENTS_PER_PAGE, number)
        context = {
            "thread": entries,
            "comment_page": comment_page,
            "comment_count": count,
            "comments_open": comments_open,
        }
        return render_to_string("advice/_comment_thread.html", context)

    token = _browser_token(request)
    if token:
        key = comment_rules.browser_key_hash(token)
        held = list(comment_rules.own_held_comments(article, key))
        if held:
            return render_thread(held)
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


def _comment_context(request, article, comments_open, timeout, form, message, number=1) -> dict:
    """Template values for the comments section: the comment tree (HTML, see
    :func:`_comment_thread_html`), the form (prefilled from the "remember me"
    cookie and ``?replytocom=<id>``, or the reader's refused form with a fresh
    token), the approved comment replied to (one query, only when a reply is
    asked for) and the refusal message."""
    if form is None:
        initial = comment_rules.remembered_author(
            request.COOKIES.get(comment_rules.REMEMBER_COOKIE)
        )
        initial["remember"] = bool(initial)
        raw = request.GET.get("replytocom", "")
    else:
        form.refresh_token()
        raw = str(form.data.get("parent", ""))
    reply_to = None
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        reply_to = article.comments.visible().filter(pk=int(raw)).first()
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


@never_cache
@require_http_methods(["GET", "POST"])
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
    if request.method == "GET":
        return HttpResponseRedirect(article.get_absolute_url() + "#respond")
    now = timezone.now()
    form = CommentForm(request.POST, article=article, user=request.user, now=now)
    if not article.comments_open(now):
        return _render_article(
            request,
            article,
            comment_form=form,
            comment_message=comment_rules.MSG_CLOSED,
            status=403,
        )
    if not form.is_valid():
        return _render_article(
            request, article, comment_form=form, comment_message=form.refusal_message(), status=400
        )
    token = _browser_token(request) or secrets.token_urlsafe(32)
    client = comment_rules.ClientInfo(
        ip=comment_rules.client_address(
            request.META.get("REMOTE_ADDR"),
            request.META.get("HTTP_X_FORWARDED_FOR"),
            settings.COMMENTS_TRUSTED_PROXIES,
        ),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        browser_key=comment_rules.browser_key_hash(token),
    )
    result = comment_rules.comment_submit(
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
        return _render_article(
            request,
            article,
            comment_form=form,
            comment_message=result.message,
            status=result.status_code,
        )
    comment = result.comment
    thread = thread_order(article.comments.visible().for_tree(), settings.COMMENTS_MAX_DEPTH)
    entries = _thread_with_own_held(article, thread, token)
    page = comment_page_number(entries, comment.pk, settings.COMMENTS_PER_PAGE)
    query = f"?cpage={page}" if page > 1 else ""
    response = HttpResponseRedirect(
        f"{article.get_absolute_url()}{query}#comment-{comment.pk}", status=303
    )
    secure = request.is_secure()
    response.set_signed_cookie(
        comment_rules.BROWSER_COOKIE,
        token,
        salt=comment_rules.BROWSER_KEY_SALT,
        max_age=90 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    if form.cleaned_data.get("remember") and not form.is_staff:
        data = form.comment_data()
        response.set_cookie(
            comment_rules.REMEMBER_COOKIE,
            comment_rules.remember_cookie_value(data.name, data.email, data.url),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
    elif not form.is_staff:
        response.delete_cookie(comment_rules.REMEMBER_COOKIE, samesite="Lax")
    return response


@require_GET
def topic_list(request):
    """``/topics/``: every topic with its published-article count."""
    topics = Topic.objects.annotate_published_counts()
    return render(request, "advice/topic_list.html", {"topics": topics})


@require_GET
def topic_detail(request, slug: str):
    """``/topics/<slug>/``: published articles in a topic, paginated."""
    topic = get_object_or_404(Topic, slug=slug)
    number = normal_page(request.GET.get("page"))
    target = page_redirect(request, "page", number)
    if target is not None:  # one URL, one cache key per page (config.pagequery)
        return HttpResponsePermanentRedirect(target)
    now = timezone.now()
    state = caching.site_state(now) if caching.enabled() else None
    try:
        html = _article_list_html(
            Article.objects.published(now).filter(topics=topic),
            f"topic-{topic.pk}",
            number,
            state,
            now,
            "No articles in this topic yet.",
        )
    except PageOutOfRange as beyond:
        return _to_last_page(request, "page", beyond)
    return render(request, "advice/topic_detail.html", {"topic": topic, "article_list_html": html})
