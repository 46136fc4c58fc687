"""Ranked search over published articles: title, question, answer, topics
and the article's approved reader comments (weighted least). See
docs/architecture.md, ``search/``.

:func:`search_article_ids` returns ranked ids of published articles (one
query); :func:`search_page` builds a page of results with highlighted title
and snippet (:mod:`advice.search.highlight`). A term matches an article when
its own text or one of its approved comments has it; each term is one index
lookup on each table, so the work grows with the rows holding the term, not
with the length of a thread. Ranking, per term: the article's own score
(FTS5 ``bm25`` with column weights 10/2/1/4; PostgreSQL ``ts_rank`` with
weights 1.0/0.2/0.1/0.4, length-normalised) plus its best comment's (bm25 x
0.2; ``ts_rank`` at 0.02), summed over the terms, so the same query gives
the same top hit on both. Each dialect's SQL pieces are in
:mod:`advice.search.sqlite` and :mod:`advice.search.postgres`; this module
puts them together. Snippets quote the article's own question and answer;
a hit that matched through its comments alone quotes its best-matching
comment (picked by the index, so only a couple of comment bodies are
read), labelled as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection as default_connection
from django.db.models import Q
from django.utils.safestring import SafeString

from advice.models import Article, Comment
from advice.search import postgres, sqlite
from advice.search.highlight import (
    TermMatcher,
    best_comment,
    has_match,
    highlight,
    plain_text,
    snippet,
)
from advice.search.notes import NoteResult, search_note_templates
from advice.search.terms import MAX_QUERY_CHARS, query_terms

MAX_RESULTS = 500  # ranked ids read per search; more is never paged through

# The SQL dialect of each database that has a search index.
DIALECTS = {"sqlite": sqlite, "postgresql": postgres}


def _term_matches(terms: list[str], prefix: bool, dialect) -> list[str]:
    """One match expression per term (FTS5 or tsquery); with ``prefix`` the
    last term matches as a prefix."""
    last = len(terms) - 1
    return [
        dialect.match_expression([term], prefix=prefix and n == last)
        for n, term in enumerate(terms)
    ]


def _hits_sql(
    terms: list[str],
    *,
    prefix: bool,
    dialect,
    row_id: str | None = None,
    any_term: bool = False,
):
    """SQL (and parameters) of rows ``(article_id, term, src, score)``: for
    each term (numbered from 0), the articles whose own text has it (src 0)
    and those with an approved comment that has it (src 1, one row per such
    comment), with that row's score for the term (SQLite: bm25, lower is
    better; PostgreSQL: ts_rank, higher is better). Each part is an index
    lookup of one term, so the work grows with the rows that hold the term,
    never with the length of an article's other comments. ``row_id``
    restricts it to one article (an SQL expression). With ``any_term`` no
    term needs telling apart: one lookup of all the terms joined by OR
    (numbered 0) on each table, its score the sum of the terms' scores."""
    if any_term:
        matches = [dialect.match_expression(terms, any_term=True, prefix=prefix)]
    else:
        matches = _term_matches(terms, prefix, dialect)
    parts, params = [], []
    for n, match in enumerate(matches):
        parts.append(dialect.term_hits_sql(n, row_id))
        params += [match, match]
    return " UNION ALL ".join(parts), params


def ranked_ids_sql(
    terms: list[str],
    *,
    any_term: bool = False,
    prefix: bool = False,
    exclude_ids: Iterable[int] = (),
    limit: int = MAX_RESULTS,
    connection=default_connection,
) -> tuple[str, list] | None:
    """SQL (and its parameters) selecting the ids of published articles that
    match ``terms`` (from :func:`advice.search.terms.query_terms`), best
    first, at most ``limit``, without ``exclude_ids``. Usable alone or as a
    subquery (``id IN (...)``). ``None`` when there are no terms or the
    database has no index (see :func:`advice.search.index.search_index_install`).

    A term matches an article when its own text or one of its approved
    comments has it; unless ``any_term``, every term must match. Score: per
    term, the article's own score plus its best comment's (see
    :data:`advice.search.sqlite.WEIGHTS`), summed over the terms."""
    dialect = DIALECTS.get(connection.vendor)
    if not terms or dialect is None:
        return None
    published = Article.objects.published().exclude(id__in=list(exclude_ids)).order_by()
    sub_sql, sub_params = published.values("id").query.sql_with_params()
    hits, hit_params = _hits_sql(terms, prefix=prefix, dialect=dialect, any_term=any_term)
    best, order = dialect.BEST_SCORE, dialect.SCORE_ORDER
    having = "" if any_term else f" HAVING count(DISTINCT term) = {len(terms)}"
    # MATERIALIZED: the index lookups run once, whatever the planner thinks
    # of the published filter (PostgreSQL once re-ran them per article).
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT article_id, term, {best}(score) AS score "
        f"FROM ({hits}) h GROUP BY article_id, term, src) "
        f"SELECT article_id FROM hits WHERE article_id IN ({sub_sql}) "
        f"GROUP BY article_id{having} ORDER BY sum(score) {order}, article_id DESC LIMIT %s"
    )
    return sql, [*hit_params, *sub_params, limit]


