"""``make bench``: the production-like server under load, beside WordPress
(issue 6, item 7; issue 14, item 8), in one run.

    make bench                                               # SQLite temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        REDIS_URL=redis://127.0.0.1:6379/2 make bench        # PostgreSQL + Redis
    BENCH_DURATION=2s make bench                             # a smoke run
    BENCH_ONLY=writers make bench                            # the comment writers alone

What it does, loopback only, about four minutes in all at 10 s per run:

1. A database of its own: a SQLite file in a temporary folder, or the
   PostgreSQL database named by ``DATABASE_URL`` (its name must contain
   "bench"; it is dropped and created again). Migrated, then the content:
   when the WordPress peer answers on 127.0.0.1:8081
   (``../shared/peer-wordpress/setup.sh``, its README), WordPress's own
   export of it (``wp-export.php``) imported with ``import_wxr``, so both
   sides hold the same seed article (3 comments, closed) and 50-comment
   article (open), as ``side-by-side.sh`` does; otherwise the demo content,
   its closed article as the seed and an open one brought to 50 approved
   comments (and a line saying WordPress was skipped).
2. In-process measurements with Django's test client on that database:
   queries per page (cold and from the cache) and the article's size.
3. Static files of each article's size written into ``STATIC_ROOT``.
4. gunicorn as ``make serve`` runs it (``DEBUG=0``, WhiteNoise, one worker
   per CPU, ``GUNICORN_THREADS`` threads, default 4) on a free port; wrk
   (Debian's, ``-t1 -c16``) sends ``X-Forwarded-Proto: https`` as a TLS
   proxy would, so pages are measured, not redirects. Interleaved with the
   peer's same pages: the seed article, the 50-comment article, the home
   page, the same-size static files (WhiteNoise; nginx's static copy on the
   peer); then Debian's nginx with deploy/nginx.conf in front of that server
   (TLS, the front cache): the article and a static file of its size from
   nginx; then reads of an article of 50 approved comments while 8 writers
   post 20 approved comments a second in all on it (each writer checks its
   comment shows on the next GET of the page the 303 names), against the
   idle reads of it just before (an article of its own, so the 50-comment
   article is still one when measured with caches off); then the server
   again with ``FRAGMENT_CACHE=0 PAGE_CACHE=0`` (every request a miss) for
   the articles and home page; then 8 comment writers as fast as they go
   (timing rules off, a distinct author and text per post), counting 303s
   against rows stored, in four phases: plain comments, then each asking for
   reply e-mails, twice, in the order off, on, on, off, each phase on a
   fresh article of 50 approved comments, so neither side gains from running
   first or posting into a smaller article (issue 16: with notifications
   within 10% of without, the sums of the matched phases compared).
   ``BENCH_ONLY=writers`` sets up the database and runs this part alone
   (about a minute at 10 s per phase).
5. One report: requests/s, p50 / p99 latency, non-2xx/3xx count, bytes read,
   queries per page, memory of each worker (RSS), a table of ratios against
   WordPress, the static files and idle reads, comments stored vs accepted,
   5xx responses and "database is locked" in the logs, against the targets
   of the issues.

Nothing here touches the project's ``db.sqlite3``, its ``staticfiles`` or
the tests' databases. The nginx run reuses the test's rendering of the
shipped configuration (tests/test_nginx_front.py).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.live_http import FormInputs, NoRedirect  # noqa: E402
from tests.test_nginx_front import nginx_prepare  # noqa: E402

PEER = "http://127.0.0.1:8081"
PEER_DIR = Path(os.environ.get("PEER_WORDPRESS_DIR", ROOT.parent / "shared" / "peer-wordpress"))
PEER_PAGES = {  # the peer's URLs (its README)
    "seed": "/post-interview-thank-you-note/",
    "many": "/many-comments/",
    "static": "/static-copy/post-interview-thank-you-note/",
}
WRITE_RATE = 20  # comments a second, in all, while readers read
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = 16
WRITERS = 8
COMMENTS = 50
TARGETS = {
    "times_wordpress": 10.0,  # seed and 50-comment article, make serve defaults
    "p99_ms": 50.0,
    "hit_static": 0.5,  # a cache hit against a static file of its size, same server
    "nginx_static": 0.8,  # the article from nginx's cache against nginx's static file
    "uncached_times_wordpress": 3.0,  # the 50-comment article, every request a miss
    "reads_under_writes": 0.5,
}

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
with override_settings(FRAGMENT_CACHE=False, PAGE_CACHE=False):
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
published = Article.objects.published()
# WordPress's posts 4 and 5 when the peer's export was imported (its README),
# else the demo's first closed article and its oldest open one.
seed = (published.filter(wp_id=4).first()
        or published.filter(comment_status="closed").order_by("published_at").first())
many = (published.filter(wp_id=5).first()
        or published.filter(comment_status="open").order_by("published_at").first())
have = many.comments.filter(status="approved").count()
now = timezone.now()
Comment.objects.bulk_create([
    Comment(article=many, author_name=f"Bench reader {i}",
            author_email=f"bench{i}@example.com",
            body=f"Comment {i} for the benchmark: thanks, this helped with my follow-up note.",
            status="approved", created_at=now - timedelta(minutes=100 - i))
    for i in range(max(0, %(comments)d - have))
])
# The steady writers' addresses each have an approved comment, so theirs are
# approved at once (the first-comment rule holds a new address's); on a draft
# of its own, so the measured pages keep their comments.
past = Article.objects.create(title="Bench: steady writers", slug="bench-steady-writers",
                              question="Q?", answer="A.", status="draft")
Comment.objects.bulk_create([
    Comment(article=past, author_name=f"Steady writer {i}", author_email=f"steady{i}@example.com",
            body=f"Steady writer {i} was here before.", status="approved",
            created_at=now - timedelta(days=1))
    for i in range(%(writers)d)
])
Article.objects.filter(pk__in=[seed.pk, many.pk]).update(updated_at=now)
print(json.dumps({name: {"url": a.get_absolute_url(), "pk": a.pk,
                         "comments": a.comments.filter(status="approved").count()}
                  for name, a in (("seed", seed), ("many", many))}))
"""

