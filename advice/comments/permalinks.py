"""Comment permalinks: ``/articles/<slug>/comments/<id>/`` (web layer).

The stable address of a comment, for every link to it from outside its
page: ``Comment.get_absolute_url()``, the comment feed's items, e-mails, the
admin's "view on site". Comments move between comment pages as others are
removed, approved or restored, so the address answers a temporary redirect
(302, never cached) to the comment page that holds the comment now:
``/articles/<slug>/?cpage=N#comment-<id>`` (no ``cpage`` on page 1), the
page worked out from the same public thread and page boundaries the article
page shows (:mod:`advice.comments.threads`, ``COMMENTS_PER_PAGE``,
``COMMENTS_MAX_DEPTH``). Links within the page stay ``#comment-<id>``.

Only a comment the public can see has a permalink that answers: approved,
on a published article, and of the article the slug names. Anything else is
404, for everyone: a held comment is shown only to its own writer, on the
article page, through their browser cookie; its permalink says nothing about
whether it exists. See docs/architecture.md ("``comments/``").
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers

from advice.comments.threads import comment_page_number, thread_order
from advice.models import Article
from config.methods import allow_methods


def comment_page_url(article: Article, comment_id: int, entries) -> str:
    """The path of the comment page among ``entries`` (a whole thread in
    display order, :func:`thread_order`) that shows ``comment_id``, ending in
    ``#comment-<id>``: ``/articles/<slug>/?cpage=N#comment-<id>``, without
    ``?cpage`` on page 1 (the article page's normal form)."""
    page = comment_page_number(entries, comment_id, settings.COMMENTS_PER_PAGE)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{article.get_absolute_url()}{query}#comment-{comment_id}"


@allow_methods("GET", "HEAD")
def comment_permalink(request, slug: str, pk: int):
    """``/articles/<slug>/comments/<pk>/``: 302 to the comment page holding
    comment ``pk`` now (see the module docstring). 404 when the article is
    not published or unknown, or ``pk`` is not one of its approved comments
    (held, spam, removed, another article's, no such id, however large).
    Two queries: the article, then its approved comments (the thread)."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    # The id is looked up in the thread, not in SQL: a number beyond the
    # database's integer range is simply not there.
    rows = (
        article.comments.visible()
        .for_tree()
        .select_related(None)
        .only("pk", "parent_id", "article_id")
    )
    thread = thread_order(rows, settings.COMMENTS_MAX_DEPTH)
    if not any(entry.comment.pk == pk for entry in thread):
        raise Http404("No such comment on this article.")
    response = HttpResponseRedirect(comment_page_url(article, pk, thread))
    add_never_cache_headers(response)  # the page moves as comments come and go
    return response
