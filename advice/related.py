"""Related articles for an article page: shared topics first, then text
similarity through the search index (:mod:`advice.search.queries`); see
docs/architecture.md.

The rule (:func:`related_articles_queryset`): candidates are the articles
sharing a topic with the article and the ``limit`` published articles whose
words are most like its title and question (:func:`similarity_text`, any
word, ranked by the search index). Order: most shared topics first (newer
first among equals), then the similar ones by rank. Never the article
itself.

Worked out when content changes, never per request (issue 14: the
similarity lookup scans the whole index, 125 ms at 5,000 articles). Each
article's list is stored (``RelatedArticle`` rows, best first) with its
state (``RelatedList``):

- **Marking** (:func:`related_mark`, on commit of an article saved or
  deleted, its topics changed, a topic deleted): the lists that may change
  are marked stale in one UPDATE: the article's own, those of articles
  sharing a topic with it, those that show it, and those filled by
  similarity (any article may enter those).
- **Refreshing** (:func:`related_refresh`): every stale list is worked out
  again and stored; articles whose list changed are touched
  (:func:`advice.publishing.articles_touch`), so the page caches keyed on
  ``updated_at`` and the site version show the new list. It runs in a task
  (:func:`related_refresh_task`, queued on commit): one refresh costs one or
  two queries per stale list, and a save can make a whole topic's lists
  stale, too much to do inside an editor's request; the queue's worker
  already runs for mail. ``manage.py related_refresh`` does it at once.
- **Reading** (:func:`related_articles`): one query over the stored rows,
  filtered by the published rule *now*. The stored list runs past
  ``limit`` over drafts and scheduled articles (down to the ``limit``-th
  article published when it was worked out), so a scheduled article
  coming due takes its place without anything being saved. A list never
  worked out yet (a new article before the worker ran, or right after the
  migration until ``manage.py related_refresh``) is empty.

Exactness: a list is exactly the rule's answer as of its last refresh,
except that text similarity reads the search index of that moment, and
comments (which the index also holds) do not mark lists stale.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection as default_connection
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.utils import timezone
from django_tasks import task

from advice.mailqueue import task_enqueue, task_waiting
from advice.models import Article, RelatedArticle, RelatedList, Topic, published_q
from advice.search.queries import rank_sql, ranked_ids_sql
from advice.search.terms import query_terms

RELATED_ARTICLES = 5  # shown under an article
SIMILARITY_WORDS = 20  # words of title + question used to find similar articles
STORED_MAX = 4 * RELATED_ARTICLES  # rows kept per list at most (drafts, scheduled)
REFRESH_BATCH = 200  # stale lists read per round of related_refresh


def similarity_text(article: Article, words: int = SIMILARITY_WORDS) -> str:
    """The text whose words find similar articles: the title, then the first
    ``words`` words of the question (Markdown source; the search reads
    only letters and digits)."""
    return article.title + " " + " ".join(article.question.split()[:words])


def _shared_topics(article: Article):
    """``(its_topics, shared)``: the article's topic ids as a subquery, and
    a correlated count of the topics a candidate row shares with it."""
    Through = Article.topics.through
    its_topics = Through.objects.filter(article_id=article.pk).values("topic_id")
    shared = (
        Through.objects.filter(article_id=OuterRef("pk"), topic_id__in=its_topics)
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return its_topics, shared


def related_articles_queryset(
    article: Article,
    limit: int = RELATED_ARTICLES,
    connection=default_connection,
    *,
    candidates=None,
    similarity: bool = True,
):
    """The rule's query (see the module docstring), best first, sliced to
    ``limit``, each row annotated ``shared_topics`` and ``similarity``.

    ``candidates`` (default: published articles now) is the Article
    QuerySet the topic part draws from; similar articles are always
    published ones. ``similarity=False`` leaves the text similarity out
    (the answer is the same when ``limit`` candidates share a topic). One
    query."""
    Through = Article.topics.through
    its_topics, shared = _shared_topics(article)
    matches = Q(id__in=Through.objects.filter(topic_id__in=its_topics).values("article_id"))
    rank_expression = Value(None, output_field=FloatField())
    terms = query_terms(similarity_text(article)) if similarity else []
    ids = ranked_ids_sql(
        terms, any_term=True, exclude_ids=[article.pk], limit=limit, connection=connection
    )
    rank = rank_sql(terms, any_term=True, connection=connection)
    if ids and rank:
        matches |= Q(id__in=RawSQL(*ids))
        # Ranked only where no topic is shared (CASE is lazy): the few similar
        # articles, not every article of a big topic.
        rank_expression = Case(
            When(shared_topics=0, then=RawSQL(*rank, output_field=FloatField())),
            default=Value(None),
            output_field=FloatField(),
        )
    rows = Article.objects.published() if candidates is None else candidates
    order = ["-shared_topics", F("similarity").asc(nulls_last=True), "-published_at", "-id"]
    if not (ids and rank):  # PostgreSQL refuses ORDER BY a constant NULL
        order.pop(1)
    return (
        rows.exclude(pk=article.pk)
        .filter(matches)
        .annotate(shared_topics=Coalesce(Subquery(shared), Value(0)))
        .annotate(similarity=rank_expression)
        .order_by(*order)[:limit]
    )


def _cut(rows: list[tuple], limit: int) -> list[tuple]:
    """``rows`` (``(id, shared_topics, published now)``) up to and including
    the ``limit``-th one published now (all of them when fewer are)."""
    seen = 0
    for n, (_, _, live) in enumerate(rows):
        seen += bool(live)
        if seen == limit:
            return rows[: n + 1]
    return rows


def related_compute(
    article: Article, *, now: datetime | None = None, limit: int = RELATED_ARTICLES
) -> tuple[list[tuple[int, int]], bool]:
    """The stored form of ``article``'s related list: ``([(related id,
    shared topics), ...] best first, by_similarity)``. Candidates are
    articles of any status (drafts and scheduled ones included, cut after
    the ``limit``-th published at ``now``; readers filter them out when
    reading). ``by_similarity`` is True when text similarity had to be
    consulted (fewer than ``limit`` published articles share a topic).
    One query, or two when similarity is needed."""
    now = now or timezone.now()
    candidates = Article.objects.annotate(
        live=ExpressionWrapper(published_q(now), output_field=BooleanField())
    )
    fields = ("id", "shared_topics", "live")

    def rows(similarity: bool) -> list[tuple]:
        query = related_articles_queryset(
            article, STORED_MAX, candidates=candidates, similarity=similarity
        )
        return _cut(list(query.values_list(*fields)), limit)

    found = rows(similarity=False)
    by_similarity = sum(bool(live) for _, _, live in found) < limit
    if by_similarity:
        found = rows(similarity=True)
    return [(pk, shared) for pk, shared, _ in found], by_similarity


def related_articles(
    article: Article, limit: int = RELATED_ARTICLES, now: datetime | None = None
) -> list[Article]:
    """Up to ``limit`` published articles related to ``article``, best first
    (the rule: :func:`related_articles_queryset`), read from its stored list
    in one query. A list not worked out yet (a new article before the queue
    ran) is empty: never computed per request."""
    now = now or timezone.now()
    return list(
        Article.objects.published(now)
        .filter(listed_in__article=article)
        .order_by("listed_in__position")[:limit]
    )


# --- Keeping the stored lists current ----------------------------------------


def related_mark(article_ids, *, now: datetime | None = None) -> int:
    """Mark stale the lists ``article_ids`` (ids, or a ``values("pk")``
    QuerySet) may change: their own, those of articles sharing a topic with
    them, those showing them, and every list filled by similarity. Lists
    missing (new articles) are made. Returns how many lists were marked. Two
    queries."""
    now = now or timezone.now()
    ids = list(article_ids)
    RelatedList.objects.bulk_create(
        [RelatedList(article_id=pk, stale_since=now) for pk in ids], ignore_conflicts=True
    )
    Through = Article.topics.through
    topics = Through.objects.filter(article_id__in=ids).values("topic_id")
    return RelatedList.objects.filter(
        Q(article_id__in=ids)
        | Q(article_id__in=Through.objects.filter(topic_id__in=topics).values("article_id"))
        | Q(article_id__in=RelatedArticle.objects.filter(related_id__in=ids).values("article_id"))
        | Q(by_similarity=True)
    ).update(stale_since=now)


def related_mark_all(*, now: datetime | None = None) -> int:
    """Mark every article's list stale (making the missing ones), so the next
    :func:`related_refresh` works them all out again: after the migration
    that made the tables, a large import, and daily (text similarity follows
    the search index, which comments also change). Returns how many lists
    were marked. Two queries."""
    now = now or timezone.now()
    RelatedList.objects.bulk_create(
        [RelatedList(article_id=pk) for pk in Article.objects.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    return RelatedList.objects.update(stale_since=now)


def _store(article_id: int, entries: list[tuple[int, int]], by_similarity: bool, since) -> bool:
    """Replace ``article_id``'s stored list by ``entries`` and mark it
    current, unless it was marked again after ``since``. Returns whether
    the list shown changed."""
    with transaction.atomic():
        old = list(
            RelatedArticle.objects.filter(article_id=article_id)
            .order_by("position")
            .values_list("related_id", "shared_topics")
        )
        changed = old != entries
        if changed:
            RelatedArticle.objects.filter(article_id=article_id).delete()
            RelatedArticle.objects.bulk_create(
                RelatedArticle(
                    article_id=article_id,
                    related_id=pk,
                    position=n,
                    shared_topics=shared,
                    similar=not shared,
                )
                for n, (pk, shared) in enumerate(entries)
            )
        RelatedList.objects.filter(article_id=article_id).update(
            by_similarity=by_similarity,
            stale_since=Case(When(stale_since__lte=since, then=None), default=F("stale_since")),
        )
    return changed


def related_refresh(*, now: datetime | None = None) -> int:
    """Work out again every list marked stale at or before ``now`` (default:
    now) and store it; lists marked again meanwhile stay stale for the next
    run. Articles whose list changed are touched, so caches see it.
    Returns how many lists were worked out."""
    from advice.publishing import articles_touch  # publishing imports models only

    now = now or timezone.now()
    done = 0
    seen: set[int] = set()
    while True:
        batch = list(
            RelatedList.objects.filter(stale_since__lte=now)
            .exclude(article_id__in=seen)
            .order_by("stale_since", "article_id")
            .values_list("article_id", "stale_since")[:REFRESH_BATCH]
        )
        if not batch:
            return done
        articles = Article.objects.only("id", "title", "question").in_bulk([pk for pk, _ in batch])
        changed = []
        for pk, since in batch:
            seen.add(pk)
            article = articles.get(pk)
            if article is None:
                continue
            entries, by_similarity = related_compute(article, now=timezone.now())
            if _store(pk, entries, by_similarity, since):
                changed.append(pk)
            done += 1
        if changed:
            articles_touch(article_ids=changed)


@task()
def related_refresh_task() -> int:
    """The queue's job for :func:`related_refresh` (queued on commit by
    every content change that marks lists stale). Returns how many lists
    were worked out."""
    return related_refresh()


def _queue_refresh() -> None:
    """After the commit that marked lists: queue one refresh, unless one is
    already waiting to start (it will read the marks just committed; one
    task per save of an import would be thousands). Never raises: a queue
    that fails is logged, and the daily refresh catches up."""
    if not task_waiting(related_refresh_task):
        task_enqueue(related_refresh_task, what="the related-list refresh")


def _marked(ids) -> None:
    """Mark the lists ``ids`` may change and queue a refresh once the
    transaction commits."""
    if ids:
        related_mark(ids)
        transaction.on_commit(_queue_refresh)


def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    """``post_save`` receiver: an article's text, status, time or author
    may have changed its place in others' lists and its own list."""
    if not raw:
        _marked([instance.pk])