def rank_sql(
    terms: list[str], *, any_term: bool = False, connection=default_connection
) -> tuple[str, list] | None:
    """A scalar SQL expression (and parameters) for use in a query over the
    article table: the search rank of that row's article for ``terms``,
    lower is better (the same scale :func:`ranked_ids_sql` orders by), NULL
    when it does not match. ``None`` when :func:`ranked_ids_sql` would be.
    Meant for a few rows (related articles): each is one index lookup per
    term."""
    dialect = DIALECTS.get(connection.vendor)
    if not terms or dialect is None:
        return None
    quote = connection.ops.quote_name
    row_id = f"{quote(Article._meta.db_table)}.{quote('id')}"
    hits, params = _hits_sql(terms, prefix=False, dialect=dialect, row_id=row_id, any_term=any_term)
    sql = (
        f"(SELECT {dialect.RANK_SIGN}sum(score) FROM (SELECT term, {dialect.BEST_SCORE}(score) "
        f"AS score FROM ({hits}) h GROUP BY term, src) t)"
    )
    return sql, params


def search_article_ids(
    text: str | None,
    *,
    any_term: bool = False,
    prefix: bool = False,
    exclude_ids: Iterable[int] = (),
    limit: int = MAX_RESULTS,
    connection=default_connection,
) -> list[int]:
    """Ids of published articles matching the reader's ``text``, best first.

    ``text`` is read through :func:`query_terms` (so any input is safe);
    no terms → ``[]`` without a query. All terms must match unless
    ``any_term``; ``prefix`` lets the last term match as a prefix (for
    as-you-type suggestions). ``exclude_ids`` are left out. At most
    ``limit`` ids. One database query. Ties rank the newer article (higher
    id) first.
    """
    terms = query_terms(text)
    if not terms or limit <= 0:
        return []
    query = ranked_ids_sql(
        terms,
        any_term=any_term,
        prefix=prefix,
        exclude_ids=exclude_ids,
        limit=limit,
        connection=connection,
    )
    if query is None:
        published = Article.objects.published().exclude(id__in=list(exclude_ids))
        return _fallback_ids(terms, published, any_term=any_term, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return [row[0] for row in cursor.fetchall()]


def _fallback_ids(terms, published, *, any_term: bool, limit: int) -> list[int]:
    """Other databases: substring match on each term, newest first."""
    condition = Q()
    for term in terms:
        term_q = (
            Q(title__icontains=term)
            | Q(question__icontains=term)
            | Q(answer__icontains=term)
            | Q(topics__name__icontains=term)
        )
        condition = (condition | term_q) if any_term else (condition & term_q)
    ids = published.filter(condition).order_by("-published_at", "-id").values_list("id", flat=True)
    return list(dict.fromkeys(ids))[:limit]


@dataclass
class SearchResult:
    """One hit: the article, its title and a snippet, both highlighted (safe HTML).
    ``from_comment`` is true when the snippet quotes a reader's approved
    comment (only when the article's own title, question and answer hold
    none of the words, so the reader sees why it matched)."""

    article: Article
    title: SafeString
    snippet: SafeString
    from_comment: bool = False


@dataclass
class SearchOutcome:
    """A page of results. ``any_term`` is true when no article held every
    word and the results hold some of them instead. ``note_templates``: the
    note templates that match (:mod:`advice.search.notes`), on the first
    page only, listed apart from the articles."""

    query: str
    terms: list[str]
    page: Page | None = None
    results: list[SearchResult] = field(default_factory=list)
    any_term: bool = False
    note_templates: list[NoteResult] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page else 0


RESULTS_PER_PAGE = 10


def search_page(text: str | None, page_number=1, *, per_page: int = RESULTS_PER_PAGE):
    """Search for the reader's ``text`` and return one page of results as a
    :class:`SearchOutcome`. When no article holds every term, articles
    holding any of them are returned instead (``any_term``). ``page_number``
    may be anything a reader puts in ``?page=`` (bad values give the first or
    last page). Snippets come from the article's question and answer; only
    for a hit whose title, question and answer hold none of the words (it
    matched through its approved comments) does the snippet quote the
    best-matching comment instead (``from_comment``). The first page also
    carries the matching note templates (``note_templates``). Queries: one
    or two for the ids, one for the note templates on the first page, one
    for the page's articles, and one more for comments only when some hit
    on the page matched through them alone."""
    query = (text or "")[:MAX_QUERY_CHARS]
    terms = query_terms(query)
    outcome = SearchOutcome(query=query, terms=terms)
    if not terms:
        return outcome
    ids = search_article_ids(query)
    if not ids:
        ids = search_article_ids(query, any_term=True)
        outcome.any_term = bool(ids)
    page = Paginator(ids, per_page).get_page(page_number)
    if page.number == 1:
        outcome.note_templates = search_note_templates(terms)
    articles = Article.objects.defer("question", "answer").in_bulk(list(page.object_list))
    outcome.page = page
    matcher = TermMatcher(terms)
    comment_only: list[SearchResult] = []
    for article_id in page.object_list:
        article = articles.get(article_id)
        if article is None:  # unpublished between the two queries
            continue
        body = plain_text(article.question_html) + " " + plain_text(article.answer_html)
        result = SearchResult(
            article=article,
            title=highlight(article.title, matcher),
            snippet=snippet(body, matcher),
        )
        outcome.results.append(result)
        if not has_match(article.title, matcher) and not has_match(body, matcher):
            comment_only.append(result)
    if comment_only:
        _comment_snippets(comment_only, matcher)
    return outcome


COMMENTS_PER_SNIPPET = 1  # best-ranked comments per article read for its snippet


def _best_comments_sql(terms: list[str], article_ids: list[int], dialect):
    """SQL (and parameters) of ``(article_id, body, body_html)`` rows: for each of
    ``article_ids``, its approved comments that best match any of ``terms``
    by the index's rank, at most :data:`COMMENTS_PER_SNIPPET`, best first.
    Only those comments' bodies are read."""
    approved = Comment.Status.APPROVED.value
    inner, params = dialect.ranked_comments_sql(terms, article_ids)
    sql = (
        f"SELECT c.article_id, c.body, c.body_html FROM advice_comment c "
        f"JOIN ({inner}) b ON b.id = c.id "
        f"WHERE b.n <= {COMMENTS_PER_SNIPPET} AND c.status = %s ORDER BY c.article_id, b.n"
    )
    return sql, [*params, approved]


def _comment_snippets(results: list[SearchResult], matcher: TermMatcher) -> None:
    """Give each of ``results`` a snippet from its best-matching approved
    comment, when one matches (one query for all of them). On SQLite and
    PostgreSQL the index picks the best-ranked comment per article
    (:func:`_best_comments_sql`), so an article's other comments are never
    read; elsewhere all its approved comments are, and :func:`best_comment`
    picks."""
    ids = [r.article.pk for r in results]
    bodies: dict[int, list[str]] = {}
    dialect = DIALECTS.get(default_connection.vendor)
    if dialect is not None:
        terms = [term for term, _ in matcher.stems]
        with default_connection.cursor() as cursor:
            cursor.execute(*_best_comments_sql(terms, ids, dialect))
            rows = cursor.fetchall()
    else:
        rows = (
            Comment.objects.visible()
            .filter(article_id__in=ids)
            .order_by("created_at", "id")
            .values_list("article_id", "body", "body_html")
        )
    for article_id, body, body_html in rows:
        # An imported comment's body is WordPress's HTML: quote its text.
        text = plain_text(body_html) if body_html else " ".join(body.split())
        bodies.setdefault(article_id, []).append(text)
    for result in results:
        candidates = bodies.get(result.article.pk, [])
        if dialect is not None:  # the index's pick, when it matches
            body = next((b for b in candidates if has_match(b, matcher)), None)
        else:
            body = best_comment(candidates, matcher)
        if body is not None:
            result.snippet = snippet(body, matcher)
            result.from_comment = True
