"""Search latency with 1,000 articles, on whatever DATABASE_URL names.

    .venv/bin/python bench/search_bench.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        TEST_DATABASE_NAME=bench_search .venv/bin/python bench/search_bench.py

Runs in a throw-away test database (Django's test-database machinery: created,
migrated, destroyed), so it never touches real data. Fills it with 1,000
published articles made from the seed post's and demo articles' sentences
(fixed random seed), then times ~50 searches each way: the search page's
work (:func:`advice.search.queries.search_page`: ranked ids, the page's articles,
snippets), the as-you-type suggestions and the related-articles query.
Prints median and 95th percentile in milliseconds. Timings are not asserted
anywhere.

Then the big-comments case (``BENCH_COMMENTS`` comments, default 100, of
``BENCH_COMMENT_CHARS`` characters, default 60,000, on one article): each is
stored held and approved one by one (the time of the first and last
approval is printed: with a per-comment index both stay flat), then a
two-word search that matches those comments is timed, as is approving one
more small comment. ``BENCH_COMMENTS=0`` skips it.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

ARTICLES = 1000
RUNS = 3  # each query list is run this many times; the first run warms caches

QUERIES = [
    "thank you note", "follow-up", "interview", "resume", "cover letter", "boss",
    "credit", "phone screen", "salary", "note", "waiting", "coverage", "email after interview",
    "coin toss", "production manager", "assistant job", "hear back", "two weeks", "new show",
    "second interview", "recruiter", "short call", "writer's assistant", "references",
    "thank-you note after a phone screen", "how long to wait", "my boss takes credit",
    "network", "agent", "portfolio", "internship", "overtime", "feedback", "promotion",
    "quit", "deadline", "meeting", "coworker", "schedule", "nobody answers",
    "résumé", '"quoted" AND NOT', "zebra", "the", "a" * 200, "interview thank note send",
    "day", "morning", "end of the day", "colleague mistakes",
]  # fmt: skip
SUGGEST = [q[: max(3, len(q) - 2)] for q in QUERIES]


def sentences() -> list[str]:
    from advice.demo import ARTICLES as DEMO

    seed = (ROOT.parent / "shared/corpus/seed/post-interview-thank-you-note.txt").read_text()
    text = seed + " " + " ".join(d["question"] + " " + d["answer"] for d in DEMO)
    parts = [s.strip() for s in text.replace("\n", " ").split(".") if len(s.strip()) > 20]
    return parts


def fill(rng: random.Random) -> None:
    from advice.markdown import render_markdown
    from advice.models import Article, Topic

    pool = sentences()
    words = sorted({w for s in pool for w in s.split() if w.isalpha() and len(w) > 3})
    extra = "salary portfolio internship overtime feedback promotion agent network deadline"
    extra = [*extra.split(), "meeting", "coworker", "schedule", "references", "quit"]
    words += extra
    topics = [
        Topic.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Interviews", "Applications", "On the job", "Money", "Networking",
                     "Notes", "Leaving", "Colleagues")
    ]  # fmt: skip
    now = timezone.now()
    batch = []
    for n in range(ARTICLES):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))).capitalize()
        question = ". ".join(rng.sample(pool, 2)) + "?"
        answer = ".\n\n".join(rng.sample(pool, rng.randint(4, 10))) + "."
        batch.append(
            Article(
                title=title,
                slug=f"bench-{n}",
                asker="Reader",
                question=question,
                answer=answer,
                question_html=render_markdown(question),
                answer_html=render_markdown(answer),
                status=Article.Status.PUBLISHED,
                published_at=now - timezone.timedelta(hours=n + 1),
            )  # fmt: skip
        )
    Article.objects.bulk_create(batch, batch_size=200)
    Through = Article.topics.through
    links = [
        Through(article_id=a.pk, topic_id=t.pk)
        for a in Article.objects.only("id")
        for t in rng.sample(topics, rng.randint(1, 3))
    ]
    Through.objects.bulk_create(links, batch_size=500)


def timed(fn, items) -> list[float]:
    times = []
    for run in range(RUNS):
        for item in items:
            start = time.perf_counter()
            fn(item)
            if run:  # first run warms up
                times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<28} n={len(times):4d}  median {statistics.median(times):7.2f} ms"
          f"  p95 {p95:7.2f} ms  max {ordered[-1]:7.2f} ms")  # fmt: skip


def big_comments(rng: random.Random) -> None:
    """Many large approved comments on one article (see the module docstring)."""
    from advice.comments.moderation import comment_approve
    from advice.models import Article, Comment
    from advice.search.queries import search_page

    count = int(os.environ.get("BENCH_COMMENTS", "100"))
    chars = int(os.environ.get("BENCH_COMMENT_CHARS", "60000"))
    if count <= 0:
        return
    pool = sentences()
    article = Article.objects.create(
        title="Long discussion", slug="bench-long-discussion", answer="Short answer.",
        status=Article.Status.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    approvals = []
    for n in range(count):
        body = ""
        while len(body) < chars:
            body += rng.choice(pool) + ". "
        body = body[: chars - 20] + f" zanzibar{n} quokka"
        comment = Comment.objects.create(
            article=article, author_name=f"Reader {n}", author_email=f"r{n}@example.com",
            body=body, status=Comment.Status.PENDING,
        )  # fmt: skip
        start = time.perf_counter()
        comment_approve(comments=[comment])
        approvals.append((time.perf_counter() - start) * 1000)
    print(f"{count} comments of {chars} chars: approving the first {approvals[0]:.1f} ms, "
          f"the last {approvals[-1]:.1f} ms, all {sum(approvals) / 1000:.1f} s")  # fmt: skip
    report("big comments: 2-word search", timed(search_page, ["quokka interview"] * 5))
    report("big comments: ids only", timed(search_article_ids_two, ["quokka interview"] * 5))
    small = []
    for n in range(5):
        comment = Comment.objects.create(
            article=article, author_name="Small", author_email=f"s{n}@example.com",
            body=f"A small comment {n}.", status=Comment.Status.PENDING,
        )  # fmt: skip
        start = time.perf_counter()
        comment_approve(comments=[comment])
        small.append((time.perf_counter() - start) * 1000)
    report("big comments: approve small", small)


def search_article_ids_two(text: str):
    from advice.search.queries import search_article_ids

    return search_article_ids(text)


def main() -> None:
    from advice.models import Article
    from advice.related import related_articles
    from advice.search.queries import search_article_ids, search_page

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(42)
        started = time.perf_counter()
        fill(rng)
        print(f"{connection.vendor}: {Article.objects.count()} articles indexed in "
              f"{time.perf_counter() - started:.1f} s (bulk insert, triggers)")  # fmt: skip
        report("search page (ids+page+snip)", timed(search_page, QUERIES))
        report("ranked ids only", timed(search_article_ids, QUERIES))
        report(
            "ask suggestions (prefix)",
            timed(lambda q: search_article_ids(q, any_term=True, prefix=True, limit=5), SUGGEST),
        )
        sample = list(Article.objects.order_by("?")[:50])
        report("related articles", timed(related_articles, sample))
        big_comments(rng)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
