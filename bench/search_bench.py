"""Search latency with 1,000 articles, on whatever DATABASE_URL names.

    .venv/bin/python bench/search_bench.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        TEST_DATABASE_NAME=bench_search .venv/bin/python bench/search_bench.py

Runs in a throw-away test database (Django's test-database machinery: created,
migrated, destroyed), so it never touches real data. Fills it with 1,000
published articles made from the seed post's and demo articles' sentences
(fixed random seed), then times ~50 searches each way: the search page's
work (:func:`advice.search.search_page`: ranked ids, the page's articles,
snippets), the as-you-type suggestions and the related-articles query.
Prints median and 95th percentile in milliseconds. Timings are not asserted
anywhere.
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


def main() -> None:
    from advice.models import Article
    from advice.related import related_articles
    from advice.search import search_article_ids, search_page

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
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
