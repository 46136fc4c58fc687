"""Related articles for an article page: shared topics first, then text
similarity through the search index (:mod:`advice.search.queries`); see
docs/architecture.md.

One query, whatever the number of topics or candidate articles: the shared
topic counts are a correlated count over the article-topics table, and the
similar articles come from the search index as a subquery (its best few
ids), their rank a scalar expression evaluated only for rows sharing no
topic (so only for those few).
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.models import Case, Count, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from advice.models import Article
from advice.search.queries import rank_sql, ranked_ids_sql
from advice.search.terms import query_terms

RELATED_ARTICLES = 5  # shown under an article
SIMILARITY_WORDS = 20  # words of title + question used to find similar articles


def similarity_text(article: Article, words: int = SIMILARITY_WORDS) -> str:
    """The text whose words find similar articles: the title, then the first
    ``words`` words of the question (Markdown source; the search reads
    only letters and digits)."""
    return article.title + " " + " ".join(article.question.split()[:words])


def related_articles_queryset(
    article: Article, limit: int = RELATED_ARTICLES, connection=default_connection
):
    """The query behind :func:`related_articles` (sliced to ``limit``)."""
    Through = Article.topics.through
    its_topics = Through.objects.filter(article_id=article.pk).values("topic_id")
    shared = (
        Through.objects.filter(article_id=OuterRef("pk"), topic_id__in=its_topics)
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    candidates = Q(id__in=Through.objects.filter(topic_id__in=its_topics).values("article_id"))
    similarity = Value(None, output_field=FloatField())
    terms = query_terms(similarity_text(article))
    ids = ranked_ids_sql(
        terms, any_term=True, exclude_ids=[article.pk], limit=limit, connection=connection
    )
    rank = rank_sql(terms, any_term=True, connection=connection)
    if ids and rank:
        candidates |= Q(id__in=RawSQL(*ids))
        # Ranked only where no topic is shared (CASE is lazy): the few similar
        # articles, not every article of a big topic.
        similarity = Case(
            When(shared_topics=0, then=RawSQL(*rank, output_field=FloatField())),
            default=Value(None),
            output_field=FloatField(),
        )
    return (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(candidates)
        .annotate(shared_topics=Coalesce(Subquery(shared), Value(0)))
        .annotate(similarity=similarity)
        .order_by("-shared_topics", F("similarity").asc(nulls_last=True), "-published_at", "-id")[
            :limit
        ]
    )


def related_articles(article: Article, limit: int = RELATED_ARTICLES) -> list[Article]:
    """Up to ``limit`` published articles related to ``article``, best first.

    Candidates are the articles sharing a topic with it and the ``limit``
    articles whose words are most like its title and question
    (:func:`similarity_text`, any word, ranked by the search index). Order:
    most shared topics first (newer first among equals), then the similar
    ones by rank. Never the article itself. One query.
    """
    return list(related_articles_queryset(article, limit))
