"""Public pages: the article list, an article with its comments, topics, the
old-WordPress-link redirect, health check and error pages."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from advice import comments as comment_rules
from advice.forms import CommentForm
from advice.models import Article, Topic
from advice.related import related_articles
from advice.sitemaps import article_meta
from advice.threads import thread_order

ARTICLES_PER_PAGE = 10


@require_GET
def home(request):
    """``/``: latest published articles, paginated. ``/?p=<wp id>`` (an old
    WordPress short link) answers 301 to the imported article."""
    wp_id = request.GET.get("p", "")
    if wp_id.isdigit():
        article = Article.objects.published().filter(wp_id=int(wp_id)).first()
        if article is None:
            raise Http404("No article has that old WordPress id.")
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    articles = Article.objects.published().for_listing()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "advice/article_list.html", {"page_obj": page})


@never_cache  # the page carries a form: CSRF token, signed timestamp, own held comments
@require_GET
def article_detail(request, slug: str):
    """``/articles/<slug>/``: the question, the answer, the approved comments
    threaded, and whether comments are open. Drafts and scheduled articles
    are 404 to the public and shown to staff with a banner."""
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("author"), slug=slug
    )
    return _render_article(request, article)


def _render_article(request, article, *, comment_form=None, comment_message="", status=200):
    """Render the article page for ``article``; after a refused comment,
    ``comment_form`` is the reader's bound form, ``comment_message`` says why
    and ``status`` is the refusal's HTTP status."""
    comments = article.comments.visible().for_tree()
    thread = thread_order(comments, settings.COMMENTS_MAX_DEPTH)
    context = {
        "article": article,
        "topics": list(article.topics.all()),
        "thread": thread,
        "comment_count": len(thread),
        "comments_open": article.comments_open(),
        "is_draft": not article.is_published(),
        "share_url": request.build_absolute_uri(article.get_absolute_url()),
        "related_articles": related_articles(article),
    }
    context.update(article_meta(article, context["share_url"]))
    context.update(_comment_context(request, article, thread, comment_form, comment_message))
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


def _comment_context(request, article, thread, form, message) -> dict:
    """Template values for the comments section: the page of the thread
    (``?cpage=N``), the form (prefilled from the "remember me" cookie and
    ``?replytocom=<id>``, or the reader's refused form with a fresh token),
    the comment replied to and the refusal message."""
    entries = _thread_with_own_held(article, thread, _browser_token(request))
    page_entries, comment_page = comment_rules.paginate_threads(
        entries, settings.COMMENTS_PER_PAGE, request.GET.get("cpage")
    )
    approved = {e.comment.pk: e.comment for e in thread}
    if form is None:
        initial = comment_rules.remembered_author(
            request.COOKIES.get(comment_rules.REMEMBER_COOKIE)
        )
        initial["remember"] = bool(initial)
        wanted = request.GET.get("replytocom", "")
        if wanted.isdigit() and int(wanted) in approved:
            initial["parent"] = int(wanted)
        form = CommentForm(initial=initial, article=article, user=request.user)
        reply_id = initial.get("parent")
    else:
        form.refresh_token()
        raw = str(form.data.get("parent", ""))
        reply_id = int(raw) if raw.isdigit() else None
    return {
        "thread": page_entries,
        "comment_page": comment_page,
        "comment_form": form,
        "comment_message": message,
        "reply_to": approved.get(reply_id),
    }


@never_cache
@require_POST
def comment_post(request, slug: str):
    """``POST /articles/<slug>/comments/``: post a comment or reply.

    Unknown, draft or scheduled article: 404. Refusals re-render the article
    page with the reader's text in the form and a message saying why: 403
    comments closed (nothing stored), 400 form problems (lengths, honeypot,
    signature, bad parent), 409 duplicate, 429 too soon (see
    :func:`advice.comments.comment_submit`). Success: 303 to the comment's
    permalink, setting the browser cookie that shows the writer their own held
    comment and, when asked, the "remember me" cookie."""
    article = get_object_or_404(Article.objects.published().select_related("author"), slug=slug)
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
    page = comment_rules.thread_page_number(entries, comment.pk, settings.COMMENTS_PER_PAGE)
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
    articles = Article.objects.published().filter(topics=topic).for_listing()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "advice/topic_detail.html", {"topic": topic, "page_obj": page})


@require_GET
def wordpress_redirect(request, path: str):
    """Any other path: if it is an imported article's old WordPress path,
    answer 301 to the article; otherwise 404."""
    wanted = "/" + path.strip("/") + "/"
    article = Article.objects.published().filter(wp_path__in=[wanted, wanted.rstrip("/")]).first()
    if article is None:
        raise Http404("No page here.")
    return HttpResponsePermanentRedirect(article.get_absolute_url())


@require_safe
def healthz(request):
    """``/healthz``: 200 "ok" when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def page_not_found(request, exception=None):
    """The friendly 404 page."""
    return render(request, "404.html", status=404)


def server_error(request):
    """The friendly 500 page; renders without a database or context processors."""
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


# Form fields whose text a reader typed and must get back after a refusal.
_READER_TEXT_FIELDS = {"name": "Name", "url": "Website", "body": "Comment", "question": "Question"}


def csrf_failure(request, reason: str = ""):
    """CSRF refusal (settings.CSRF_FAILURE_VIEW): 403 with a page that shows
    back what the reader typed (comment, question), so an expired form loses
    nothing. Stores nothing."""
    kept = [
        (label, request.POST.get(name, ""))
        for name, label in _READER_TEXT_FIELDS.items()
        if request.method == "POST" and request.POST.get(name, "").strip()
    ]
    return render(
        request,
        "403_csrf.html",
        {"kept": kept, "back": request.path},
        status=403,
    )
