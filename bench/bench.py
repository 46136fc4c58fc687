"""``make bench``: the production-like server under load (issue 6, item 7).

    make bench                                               # SQLite temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        REDIS_URL=redis://127.0.0.1:6379/2 make bench        # PostgreSQL + Redis

What it does, loopback only, about two minutes in all:

1. A database of its own: a SQLite file in a temporary folder, or the
   PostgreSQL database named by ``DATABASE_URL`` (its name must contain
   "bench"; it is dropped and created again). Migrated, demo content loaded,
   and the demo article brought to 50 approved comments.
2. In-process measurements with Django's test client on that database:
   queries per page (cold and from the cache) and the article's size.
3. A static file of the article's size written into ``STATIC_ROOT``.
4. gunicorn (``DEBUG=0``, WhiteNoise, one worker per CPU) on a free port;
   wrk (Debian's) sends ``X-Forwarded-Proto: https`` as a TLS proxy would,
   so pages are measured, not redirects. 10 s per run, 16 connections:
   the static file, the article and the home page with the fragment cache
   on; the server is restarted with ``FRAGMENT_CACHE=0`` for the article and
   home page uncached; then 8 concurrent comment writers (timing rules off,
   a distinct author and text per post), counting 303s against rows stored,
   run twice: plain comments, then each asking for reply e-mails (issue 16:
   with notifications within 10% of without).
5. One report: requests/s, p50 / p99 latency, non-2xx/3xx count, bytes read,
   queries per page, worker memory (RSS), the article/static ratios, comments
   stored vs accepted, 5xx responses and "database is locked" in the logs,
   against the targets of the issue.

Nothing here touches the project's ``db.sqlite3``, its ``staticfiles`` or
the tests' databases.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = 16
WRITERS = 8
COMMENTS = 50
TARGETS = {"cached_ratio": 0.5, "uncached_p99_ms": 50.0}

# --- In-process part (run as `bench.py measure` with the server's environment) ---

MEASURE = r"""
import json, sys
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

def count(client, url):
    with CaptureQueriesContext(connection) as q:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(q.captured_queries), len(response.content)

url = sys.argv[-1]
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
out = {}
cache.clear()
out["article_cold"], out["article_bytes"] = count(client, url)
out["article_cached"], _ = count(client, url)
out["home_cold"], _ = count(client, "/")
out["home_cached"], _ = count(client, "/")
with override_settings(FRAGMENT_CACHE=False):
    out["article_uncached"], _ = count(Client(HTTP_HOST="127.0.0.1",
                                              HTTP_X_FORWARDED_PROTO="https"), url)
    out["home_uncached"], _ = count(client, "/")
cache.clear()
print(json.dumps(out))
"""

SETUP = r"""
import json
from django.utils import timezone
from datetime import timedelta
from advice.models import Article, Comment
article = (Article.objects.published().filter(comment_status="open")
           .order_by("published_at").first())
have = article.comments.filter(status="approved").count()
now = timezone.now()
Comment.objects.bulk_create([
    Comment(article=article, author_name=f"Bench reader {i}",
            author_email=f"bench{i}@example.com",
            body=f"Comment {i} for the benchmark: thanks, this helped with my follow-up note.",
            status="approved", created_at=now - timedelta(minutes=100 - i))
    for i in range(max(0, %d - have))
])
Article.objects.filter(pk=article.pk).update(updated_at=now)
print(json.dumps({"url": article.get_absolute_url(), "pk": article.pk,
                  "comments": article.comments.filter(status="approved").count()}))
"""

COUNT = r"""
import json, sys
from advice.models import Comment
print(json.dumps({"comments": Comment.objects.filter(article_id=int(sys.argv[-1])).count()}))
"""

WRITE_LUA = r"""
-- 8 writers: every post a distinct author, e-mail and text; counts 303s.
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  accepted = 0
  other = 0
end
function request()
  counter = counter + 1
  local who = RUN .. "w" .. id .. "n" .. counter
  local body = "csrfmiddlewaretoken=" .. CSRF .. "&token=" .. TOKEN ..
    "&name=Writer+" .. who .. "&email=" .. who .. "%40example.com&url=&honeypot=" ..
    "&body=Benchmark+comment+" .. who .. "+saying+thanks." .. EXTRA
  return wrk.format("POST", PATH, nil, body)