# The writers' phases, notifications off or on: ABBA, so a drift over the
# run (the machine, the growing tables) weighs on both sides alike.
WRITER_PHASES = ("off", "on", "on", "off")
ONLY = os.environ.get("BENCH_ONLY", "")  # "" (everything) or "writers"

WRITERS_ARTICLE = r"""
import json, sys
from datetime import timedelta
from django.utils import timezone
from advice.models import Article, Comment
comments, label = int(sys.argv[-2]), sys.argv[-1]
now = timezone.now()
article = Article.objects.create(
    title=f"Bench: comment writers, phase {label}", slug=f"bench-writers-{label}",
    question="Q?", answer="A.", status="published", published_at=now - timedelta(days=1))
Comment.objects.bulk_create([
    Comment(article=article, author_name=f"Bench reader {i}",
            author_email=f"bench-{label}-{i}@example.com",
            body=f"Comment {i} for the benchmark: thanks, this helped with my follow-up note.",
            status="approved", created_at=now - timedelta(minutes=100 - i))
    for i in range(comments)
])
print(json.dumps({"url": article.get_absolute_url(), "pk": article.pk}))
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
                "--reuse-port", "--workers", workers,
                "--threads", os.environ.get("GUNICORN_THREADS", "4"), "--timeout", "30",
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


def wrk(url: str, *, connections=CONNECTIONS, threads=1, script=None, headers=()) -> dict:
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
        f"  {name:<34} {r['rps']:>9.1f} req/s  p50 {r['p50']:>7.2f} ms  p99 {r['p99']:>7.2f} ms"
        f"  non-2xx/3xx {r['non_2xx_3xx']:<5} read {r['bytes']:<9} ({r['requests']} requests)"
    )


def peer_answers() -> bool:
    """Whether the WordPress peer answers its seed page on 127.0.0.1:8081."""
    try:
        with urllib.request.urlopen(PEER + PEER_PAGES["seed"], timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def peer_export(folder: Path) -> Path:
    """WordPress's own export of the peer (``wp-export.php``, php-cli), as
    ``side-by-side.sh`` makes it; the WXR file's path."""
    out = folder / "wp-export.xml"
    if not (PEER_DIR / "wp-export.php").exists():
        sys.exit(f"the peer answers, {PEER_DIR}/wp-export.php is missing: set PEER_WORDPRESS_DIR")
    subprocess.run(
        ["php", str(PEER_DIR / "wp-export.php"), str(out)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    return out


class Nginx:
    """Debian's nginx running deploy/nginx.conf (as tests/test_nginx_front.py
    renders it) in front of ``app_port``, its files under ``folder`` (which
    holds ``static``); TLS with a certificate made here."""

    def __init__(self, folder: Path, app_port: int):
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        command = nginx_prepare(
            folder, app_port=app_port, https_port=self.port, http_port=free_port()
        )
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while self.cache_status("/healthz") is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("nginx did not start:\n" + (folder / "error.log").read_text())
            time.sleep(0.1)

    def cache_status(self, path: str) -> str | None:
        """nginx's X-Cache-Status for one GET of ``path`` ("" when the cache
        was not asked), or ``None`` when nothing answered."""
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        try:
            with urllib.request.urlopen(self.url + path, timeout=5, context=context) as answer:
                return answer.headers.get("X-Cache-Status", "")
        except OSError:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def comment_form(url: str) -> tuple[dict, dict]:
    """The comment form's fields on the page ``url`` (as a TLS proxy passes it)
    and the cookies the page sets (the CSRF cookie, while pages carry one)."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        form = FormInputs("commentform")
        form.feed(answer.read().decode())
        cookies = {}
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return form.values, cookies


def steady_writers(server, path: str, stop: threading.Event) -> list[tuple[int, bool]]:
    """:data:`WRITERS` stateless readers posting :data:`WRITE_RATE` comments a
    second in all on the article at ``path`` until ``stop`` is set, each as an
    address with an approved comment already (so approved at once); after
    each 303, the page it names is fetched without cookies, as anyone would.
    Returns (status, whether the comment showed on that GET) per post, then
    ``(0, seconds)``: how long they wrote (the rate is below 20 a second when
    the server can't keep up)."""
    fields, cookies = comment_form(server.url + path)
    origin = f"https://127.0.0.1:{server.port}"
    headers = {
        "X-Forwarded-Proto": "https",
        "Origin": origin,
        "Referer": origin + path,
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    opener = urllib.request.build_opener(NoRedirect)
    results: list[tuple[int, bool]] = []
    counter = itertools.count()
    interval = WRITERS / WRITE_RATE  # seconds between one writer's posts

    def write(writer: int) -> None:
        due = time.monotonic() + writer * interval / WRITERS
        while not stop.is_set():
            time.sleep(max(0.0, due - time.monotonic()))
            due += interval
            text = f"Steady comment {next(counter)} from writer {writer}, thanks."
            data = {**fields, "name": f"Steady writer {writer}", "url": "", "honeypot": "",
                    "email": f"steady{writer}@example.com", "body": text}  # fmt: skip
            request = urllib.request.Request(
                server.url + path + "comments/",
                data=urllib.parse.urlencode(data).encode(),
                headers=headers,
            )
            try:
                answer = opener.open(request, timeout=10)
            except urllib.error.HTTPError as error:  # the 303 and refusals
                answer = error
            with answer:
                status, location = answer.status, answer.headers.get("Location", "")
            shown = False
            if status == 303:
                page = urllib.request.Request(
                    server.url + location.split("#")[0], headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(page, timeout=10) as answer:
                    shown = text in answer.read().decode()
            results.append((status, shown))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=20)
    results.append((0, time.monotonic() - started))  # the last entry: seconds written
    return results


def static_copy(folder: Path, name: str, size: int) -> str:
    """A file of ``size`` bytes in ``STATIC_ROOT`` (``folder/static``); its URL path."""
    (folder / "static" / name).write_bytes((b"<p>static copy</p>\n" * (size // 19 + 1))[:size])
    return f"/static/{name}"


def comment_writers(env, server: Server, folder: Path) -> tuple[dict, dict]:
    """:data:`WRITERS` writers posting as fast as they go to ``server`` (every
    request a miss), one phase per :data:`WRITER_PHASES` entry, each on a
    fresh article of :data:`COMMENTS` approved comments (the form read from
    its page: the token is the article's). Every post a distinct author,
    e-mail and text; "on" ticks "E-mail me when someone replies" (a
    subscription request queued per post; the mail is the worker's, off
    the request). Returns wrk's figures and the comments stored, each keyed
    ``"notifications <off|on>, phase <n>"``."""
    writes: dict[str, dict] = {}
    stored: dict[str, int] = {}
    origin = f"https://127.0.0.1:{server.port}"
    for number, setting in enumerate(WRITER_PHASES, 1):
        label = f"notifications {setting}, phase {number}"
        article = shell(env, WRITERS_ARTICLE, str(COMMENTS), f"{number}{setting}")
        fields, cookies = comment_form(server.url + article["url"])
        extra = "&notify_replies=on" if setting == "on" else ""
        script = folder / f"write-{number}-{setting}.lua"
        script.write_text(
            f"CSRF = {json.dumps(urllib.parse.quote(fields.get('csrfmiddlewaretoken', '')))}\n"
            f"TOKEN = {json.dumps(urllib.parse.quote(fields['token']))}\n"
            f"PATH = {json.dumps(article['url'] + 'comments/')}\n"
            f"EXTRA = {json.dumps(extra)}\n"
            f"RUN = {json.dumps(f'p{number}{setting}')}\n" + WRITE_LUA
        )
        before = shell(env, COUNT, str(article["pk"]))["comments"]
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        writes[label] = wrk(
            server.url + article["url"] + "comments/",
            connections=WRITERS,
            threads=WRITERS,
            script=str(script),
            headers=(
                *([f"Cookie: {cookie}"] if cookie else []),
                f"Origin: {origin}",
                f"Referer: {origin}{article['url']}",
                "Content-Type: application/x-www-form-urlencoded",
            ),
        )
        time.sleep(1)  # posts in flight when wrk stopped finish
        stored[label] = shell(env, COUNT, str(article["pk"]))["comments"] - before
    return writes, stored


def writers_ratio(writes: dict) -> tuple[float | None, list[float]]:
    """Comment POSTs/s with notifications on against off: the sum over the
    "on" phases over the sum over the "off" phases (as many of each, matched
    in position by :data:`WRITER_PHASES`), and each pair's ratio in order
    (phases 1-2, 3-4, ...). ``None`` when an "off" side is 0."""
    rps = [(label.split(",")[0].split()[-1], r["rps"]) for label, r in writes.items()]
    on = sum(v for setting, v in rps if setting == "on")
    off = sum(v for setting, v in rps if setting == "off")
    pairs = []
    for (s1, v1), (_, v2) in zip(rps[0::2], rps[1::2], strict=False):
        on_v, off_v = (v1, v2) if s1 == "on" else (v2, v1)
        pairs.append(on_v / off_v if off_v else float("nan"))
    return (on / off if off else None), pairs


def writers_only(env, folder: Path, database_url: str) -> None:
    """``BENCH_ONLY=writers``: the database set up as for the whole run, then
    the comment writers alone (:func:`comment_writers`) against the server
    with every request a miss, and their part of the report."""
    server = None
    try:
        print(f"Setting up in {folder} ...", flush=True)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        server = Server({**env, "FRAGMENT_CACHE": "0", "PAGE_CACHE": "0"}, free_port(), folder,
                        "writers")  # fmt: skip
        writes, stored = comment_writers(env, server, folder)
        fivexx, locked = server.count_5xx(), server.count_locked()
    finally:
        if server is not None:
            server.stop()
    database = "PostgreSQL" if database_url else "SQLite (temp file)"
    print()
    workers = os.environ.get("BENCH_WORKERS") or os.cpu_count()
    print(f"== make bench, writers only: {database}, {os.cpu_count()} CPUs, gunicorn {workers} "
          f"workers x {os.environ.get('GUNICORN_THREADS', '4')} threads, wrk {DURATION} per "
          f"phase ==")  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine load average (1, 5, 15 min) at the end: {load}")
    for label, result in writes.items():
        print(line(f"comment POSTs ({WRITERS} writers, {label})", result))
    for label, result in writes.items():
        print(f"  comments, {label}: accepted (303) {result.get('accepted')}, refused "
              f"{result.get('refused')}, stored {stored[label]}")  # fmt: skip
    lost = sum(max(0, writes[k].get("accepted", 0) - stored[k]) for k in writes)
    print(f"  5xx responses: {fivexx}; 'database is locked' in the logs: {locked}; lost: {lost}")
    value, pairs = writers_ratio(writes)
    shown = "skipped" if value is None else f"{value:.2f}"
    verdict = "" if value is None else ("MET" if value >= 0.9 else "MISSED")
    print(f"  comment POSTs, notifications on / off (matched phases): {shown} >= 0.9 {verdict}"
          f"  (pairs: {', '.join(f'{p:.2f}' for p in pairs)})")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (make bench does it)")
    folder = Path(tempfile.mkdtemp(prefix="advice-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    database_url = env.get("DATABASE_URL", "")
    env.setdefault("CONN_MAX_AGE", "60")  # as make serve and production: connections kept
    if database_url:
        reset_postgres(database_url)
    else:
        env["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        COMMENTS_TIMING_RULES="0",
        COMMENTS_TRUSTED_PROXIES="1",
        CACHE_KEY_PREFIX="bench",
        FRAGMENT_CACHE="1",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    if ONLY == "writers":
        writers_only(env, folder, database_url)
        return
    if ONLY:
        sys.exit(f"BENCH_ONLY={ONLY!r}: only 'writers' is known")
    peer = peer_answers()
    servers: list[Server] = []
    nginx = None
    try:
        print(f"Setting up in {folder} ...", flush=True)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        if peer:
            manage(env, "import_wxr", str(peer_export(folder)), capture=True)
        else:
            manage(env, "load_demo", capture=True)
        articles = shell(env, SETUP % {"comments": COMMENTS, "writers": WRITERS})
        seed, many = articles["seed"], articles["many"]
        queries = shell(env, MEASURE, many["url"])
        seed_bytes = shell(env, MEASURE, seed["url"])["article_bytes"]
        static = {
            "seed": static_copy(folder, "bench-seed-size.html", seed_bytes),
            "many": static_copy(folder, "bench-many-size.html", queries["article_bytes"]),
        }

        # --- make serve defaults, beside WordPress ---------------------------------
        cached = Server(env, free_port(), folder, "cached")
        servers.append(cached)
        results: dict[str, dict] = {}
        wordpress: dict[str, dict] = {}
        for key, label in (("seed", "seed article"), ("many", "50-comment article")):
            if peer:
                wordpress[key] = wrk(PEER + PEER_PAGES[key])
            url = cached.url + (seed if key == "seed" else many)["url"]
            wrk(url)  # the cache filled, as a reader after a change would
            results[f"{label} (cached)"] = wrk(url)
        if peer:
            wordpress["static"] = wrk(PEER + PEER_PAGES["static"])
        results["static, seed size"] = wrk(cached.url + static["seed"])
        results["static, 50-comment size"] = wrk(cached.url + static["many"])
        results["home (cached)"] = wrk(cached.url + "/")
        memory = {"make serve defaults": cached.worker_rss_mb()}

        # --- behind nginx (deploy/nginx.conf) in front of the same server -----------
        nginx = Nginx(folder, cached.port)
        nginx_status = [nginx.cache_status(many["url"]) for _ in range(2)]
        results["nginx: 50-comment article"] = wrk(nginx.url + many["url"])
        results["nginx: static, same size"] = wrk(nginx.url + static["many"])
        nginx.stop()

        # --- reads while 8 writers post 20 comments a second -------------------------
        # On an article of its own with 50 approved comments: the 200 comments
        # written here would otherwise make the 50-comment article measured
        # with caches off below a 250-comment one.
        steady = shell(env, WRITERS_ARTICLE, str(COMMENTS), "steady")["url"]
        wrk(cached.url + steady)  # the cache filled, as for the rows above
        results["reads, idle"] = wrk(cached.url + steady)
        stop = threading.Event()
        written: list = []
        writers = threading.Thread(
            target=lambda: written.extend(steady_writers(cached, steady, stop))
        )
        writers.start()
        try:
            results[f"reads, {WRITERS} writers"] = wrk(cached.url + steady)
        finally:
            stop.set()
            writers.join(timeout=60)
        memory["after writes"] = cached.worker_rss_mb()
        fivexx = {"cached": cached.count_5xx()}
        cached.stop()

        # --- every request a miss ------------------------------------------------------
        uncached_env = {**env, "FRAGMENT_CACHE": "0", "PAGE_CACHE": "0"}
        uncached = Server(uncached_env, free_port(), folder, "uncached")
        servers.append(uncached)
        results["seed article (uncached)"] = wrk(uncached.url + seed["url"])
        results["50-comment article (uncached)"] = wrk(uncached.url + many["url"])
        results["home (uncached)"] = wrk(uncached.url + "/")
        memory["caches off"] = uncached.worker_rss_mb()
        fivexx["uncached reads"] = uncached.count_5xx()

        # --- writers as fast as they go ------------------------------------------------
        writes, stored = comment_writers(env, uncached, folder)
        fivexx["writes"] = uncached.count_5xx() - fivexx["uncached reads"]
        locked = sum(s.count_locked() for s in servers)
        uncached.stop()
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()

    report(
        peer=peer, database_url=database_url, env=env, seed=seed, many=many,
        seed_bytes=seed_bytes, queries=queries, results=results, wordpress=wordpress,
        nginx_status=nginx_status, written=written, memory=memory, writes=writes,
        stored=stored, fivexx=fivexx, locked=locked,
    )  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def report(*, peer, database_url, env, seed, many, seed_bytes, queries, results, wordpress,
           nginx_status, written, memory, writes, stored, fivexx, locked) -> None:  # fmt: skip
    """Print the run's figures, the table of ratios and the targets."""
    database = "PostgreSQL" if database_url else "SQLite (temp file)"
    cache_name = "Redis" if (env.get("REDIS_URL") or env.get("CACHE_URL")) else "local memory"
    r = results
    print()
    print(f"== make bench: {database}, cache {cache_name}, {os.cpu_count()} CPUs, "
          f"gunicorn {os.environ.get('BENCH_WORKERS') or os.cpu_count()} workers x "
          f"{os.environ.get('GUNICORN_THREADS', '4')} threads, wrk {DURATION} per run, "
          f"{CONNECTIONS} connections ==")  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine load average (1, 5, 15 min) at the end: {load}")
    print(f"  seed article {seed['url']}: {seed['comments']} approved comments, {seed_bytes} "
          f"bytes; 50-comment article {many['url']}: {many['comments']}, "
          f"{queries['article_bytes']} bytes")  # fmt: skip
    if peer:
        print(f"  WordPress peer on {PEER}: same content (its own export, imported here)")
        for key, label in (("seed", "seed"), ("many", "50 comments"), ("static", "nginx static")):
            print(line(f"WordPress {label}", wordpress[key]))
    else:
        print(f"  WordPress peer: skipped, nothing answers {PEER}{PEER_PAGES['seed']} "
              f"(../shared/peer-wordpress/setup.sh, as root); demo content")  # fmt: skip
    for name, result in r.items():
        print(line(name, result))
    for label, result in writes.items():
        print(line(f"comment POSTs ({WRITERS} writers, {label})", result))
    q = queries
    print(
        f"  queries per page: 50-comment article cold {q['article_cold']}, cached "
        f"{q['article_cached']}, caches off {q['article_uncached']}; home cold {q['home_cold']},"
        f" cached {q['home_cached']}, off {q['home_uncached']}"
    )
    for label, sizes in memory.items():
        mean = sum(sizes) / len(sizes) if sizes else 0
        print(f"  worker RSS (MB), {label}: {sizes} (mean {mean:.1f})")
    print(f"  nginx X-Cache-Status of two GETs of the 50-comment article: {nginx_status}")
    *posts, (_, seconds) = written
    approved = [shown for status, shown in posts if status == 303]
    refused = sum(1 for status, _ in posts if status != 303)
    print(f"  steady writers: {len(posts)} posts in {seconds:.1f} s "
          f"({len(posts) / seconds:.1f}/s, {WRITE_RATE}/s asked), {len(approved)} accepted, "
          f"{refused} refused, {sum(approved)} shown on the next GET")  # fmt: skip
    lost = sum(max(0, writes[k].get("accepted", 0) - stored[k]) for k in writes)
    for label, result in writes.items():
        print(f"  comments, {label}: accepted (303) {result.get('accepted')}, refused "
              f"{result.get('refused')}, stored {stored[label]}")  # fmt: skip
    print(f"  5xx responses: {fivexx}; 'database is locked' in the logs: {locked}")

    def ratio(a: float, b: float | None) -> float | None:
        return a / b if b else None

    wp = {k: v["rps"] for k, v in wordpress.items()}
    rows = [  # (what, ratio or None when skipped, target or None)
        ("seed article, defaults / WordPress",
         ratio(r["seed article (cached)"]["rps"], wp.get("seed")), TARGETS["times_wordpress"]),
        ("50-comment article, defaults / WordPress",
         ratio(r["50-comment article (cached)"]["rps"], wp.get("many")),
         TARGETS["times_wordpress"]),
        ("seed article, caches off / WordPress",
         ratio(r["seed article (uncached)"]["rps"], wp.get("seed")), None),
        ("50-comment article, caches off / WordPress",
         ratio(r["50-comment article (uncached)"]["rps"], wp.get("many")),
         TARGETS["uncached_times_wordpress"]),
        ("seed article hit / static file, same server",
         ratio(r["seed article (cached)"]["rps"], r["static, seed size"]["rps"]),
         TARGETS["hit_static"]),
        ("50-comment article hit / static file, same server",
         ratio(r["50-comment article (cached)"]["rps"], r["static, 50-comment size"]["rps"]),
         TARGETS["hit_static"]),
        ("nginx: article / static file",
         ratio(r["nginx: 50-comment article"]["rps"], r["nginx: static, same size"]["rps"]),
         TARGETS["nginx_static"]),
        (f"reads with {WRITERS} writers / idle",
         ratio(r[f"reads, {WRITERS} writers"]["rps"], r["reads, idle"]["rps"]),
         TARGETS["reads_under_writes"]),
        ("comment POSTs, notifications on / off (matched phases)",
         writers_ratio(writes)[0], 0.9),
    ]  # fmt: skip
    print("== ratios ==")
    print(f"  {'':<52} {'ratio':>8} {'target':>8}")
    for what, value, target in rows:
        shown = "skipped" if value is None else f"{value:.2f}"
        goal = "" if target is None else f">= {target:g}"
        verdict = (
            "" if value is None or target is None else ("MET" if value >= target else "MISSED")
        )
        print(f"  {what:<52} {shown:>8} {goal:>8}  {verdict}")
    print("== other targets ==")
    checks = [
        (f"seed article p99 <= 50 ms, defaults ({r['seed article (cached)']['p99']:.1f} ms)",
         r["seed article (cached)"]["p99"] <= TARGETS["p99_ms"]),
        (f"50-comment article p99 <= 50 ms, defaults "
         f"({r['50-comment article (cached)']['p99']:.1f} ms)",
         r["50-comment article (cached)"]["p99"] <= TARGETS["p99_ms"]),
        (f"every approved steady comment shown on the next GET ({sum(approved)}/{len(approved)})",
         bool(approved) and all(approved)),
        (f"writes: 0 lost ({lost}), 0 5xx ({fivexx['writes']}), 0 locked ({locked})",
         lost == 0 and fivexx["writes"] == 0 and locked == 0),
    ]  # fmt: skip
    for text, ok in checks:
        print(f"  {'MET ' if ok else 'MISSED'} {text}")


if __name__ == "__main__":
    main()
