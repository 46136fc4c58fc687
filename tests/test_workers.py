"""Several app servers: the flood limit, the duplicate check and the question
limit hold across gunicorn workers, because they read the database, not a
per-process memory (docs/architecture.md, "comments/"). Behind a proxy the client
address comes from ``X-Forwarded-For`` and ``COMMENTS_TRUSTED_PROXIES``.

A real ``gunicorn config.wsgi`` with two worker processes is started on a
free loopback port, with production settings (``DEBUG=0``) and a SQLite file
of its own, migrated first in a subprocess. The access log names the worker
(process id) that answered each request, so the test can show that a refusal
came from the other worker than the one that stored the first post.
"""

from __future__ import annotations

import itertools
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings

from tests.live_http import FormInputs, NoRedirect

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 60  # seconds for the server to answer /healthz
REQUEST_TIMEOUT = 10  # seconds per request
ATTEMPTS = 12  # tries to see a pair of requests answered by two workers

# Real gunicorn processes: seconds each; `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

MAKE_ARTICLE = """
from django.utils import timezone
from datetime import timedelta
from advice.models import Article
for n in range(40):
    Article.objects.create(
        title=f"Workers {n}", slug=f"workers-{n}", question="Q?", answer="A.",
        status="published", published_at=timezone.now() - timedelta(days=1),
    )
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A reader's browser over urllib: keeps its own cookies (sent by hand, as
    the production cookies are ``Secure`` and TLS ends at the "proxy"),
    says it came over HTTPS through one proxy (``X-Forwarded-Proto``,
    ``X-Forwarded-For: <ip>``) and tags each request for the access log."""

    _ids = itertools.count(1)

    def __init__(self, server, ip: str):
        self.server, self.ip, self.cookies = server, ip, SimpleCookie()
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """GET (or POST ``data``) ``path``; returns (status, body, request tag)."""
        tag = f"t{next(self._ids)}"
        origin = f"https://127.0.0.1:{self.server.port}"
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.ip,
            "X-Test-Id": tag,
            "Origin": origin,
            "Referer": origin + path,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.server.url + path, data=body, headers=headers)
        try:
            response = self.opener.open(req, timeout=REQUEST_TIMEOUT)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(value)
        return response.status, response.read().decode(), tag

    def form(self, path: str, form_id: str) -> dict:
        status, page, _ = self.request(path)
        assert status == 200, (status, page[:500])
        parser = FormInputs(form_id)
        parser.feed(page)
        return parser.values

    def post_form(self, path: str, form_id: str, action: str, **fields) -> tuple[int, str]:
        """Fill the form ``form_id`` of ``path`` and post it to ``action``;
        returns (status, request tag)."""
        data = self.form(path, form_id)
        data.update(fields)
        status, _, tag = self.request(action, data)
        return status, tag