end
function response(status, headers, body)
  if status == 303 then accepted = accepted + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    o = o + t:get("other")
  end
  io.write(string.format("ACCEPTED %d OTHER %d\n", a, o))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def shell(env, code: str, *argv: str) -> dict:
    """Run ``code`` in a Django process with ``env``; its last output line is JSON."""
    result = subprocess.run(
        [PYTHON, "-c", "import django, sys; django.setup(); exec(sys.argv[1])", code, *argv],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def reset_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database named by ``url`` (only a
    database whose name contains "bench")."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to reset database {name!r}: its name must contain 'bench'")
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Server:
    """gunicorn config.wsgi with ``env`` on ``port``; logs into ``folder``."""

    def __init__(self, env, port: int, folder: Path, name: str):
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.access = folder / f"{name}-access.log"
        self.errors = folder / f"{name}-error.log"
        workers = os.environ.get("BENCH_WORKERS") or str(os.cpu_count() or 2)
        self.process = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", workers, "--timeout", "30",
                "--access-logfile", str(self.access),
                "--access-logformat", '%(s)s "%(r)s"',
                "--error-logfile", str(self.errors),
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("gunicorn did not start:\n" + self.errors.read_text())
            time.sleep(0.2)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (MB), from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status)[1])
            sizes.append(round(kb / 1024, 1))
        return sizes

    def count_5xx(self) -> int:
        return sum(1 for line in self.access.read_text().splitlines() if line[:1] == "5")

    def count_locked(self) -> int:
        return self.errors.read_text().count("database is locked")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def wrk(url: str, *, connections=CONNECTIONS, threads=2, script=None, headers=()) -> dict:
    """Run wrk for DURATION against ``url``; returns its numbers."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}", "--timeout", "5s"]
    command += ["--latency", "-H", "X-Forwarded-Proto: https"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", out)[1]),
        "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", out)[1]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "bytes": re.search(r"requests in [\d.]+\w+, ([\d.]+\w+) read", out)[1],
        "non_2xx_3xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
        "socket_errors": (re.search(r"Socket errors: (.*)", out) or [None, "none"])[1],
    }
    accepted = re.search(r"ACCEPTED (\d+) OTHER (\d+)", out)
    if accepted:
        found["accepted"], found["refused"] = int(accepted[1]), int(accepted[2])
    return found


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def line(name: str, r: dict) -> str:
    return (
        f"  {name:<22} {r['rps']:>9.1f} req/s  p50 {r['p50']:>7.2f} ms  p99 {r['p99']:>7.2f} ms"
        f"  non-2xx/3xx {r['non_2xx_3xx']:<5} read {r['bytes']:<9} ({r['requests']} requests)"
    )


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (make bench does it)")
    folder = Path(tempfile.mkdtemp(prefix="advice-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    database_url = env.get("DATABASE_URL", "")
    if database_url:
        reset_postgres(database_url)
        env.setdefault("CONN_MAX_AGE", "60")  # production keeps connections
    else:
        env["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(folder / "static"),
        COMMENTS_TIMING_RULES="0",
        CACHE_KEY_PREFIX="bench",
        FRAGMENT_CACHE="1",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    servers: list[Server] = []
    try:
        print(f"Setting up in {folder} ...", flush=True)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        manage(env, "load_demo", capture=True)
        article = shell(env, SETUP % COMMENTS)
        queries = shell(env, MEASURE, article["url"])
        static_name = "bench-article-size.html"
        (folder / "static" / static_name).write_bytes(
            (b"<p>static copy</p>\n" * (queries["article_bytes"] // 19 + 1))[
                : queries["article_bytes"]
            ]
        )

        cached = Server(env, free_port(), folder, "cached")
        servers.append(cached)
        results = {
            "static file": wrk(f"{cached.url}/static/{static_name}"),
            "article (cached)": wrk(cached.url + article["url"]),
            "home (cached)": wrk(cached.url + "/"),
        }
        memory = {"cached": cached.worker_rss_mb()}
        fivexx = {"cached": cached.count_5xx()}
        cached.stop()

        uncached_env = {**env, "FRAGMENT_CACHE": "0"}
        uncached = Server(uncached_env, free_port(), folder, "uncached")
        servers.append(uncached)
        results["article (uncached)"] = wrk(uncached.url + article["url"])
        results["home (uncached)"] = wrk(uncached.url + "/")
        memory["uncached"] = uncached.worker_rss_mb()
        fivexx["uncached reads"] = uncached.count_5xx()

        # Writers: one page fetched for the CSRF cookie and the form's fields.
        origin = f"https://127.0.0.1:{uncached.port}"
        request = urllib.request.Request(
            uncached.url + article["url"], headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            page = answer.read().decode()
            cookie = re.search(r"csrftoken=([^;]+)", answer.headers["Set-Cookie"])[1]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        token = re.search(r'name="token" value="([^"]+)"', page)[1]
        writes = {}
        stored = {}
        # The same writers twice: plain comments, then each ticking "E-mail me
        # when someone replies" (a subscription row and a confirmation e-mail
        # queued per post; the mail itself is the worker's, off the request).
        for label, extra in (("notifications off", ""), ("notifications on", "&notify_replies=on")):
            script = folder / f"write-{label.split()[-1]}.lua"
            script.write_text(
                f"CSRF = {json.dumps(urllib.parse.quote(csrf))}\n"
                f"TOKEN = {json.dumps(urllib.parse.quote(token))}\n"
                f"PATH = {json.dumps(article['url'] + 'comments/')}\n"
                f"EXTRA = {json.dumps(extra)}\n"
                f"RUN = {json.dumps(label.split()[-1])}\n" + WRITE_LUA
            )
            before = shell(env, COUNT, str(article["pk"]))["comments"]
            writes[label] = wrk(
                uncached.url + article["url"] + "comments/",
                connections=WRITERS,
                threads=WRITERS,
                script=str(script),
                headers=(
                    f"Cookie: csrftoken={cookie}",
                    f"Origin: {origin}",
                    f"Referer: {origin}{article['url']}",
                    "Content-Type: application/x-www-form-urlencoded",
                ),
            )
            time.sleep(1)  # posts in flight when wrk stopped finish
            stored[label] = shell(env, COUNT, str(article["pk"]))["comments"] - before
        fivexx["writes"] = uncached.count_5xx() - fivexx["uncached reads"]
        locked = sum(s.count_locked() for s in servers)
        uncached.stop()
    finally:
        for server in servers:
            server.stop()

    database = "PostgreSQL" if database_url else "SQLite (temp file)"
    cache_name = "Redis" if (env.get("REDIS_URL") or env.get("CACHE_URL")) else "local memory"
    static = results["static file"]["rps"]
    ratio_cached = results["article (cached)"]["rps"] / static
    ratio_uncached = results["article (uncached)"]["rps"] / static
    p99_uncached = results["article (uncached)"]["p99"]
    lost = sum(max(0, writes[k].get("accepted", 0) - stored[k]) for k in writes)
    notify_ratio = writes["notifications on"]["rps"] / writes["notifications off"]["rps"]
    print()
    print(f"== make bench: {database}, cache {cache_name}, {os.cpu_count()} CPUs, "
          f"gunicorn {os.environ.get('BENCH_WORKERS') or os.cpu_count()} workers, "
          f"wrk {DURATION} per run, {CONNECTIONS} connections ==")  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine load average (1, 5, 15 min) at the end: {load}")
    print(f"  article {article['url']} with {article['comments']} approved comments, "
          f"{queries['article_bytes']} bytes; static file of the same size")  # fmt: skip
    for name, r in results.items():
        print(line(name, r))
    for label, r in writes.items():
        print(line(f"comment POSTs ({WRITERS} writers, {label})", r))
    q = queries
    print(
        f"  queries per page: article cold {q['article_cold']}, cached {q['article_cached']},"
        f" fragment cache off {q['article_uncached']}; home cold {q['home_cold']},"
        f" cached {q['home_cached']}, off {q['home_uncached']}"
    )
    print(f"  worker RSS (MB): cache on {memory['cached']}, cache off {memory['uncached']}")
    print(f"  article/static: cached {ratio_cached:.2f}, uncached {ratio_uncached:.2f}")
    for label, r in writes.items():
        print(f"  comments, {label}: accepted (303) {r.get('accepted')}, refused "
              f"{r.get('refused')}, stored {stored[label]}")  # fmt: skip
    print(f"  comment POSTs with notifications on / off: {notify_ratio:.2f}; lost {lost}")
    print(f"  5xx responses: {fivexx}; 'database is locked' in the logs: {locked}")
    print("== targets ==")
    total_5xx = fivexx["writes"]
    checks = [
        (f"cached article >= 50% of static ({ratio_cached:.0%})", ratio_cached >= 0.5),
        (f"uncached article p99 <= 50 ms at 16 connections ({p99_uncached:.1f} ms)",
         p99_uncached <= TARGETS["uncached_p99_ms"]),
        (f"comment POSTs with notifications >= 90% of without ({notify_ratio:.0%})",
         notify_ratio >= 0.9),
        (f"writes: 0 lost ({lost}), 0 5xx ({total_5xx}), 0 locked ({locked})",
         lost == 0 and total_5xx == 0 and locked == 0),
    ]  # fmt: skip
    for text, ok in checks:
        print(f"  {'MET ' if ok else 'MISSED'} {text}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
