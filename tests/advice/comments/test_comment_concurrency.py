"""Many readers posting at once: every comment is stored exactly once, and
SQLite never answers "database is locked".

On SQLite the test needs a database FILE (the test runner's in-memory
database shares one connection cache and cannot show writers queueing on the
lock), so it runs this module's :func:`main` in a subprocess against a fresh
file: migrate, make one open article, post through the real view with
Django's test client from several threads, print a JSON summary. On
PostgreSQL it runs the same posting code in-process against the test
database.

Run by hand for the figures::

    .venv/bin/python -c "import tests.advice.comments.test_comment_concurrency as m; m.main()" \\
        load /tmp/load.sqlite3
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

import pytest

from tests.sqlite_file import migrated_sqlite_file, print_result, run_module_main

# Seconds each (servers, threads or large inputs): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

THREADS, PER_THREAD = 8, 50


def post_concurrently(slug: str, article_id: int, jobs: list[list[dict]]) -> dict:
    """Post each list of form payloads in ``jobs`` from its own thread (one
    test client and one database connection per thread), all starting
    together. Returns ``{"statuses": {code: n}, "errors": [...], "seconds": s}``."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from advice.comments.forms import form_token

    url = reverse("advice:comment_post", args=[slug])
    token = form_token(article_id, timezone.now())
    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def worker(n: int, payloads: list[dict]) -> None:
        client = Client()
        try:
            start.wait()
            for payload in payloads:
                try:
                    response = client.post(
                        url, {**payload, "token": token}, REMOTE_ADDR=f"203.0.113.{n + 1}"
                    )
                    with lock:
                        statuses[response.status_code] += 1
                except Exception as exc:  # recorded and asserted on: "database is locked"
                    with lock:
                        errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, job)) for n, job in enumerate(jobs)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return {"statuses": dict(statuses), "errors": errors, "seconds": round(seconds, 3)}


def load_jobs() -> list[list[dict]]:
    """8 readers x 50 comments, every author and body distinct."""
    return [
        [
            {
                "name": f"Reader {t}",
                "email": f"reader{t}@example.com",
                "body": f"Comment {i} from reader {t}: Thanks 🙈",
            }
            for i in range(PER_THREAD)
        ]
        for t in range(THREADS)
    ]


def double_submit_jobs(round_number: int) -> list[list[dict]]:
    """Two threads sending the same comment at the same moment (a double click)."""
    payload = {"name": "Ana", "email": "ana@example.com", "body": f"Double {round_number}"}
    return [[payload], [payload]]


def _make_article():
    from django.utils import timezone

    from advice.models import Article

    return Article.objects.create(
        title="Busy article",
        slug=f"busy-{time.time_ns()}",
        answer="Answer.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=1),
    )


def run_scenario(mode: str) -> dict:
    """Run ``mode`` ("load" or "double") against the configured database and
    return the summary, with ``stored`` (comments on the article) added; for
    "double", 10 rounds, with per-round stored counts."""
    from advice.models import Comment

    article = _make_article()
    if mode == "load":
        result = post_concurrently(article.slug, article.pk, load_jobs())
        result["stored"] = Comment.objects.filter(article=article).count()
        return result
    rounds = []
    for n in range(10):
        result = post_concurrently(article.slug, article.pk, double_submit_jobs(n))
        result["stored"] = Comment.objects.filter(article=article, body=f"Double {n}").count()
        rounds.append(result)
    return {"rounds": rounds}


def main() -> None:
    """Subprocess entry (:func:`tests.sqlite_file.run_module_main`): ``mode``
    and a fresh SQLite file from ``sys.argv``; prints one JSON summary."""
    mode, path = sys.argv[1], sys.argv[2]
    journal = migrated_sqlite_file(path, COMMENTS_TIMING_RULES="0", COMMENTS_HOLD_FIRST_TIME="0")
    result = run_scenario(mode)
    result["journal_mode"] = journal
    print_result(result)


def run_in_subprocess(mode: str) -> dict:
    """Run :func:`main` for ``mode`` on a fresh SQLite file; return its summary."""
    return run_module_main("tests.advice.comments.test_comment_concurrency", mode)


def scenario(mode: str, settings) -> dict:
    from django.db import connection

    if connection.vendor == "sqlite":
        return run_in_subprocess(mode)
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_HOLD_FIRST_TIME = False
    return run_scenario(mode)


@pytest.mark.django_db(transaction=True)
def test_eight_threads_posting_fifty_comments_each_store_exactly_400(settings):
    result = scenario("load", settings)
    print(f"\n{THREADS}x{PER_THREAD} comments: {result}")
    assert result["errors"] == []
    statuses = {int(code): count for code, count in result["statuses"].items()}
    assert statuses == {303: THREADS * PER_THREAD}
    assert result["stored"] == THREADS * PER_THREAD
    if "journal_mode" in result:
        assert result["journal_mode"] == "wal"


@pytest.mark.django_db(transaction=True)
def test_double_submit_at_the_same_moment_stores_one_comment(settings):
    result = scenario("double", settings)
    for n, round_result in enumerate(result["rounds"]):
        assert round_result["errors"] == [], n
        assert round_result["stored"] == 1, (n, round_result)
        codes = sorted(
            int(code) for code, count in round_result["statuses"].items() for _ in range(count)
        )
        assert codes == [303, 409], (n, round_result)
