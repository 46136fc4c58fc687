"""``make bench-scale``: does a page's cost grow with the size of the site?
(issue 14, item 7)

    .venv/bin/python bench/scale.py [--posts 5000] [--comments 57000] [--runs 7]

Builds two SQLite databases in a temporary folder from
``../shared/scale/gen-wxr.py`` exports: a small site (50 posts, 570
comments) and a big one (5,000 posts, 57,000 comments by default), each
migrated, imported with ``manage.py import_wxr`` and its related lists
worked out (``manage.py related_refresh``, as the queue's worker would).
Then, in a child process per database, with Django's test client
(in-process, ``DEBUG=0``): the median time of ``--runs`` requests for the
home page, a topic page and the newest article with the fragment cache off
(``FRAGMENT_CACHE=0``: every request renders), and of the sitemap index and
its article section with the cache on (after one warming request), with
the queries each made. The generator's first topic lists 2 articles on the
small site and 10 (of 125) on the big one; "topic, every article" (a topic
added to every published article after the other pages are measured) lists
10 on both, so it compares the same page. Prints one table with big/small ratios against the
target (1.5×). Nothing here touches the project's database or static files.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "scale" / "gen-wxr.py"
PYTHON = sys.executable
TARGET_RATIO = 1.5

MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from advice.models import Article, Topic

runs = int(sys.argv[1])
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
article = Article.objects.published().order_by("-published_at", "-id").first()
topic = Topic.objects.order_by("id").first()

def timed(url, cached):
    with override_settings(FRAGMENT_CACHE=cached):
        cache.clear()
        client.get(url)  # warm: imports, templates; with the cache on, the entry
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    return {"ms": statistics.median(times), "queries": len(queries)}

out = {
    "home": timed("/", False),
    "topic": timed(topic.get_absolute_url(), False),
    "article": timed(article.get_absolute_url(), False),
    "sitemap index (cached)": timed("/sitemap.xml", True),
    "sitemap articles (cached)": timed("/sitemap-articles.xml", True),
    "sitemap articles (uncached)": timed("/sitemap-articles.xml", False),
}
# The generator's topics hold 2 of the small site's articles and 125 of the
# big one's, so "topic" compares a page of 2 summaries with one of 10. A topic
# holding every published article has a full first page on both sites, as the
# home page has. Its links are written directly (no signals) and last, so the
# pages above are measured as imported.
every = Topic.objects.create(name="Every article", slug="every-article")
Article.topics.through.objects.bulk_create(
    Article.topics.through(article_id=pk, topic_id=every.pk)
    for pk in Article.objects.published().values_list("pk", flat=True)
)
out["topic, every article"] = timed(every.get_absolute_url(), False)
print(json.dumps(out))
"""


def _env(folder: Path, name: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder / (name + '.sqlite3')}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(folder / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",  # refreshed below instead
    )
    env.pop("REDIS_URL", None)
    env.pop("CACHE_URL", None)
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def build(folder: Path, name: str, posts: int, comments: int, biggest: int) -> dict:
    """Make database ``name`` in ``folder``; returns its environment."""
    wxr = folder / f"{name}.xml"
    subprocess.run([PYTHON, str(GENERATOR), str(wxr), str(posts), str(comments), str(biggest)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    env = _env(folder, name)
    _manage(env, "migrate", "--verbosity", "0")
    start = time.perf_counter()
    _manage(env, "import_wxr", "--verbosity", "0", str(wxr))
    imported = time.perf_counter() - start
    start = time.perf_counter()
    _manage(env, "related_refresh", "--all")
    refreshed = time.perf_counter() - start
    print(f"{name}: {posts} posts, import {imported:.0f} s, related lists {refreshed:.0f} s")
    return env


def measure(env: dict, runs: int) -> dict:
    result = subprocess.run([PYTHON, "-c", MEASURE, str(runs)], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=57000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        small = build(folder, "small", 50, 570, 20)
        _manage(small, "collectstatic", "--noinput", "--verbosity", "0")
        big = build(folder, "big", args.posts, args.comments, 2000)
        rows = measure(small, args.runs), measure(big, args.runs)
    print(f"\n{'page':30} {'50 posts':>16} {f'{args.posts} posts':>16} {'ratio':>7}")
    for page in rows[0]:
        a, b = rows[0][page], rows[1][page]
        ratio = b["ms"] / a["ms"] if a["ms"] else float("inf")
        gated = page in ("home", "topic", "topic, every article", "article")
        mark = "  > target" if gated and ratio > TARGET_RATIO else ""
        cells = [f"{r['ms']:8.1f} ms {r['queries']:2d} q" for r in (a, b)]
        print(f"{page:30} {cells[0]} {cells[1]} {ratio:6.2f}×{mark}")
    print(f"\ntarget: big/small ≤ {TARGET_RATIO}× for home, topic and article (uncached)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
