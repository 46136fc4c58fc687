"""Every posting limit holds when one sender posts several times at the same
moment: the check and the insert it allows are one step (one transaction
holding the lock each database needs: SQLite's IMMEDIATE write lock,
PostgreSQL's row lock on the article and advisory locks on the sender's
address and e-mail, see ``advice.limits.limit_lock``).

Each scenario posts through the real views from four threads at once, for
several rounds, and counts what was stored. As in
``test_comment_concurrency``, SQLite needs a database FILE, so the
scenarios run in a subprocess (:func:`main`) against a fresh file, once for
the module; on PostgreSQL they run in-process against the test database.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from tests.sqlite_file import migrated_sqlite_file, print_result, run_module_main

# Seconds each (servers, threads or large inputs): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

THREADS, ROUNDS = 4, 5


def _post_at_once(requests: list[tuple[str, dict, str]]) -> dict:
    """POST each ``(url, data, remote_addr)`` from its own thread (own test
    client and database connection), all starting together. Returns
    ``{"statuses": {code: n}, "errors": [...]}``."""
    from django.db import connection
    from django.test import Client

    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(requests))

    def worker(url: str, data: dict, address: str) -> None:
        try:
            start.wait()
            response = Client().post(url, data, REMOTE_ADDR=address)
            with lock:
                statuses[str(response.status_code)] += 1
        except Exception as exc:  # recorded and asserted on
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": dict(statuses), "errors": errors}


def _article(n: int):
    from django.utils import timezone

    from advice.models import Article

    return Article.objects.create(
        title=f"Busy article {n}",
        slug=f"busy-{n}-{time.time_ns()}",
        answer="Answer.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )


def _ask_payload(email: str, n: int) -> dict:
    from django.utils import timezone

    from advice.questions.forms import ask_token

    return {
        "name": "Bianca",
        "email": email,
        "question": f"Question {n}: should I send a note?",
        "honeypot": "",
        "token": ask_token(timezone.now() - timedelta(seconds=10)),
    }


def _comment_request(article, *, email: str, body: str, address: str):
    from django.urls import reverse
    from django.utils import timezone

    from advice.comments.forms import form_token

    token = form_token(article.pk, timezone.now() - timedelta(seconds=10))
    url = reverse("advice:comment_post", args=[article.slug])
    data = {"name": "Ana", "email": email, "body": body, "token": token}
    return (url, data, address)


def scenario_ask_same_address(round_number: int) -> dict:
    """Four questions from one IP address (different e-mails) at once."""
    from django.urls import reverse

    from advice.models import ReaderQuestion

    url = reverse("advice:ask")
    address = f"198.51.100.{round_number + 1}"
    requests = [
        (url, _ask_payload(f"ask{round_number}-{n}@example.com", n), address)
        for n in range(THREADS)
    ]
    result = _post_at_once(requests)
    result["stored"] = ReaderQuestion.objects.filter(ip_address=address).count()
    return result


def scenario_ask_same_email(round_number: int) -> dict:
    """Four questions with one e-mail (any case) from different addresses at once."""
    from django.urls import reverse

    from advice.models import ReaderQuestion

    url = reverse("advice:ask")
    email = f"same{round_number}@example.com"
    requests = [
        (
            url,
            _ask_payload(email.upper() if n % 2 else email, n),
            f"192.0.2.{10 * round_number + n}",
        )
        for n in range(THREADS)
    ]
    result = _post_at_once(requests)
    result["stored"] = ReaderQuestion.objects.filter(email__iexact=email).count()
    return result


def scenario_comment_flood_across_articles(round_number: int) -> dict:
    """Four comments from one sender to four different articles at once."""
    from advice.models import Comment

    email = f"flood{round_number}@example.com"
    address = f"203.0.113.{round_number + 1}"
    requests = [
        _comment_request(_article(n), email=email, body=f"Thoughts {n}.", address=address)
        for n in range(THREADS)
    ]
    result = _post_at_once(requests)
    result["stored"] = Comment.objects.filter(author_email=email).count()
    return result


def scenario_comment_flood_same_article(round_number: int) -> dict:
    """Four different comments from one sender to one article at once."""
    from advice.models import Comment

    article = _article(round_number)
    email = f"one{round_number}@example.com"
    requests = [
        _comment_request(
            article, email=email, body=f"Point {n}.", address=f"203.0.113.{200 + round_number}"
        )
        for n in range(THREADS)
    ]
    result = _post_at_once(requests)
    result["stored"] = Comment.objects.filter(author_email=email).count()
    return result


def scenario_comment_duplicate(round_number: int) -> dict:
    """The same comment from four addresses at once (timing rules off, so
    only the duplicate rule stands between them)."""
    from django.test import override_settings

    from advice.models import Comment

    article = _article(round_number)
    body = f"Same words {round_number}."
    requests = [
        _comment_request(article, email="dup@example.com", body=body, address=f"192.0.2.{n + 100}")
        for n in range(THREADS)
    ]
    with override_settings(COMMENTS_TIMING_RULES=False):
        result = _post_at_once(requests)
    result["stored"] = Comment.objects.filter(article=article, body=body).count()
    return result


SCENARIOS = {
    "ask_same_address": (scenario_ask_same_address, 429),
    "ask_same_email": (scenario_ask_same_email, 429),
    "comment_flood_across_articles": (scenario_comment_flood_across_articles, 429),
    "comment_flood_same_article": (scenario_comment_flood_same_article, 429),
    "comment_duplicate": (scenario_comment_duplicate, 409),
}


def run_scenarios(names) -> dict:
    return {name: [SCENARIOS[name][0](n) for n in range(ROUNDS)] for name in names}


def main() -> None:
    """Subprocess entry (:func:`tests.sqlite_file.run_module_main`): migrate
    a fresh SQLite file, run every scenario, print one JSON line."""
    migrated_sqlite_file(
        sys.argv[1],
        COMMENTS_TIMING_RULES="1",
        COMMENTS_HOLD_FIRST_TIME="0",
        COMMENTS_FLOOD_SECONDS="15",
    )
    print_result(run_scenarios(SCENARIOS))


_sqlite_results: dict = {}


def sqlite_results() -> dict:
    """Every scenario's rounds on a SQLite file, run once per test session."""
    if not _sqlite_results:
        _sqlite_results.update(run_module_main("tests.advice.test_limit_concurrency"))
    return _sqlite_results


def rounds_of(name: str, settings) -> list[dict]:
    from django.db import connection

    if connection.vendor == "sqlite":
        return sqlite_results()[name]
    settings.COMMENTS_TIMING_RULES = True
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_FLOOD_SECONDS = 15
    return run_scenarios([name])[name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_concurrent_posts_from_one_sender_store_one(name, settings):
    refused = SCENARIOS[name][1]
    for n, result in enumerate(rounds_of(name, settings)):
        assert result["errors"] == [], (name, n, result)
        assert result["stored"] == 1, (name, n, result)
        assert result["statuses"] == {"303": 1, str(refused): THREADS - 1}, (name, n, result)
