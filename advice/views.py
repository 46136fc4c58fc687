"""Public pages: the article list, an article with its comments, topics, the
old-WordPress-link redirect, health check and error pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from advice.models import Article, Topic
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


@require_GET
def article_detail(request, slug: str):
    """``/articles/<slug>/``: the question, the answer, the approved comments
    threaded, and whether comments are open. Drafts and scheduled articles
    are 404 to the public and shown to staff with a banner."""
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("author"), slug=slug
    )
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
    }
    return render(request, "advice/article_detail.html", context)


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


@require_GET
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