def article_deleting(sender, instance: Article, **kwargs) -> None:
    """``pre_delete`` receiver (before its topics and rows go): the lists
    showing it or sharing a topic with it."""
    _marked([instance.pk])


def article_topics_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """``m2m_changed`` receiver for ``Article.topics``, from either side."""
    if action in ("post_add", "post_remove"):
        _marked(list(pk_set or ()) if reverse else [instance.pk])
    elif action == "pre_clear" and reverse:  # the topic's articles, before they go
        _marked(list(instance.articles.values_list("pk", flat=True)))
    elif action == "pre_clear":
        _marked([instance.pk])


def topic_deleting(sender, instance: Topic, **kwargs) -> None:
    """``pre_delete`` receiver: the topic's articles share one topic less."""
    _marked(list(instance.articles.values_list("pk", flat=True)))


def related_signals_connect() -> None:
    """Connect the receivers above (``AdviceConfig.ready``)."""
    uid = "advice.related"
    post_save.connect(article_saved, sender=Article, dispatch_uid=f"{uid}.saved")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid=f"{uid}.deleting")
    m2m_changed.connect(
        article_topics_changed, sender=Article.topics.through, dispatch_uid=f"{uid}.topics"
    )
    pre_delete.connect(topic_deleting, sender=Topic, dispatch_uid=f"{uid}.topic_deleting")