class Server:
    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"

    def worker_of(self, tag: str) -> str:
        """The process id of the worker that answered the request ``tag``."""
        for _ in range(50):  # the access log is written just after the answer
            for line in self.log.read_text().splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[0] == tag:
                    return parts[1]
            time.sleep(0.05)
        raise AssertionError(f"request {tag} not in the access log")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn, 2 workers, production settings, its own SQLite file; always
    stopped at the end."""
    tmp = tmp_path_factory.mktemp("workers")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        STATIC_ROOT=str(tmp / "static"),
        COMMENTS_TIMING_RULES="1",
        COMMENTS_SIGNATURE_MIN_AGE="0",
        COMMENTS_FLOOD_SECONDS="15",
        COMMENTS_TRUSTED_PROXIES="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["shell", "-c", MAKE_ARTICLE],
    ):
        subprocess.run(
            [python, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=120
        )
    port = _free_port()
    log = tmp / "access.log"
    log.touch()
    process = subprocess.Popen(
        [
            python, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "2",
            "--timeout", "30",
            "--access-logfile", str(log),
            "--access-logformat", "%({x-test-id}i)s %(p)s %(s)s",
        ],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "error.log", "w"),  # noqa: SIM115  (the server outlives this block)
    )  # fmt: skip
    try:
        server = Server(port, log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("gunicorn did not start: " + (tmp / "error.log").read_text())
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


_addresses = itertools.count(10)


def _ip() -> str:
    return f"203.0.113.{next(_addresses) % 250 + 1}"


def _email() -> str:
    """A fresh e-mail address (the flood rule also matches the e-mail)."""
    return f"reader{next(_addresses)}@x.test"


def _pair_across_workers(server, first, second):
    """Run ``first()`` then ``second()`` (each returning (status, tag)) until
    two different workers answered them; returns both statuses of every try
    and the number of tries that crossed workers."""
    results, crossed = [], 0
    for _ in range(ATTEMPTS):
        (status_a, tag_a), (status_b, tag_b) = first(), second()
        results.append((status_a, status_b))
        if server.worker_of(tag_a) != server.worker_of(tag_b):
            crossed += 1
            break
    return results, crossed


def _comment(browser, article: int, **fields):
    path = f"/articles/workers-{article}/"
    return browser.post_form(
        path, "commentform", path + "comments/", **{"url": "", "honeypot": "", **fields}
    )


_articles = itertools.count(0)


def test_flood_limit_holds_across_workers(server):
    def first():
        state["ip"] = _ip()
        state["article"] = next(_articles)
        return _comment(
            Browser(server, state["ip"]), state["article"], name="A", email=_email(), body="One"
        )

    def second():  # same address, another browser, another e-mail: too soon
        return _comment(
            Browser(server, state["ip"]), state["article"], name="B", email=_email(), body="Two"
        )

    state = {}
    results, crossed = _pair_across_workers(server, first, second)
    assert crossed, "every pair was answered by one worker"
    assert all(pair == (303, 429) for pair in results), results


def test_duplicate_check_holds_across_workers(server):
    def first():
        state["article"], state["email"] = next(_articles), _email()
        return _comment(Browser(server, _ip()), state["article"], name="D", email=state["email"],
                        body="Same words")  # fmt: skip

    def second():  # another address, same author and words: a duplicate
        return _comment(Browser(server, _ip()), state["article"], name="D", email=state["email"],
                        body="Same words")  # fmt: skip

    state = {}
    results, crossed = _pair_across_workers(server, first, second)
    assert crossed, "every pair was answered by one worker"
    assert all(pair == (303, 409) for pair in results), results


def test_question_limit_holds_across_workers(server):
    def ask(ip, email):
        return Browser(server, ip).post_form(
            "/ask/", "ask-form", "/ask/", name="Q", email=email,
            question="How do I follow up after an interview?", honeypot="",
        )  # fmt: skip

    def first():
        state["ip"] = _ip()
        return ask(state["ip"], _email())

    def second():
        return ask(state["ip"], _email())

    state = {}
    results, crossed = _pair_across_workers(server, first, second)
    assert crossed, "every pair was answered by one worker"
    assert all(pair == (303, 429) for pair in results), results


def test_client_address_comes_from_the_trusted_proxy_header(server):
    article = next(_articles)
    # Same socket address (127.0.0.1), different forwarded addresses: both stored.
    first = _comment(Browser(server, _ip()), article, name="E", email="e@x.test", body="E1")
    second = _comment(Browser(server, _ip()), article, name="F", email="f@x.test", body="F1")
    assert (first[0], second[0]) == (303, 303)
    # A spoofed entry before the proxy's own is ignored: only the last one counts.
    ip = _ip()
    third = _comment(Browser(server, ip), article, name="G", email="g@x.test", body="G1")
    spoofed = Browser(server, f"{_ip()}, {ip}")
    fourth = _comment(spoofed, article, name="H", email="h@x.test", body="H1")
    assert (third[0], fourth[0]) == (303, 429)
