"""Public pages: the article list (home), an article with its comments, the
topic index and a topic's articles (web layer, docs/architecture.md). Old
WordPress links are :mod:`advice.wordpress.redirects`; error pages and
``/healthz`` are :mod:`advice.errors`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from advice import caching, page_cache
from advice.comments.views import comment_section, reply_target
from advice.models import Article, Topic
from advice.related import related_articles
from advice.seo import article_meta
from advice.wordpress.redirects import home_old_link, old_slug_redirect
from config.methods import allow_methods
from config.pagequery import PageOutOfRange, page_query, requested_page
from config.shared_pages import shared_page
from notes.forms import drafter_post_slug

ARTICLES_PER_PAGE = 10
# The page parameters the article page reads (the note drafter's way back and
# cache key keep only these; config.pagequery.page_path).
ARTICLE_PAGE_PARAMS = ("cpage",)


@allow_methods("GET", "HEAD")
@shared_page(params=("page",))
def home(request):
    """``/``: latest published articles, paginated. ``/?p=<wp id>`` (an old
    WordPress short link) answers 301 to the imported article, ``/?s=<words>``
    (WordPress's search) 301 to ``/search/?q=<words>``. A whole page for
    readers without state (:mod:`advice.page_cache`)."""
    old_link = home_old_link(request.GET)  # ?p=<wp id>, ?s=<words>
    if old_link is not None:
        return old_link
    number, target = requested_page(request, "page")
    if target is not None:
        return HttpResponsePermanentRedirect(target)
    now = timezone.now()
    state = caching.site_state(now) if caching.enabled() else None
    articles = Article.objects.published(now)
    try:
        html = _article_list_html(articles, "home", number, state, now, "No articles yet.")
    except PageOutOfRange as beyond:
        return _to_last_page(request, "page", beyond)
    return render(request, "advice/article_list.html", {"article_list_html": html})


def _to_last_page(request, name: str, beyond: PageOutOfRange):
    """302 (temporary, never cached) from a page number beyond the last page
    to the last page: the page may exist later (one more comment or
    article), and browsers and front caches keep a 301 for good."""
    path = escape_uri_path(request.path) + page_query(request.GET, name, beyond.last)
    response = HttpResponseRedirect(path)
    add_never_cache_headers(response)
    return response


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


# CSRF-exempt for the note drafter's post-back only (a POST holding anything
# else is refused): like notes.views.note_detail's, it changes no state.
@csrf_exempt
@sensitive_post_parameters()
@allow_methods("GET", "HEAD", "POST")
@shared_page(params=ARTICLE_PAGE_PARAMS + ("replytocom",))
def article_detail(request, slug: str):
    """``/articles/<slug>/``: the question, the answer, the approved comments
    threaded, and whether comments are open. Drafts and scheduled articles
    are 404 to the public and shown to staff with a banner.

    For a reader without state of their own the page is the same for
    everyone and comes whole from the page cache (:mod:`advice.page_cache`,
    which also answers conditional GETs); its entry ends at the automatic
    comment close time. A reader with state gets their own page (their
    held comments, remembered name, CSRF token), ``no-store``. Inside a
    render, the comment tree and related list come from the fragment cache
    (:mod:`advice.caching`).

    POST is an embedded note drafter's post-back without JavaScript (drafter
    fields only, :func:`notes.forms.drafter_post_slug`; else 400): the page
    again with that drafter's note filled in and its send time, ``no-store``,
    nothing kept."""
    now = timezone.now()
    articles = Article.objects.visible_to(request.user, now).select_related("author")
    if caching.enabled():  # the site version comes with the article's row
        articles = articles.annotate(**caching.site_state_annotations(now))
    try:
        article = articles.get(slug=slug)
    except Article.DoesNotExist:  # a slug it had before: 301 (else 404)
        return old_slug_redirect(slug, articles, request.META.get("QUERY_STRING", ""))
    number, target = requested_page(request, "cpage")
    if target is not None:  # one URL, one cache key per comment page
        return HttpResponsePermanentRedirect(target)
    reply_to = None
    if "replytocom" in request.GET:
        reply_to = reply_target(article, request.GET["replytocom"])
        if reply_to is None:
            return _without_reply_redirect(request)
    state = caching.site_state_of(article)
    if request.method == "POST":
        posted = drafter_post_slug(request.POST)
        if posted is None:
            return HttpResponseBadRequest(
                "This address takes only the note drafter's form.\n",
                content_type="text/plain; charset=utf-8",
            )
        response = render_article(
            request, article, now=now, state=state, comment_page=number, reply_to=reply_to,
            drafter_post=(posted, request.POST),
        )  # fmt: skip
        return caching.mark_no_store(response)
    try:
        response = render_article(
            request, article, now=now, state=state, comment_page=number, reply_to=reply_to
        )
    except PageOutOfRange as beyond:
        return _to_last_page(request, "cpage", beyond)
    return page_cache.ends_at(response, article.comments_close_time())


def _without_reply_redirect(request):
    """For ``?replytocom=<x>`` naming no approved comment of the article (a
    held, removed or made-up id, or not an id): a 302, never cached, to the
    same address without it. The form would ignore such a value anyway, and
    each made-up id would otherwise be a page of its own in the page cache
    (issue 14: query strings must not flood it)."""
    rest = request.GET.copy()
    del rest["replytocom"]
    query = rest.urlencode()
    response = HttpResponseRedirect(escape_uri_path(request.path) + (f"?{query}" if query else ""))
    add_never_cache_headers(response)
    return response


def render_article(
    request,
    article,
    *,
    comment_form=None,
    comment_message="",
    status=200,
    now=None,
    state=None,
    comment_page=1,
    drafter_post=None,
    reply_to=None,
):
    """The article page for ``article`` (a response) showing comment page
    ``comment_page`` (normal form; :class:`PageOutOfRange` beyond the last);
    after a refused comment, ``comment_form`` is the reader's bound form,
    ``comment_message`` says why and ``status`` is the refusal's HTTP status.
    ``state`` is the site version (:class:`advice.caching.SiteState`) when
    the caller has it. The comments section is
    :func:`advice.comments.views.comment_section`; ``comment_post`` calls
    this to show a refused comment. ``reply_to`` is the approved comment
    ``?replytocom`` names, when the caller looked it up already (else the
    comment section does). ``drafter_post`` (``(slug, QueryDict)``)
    fills that embedded drafter in (``notes_tags.answer_with_drafters``)."""
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
        "page_params": ARTICLE_PAGE_PARAMS,
        "drafter_post": drafter_post,
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
        comment_section(
            request,
            article,
            comments_open=comments_open,
            timeout=timeout,
            form=comment_form,
            message=comment_message,
            number=comment_page,
            reply_to=reply_to,
        )
    )
    return render(request, "advice/article_detail.html", context, status=status)


@allow_methods("GET", "HEAD")
@shared_page()
def topic_list(request):
    """``/topics/``: every topic with its published-article count."""
    topics = Topic.objects.annotate_published_counts()
    return render(request, "advice/topic_list.html", {"topics": topics})


@allow_methods("GET", "HEAD")
@shared_page(params=("page",))
def topic_detail(request, slug: str):
    """``/topics/<slug>/``: published articles in a topic, paginated.

    Three queries uncached: the topic, the paginator's count, one page.
    On SQLite (no ``ANALYZE`` statistics) both list queries walk the
    article index on (status, published_at) and probe the topic links:
    the count costs about 0.2 µs per published article of the site (1 ms
    at 5,000), the page stops after its ten. Counting from the topic's
    links instead (``EXISTS`` per link) costs 0.05 ms for a topic of 125
    but 11 ms for one holding all 5,000, as each link reads its article's
    row; PostgreSQL plans both shapes from the links alike (0.2-0.5 ms).
    Measured with ``bench/scale.py`` (issue 14, item 7)."""
    topic = get_object_or_404(Topic, slug=slug)
    number, target = requested_page(request, "page")
    if target is not None:
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
