"""The production-like site a fault test runs against: ``gunicorn
config.wsgi`` with ``DEBUG=0`` (as ``make serve`` starts it), its own
database and media folder, and a task worker (``manage.py db_worker``) when
the test needs one. Everything runs in subprocesses on loopback and is
always stopped at the end.

A :class:`Site` is one such site's folder and database: SQLite (a file in
its folder) or PostgreSQL (a database of its own on the suite's private
cluster, tests/faults/services.py). The faults that are not about the
database run on both (tests/faults/conftest.py, the ``site`` fixture).

gunicorn runs threaded workers (``--threads``): a request waiting on the
database's write lock holds one thread, not the whole worker, so readers
are still answered while writers wait (the SQLite row of the fault suite).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
ARTICLE = "faults-article"
SEARCH_WORD = "interview"
MANAGER = "editors@faults.test"

# Run in the site's own process (``manage.py shell -c``) on a new database:
# one published article without an author, so a held comment is mailed to
# MANAGERS, with a word the readers search for.
CONTENT = f"""
from datetime import timedelta
from django.utils import timezone
from advice.models import Article
from notes.models import NoteTemplate
NoteTemplate.objects.get_or_create(slug="faults-note", defaults=dict(
    title="Thank-you note", subject="Thank you", body="Dear [name],\\n\\nThank you. [your name]"))
Article.objects.get_or_create(slug={ARTICLE!r}, defaults=dict(
    title="Thank you after an interview", asker="Bianca",
    question="Should I write after the {SEARCH_WORD}?",
    answer="Yes, the same day.\\n\\n{{{{note:faults-note}}}}\\n\\nGood luck.",
    status="published", published_at=timezone.now() - timedelta(days=1)))
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_env(root: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production-like site whose files live under
    ``root``: ``DEBUG=0``, a fresh ``SECRET_KEY``, its own SQLite file,
    static and media folders, timing rules off (the load posts quickly),
    one trusted proxy (each post says its own client address), held
    comments mailed to :data:`MANAGER`. ``overrides`` (e.g.
    ``DATABASE_URL``, ``REDIS_URL``) win."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "SECURE_SSL_REDIRECT"}
        and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SQLITE_PATH=str(root / "db.sqlite3"),
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
        COMMENTS_TIMING_RULES="0",
        COMMENTS_TRUSTED_PROXIES="1",
        MANAGERS=MANAGER,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CACHE_RETRY_AFTER="1",
        LOG_LEVEL="ERROR",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """Run ``manage.py *args`` with ``env``; its output. Fails the test when
    the command fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def site_prepare(env: dict[str, str]) -> None:
    """Migrate the site's database, collect its static files and add the
    article the load reads and comments on."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    if not Path(env["STATIC_ROOT"], "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "shell", "-c", CONTENT)


def site_copy(template: Path, root: Path) -> None:
    """A new site under ``root`` from a prepared SQLite site ``template``
    (its database file and static folder), quicker than migrating again."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "db.sqlite3", root / "db.sqlite3")
    (root / "static").symlink_to(template / "static")
    (root / "media").mkdir(exist_ok=True)


SQLITE = "SQLite"
POSTGRESQL = "PostgreSQL"


@dataclass
class Site:
    """A site under test: its folder ``root`` (static, media, logs; the
    SQLite file) and its database, named ``database`` (:data:`SQLITE` or
    :data:`POSTGRESQL`, as the table of figures shows it).
    ``database_url`` is PostgreSQL's ``DATABASE_URL``; ``None`` for the
    SQLite file ``root/db.sqlite3``."""

    database: str
    root: Path
    database_url: str | None = None
    dbname: str = ""  # PostgreSQL: the database's name on ``cluster``
    cluster: Any = None  # PostgreSQL: the PrivateCluster (tests/faults/services.py)

    def env(self, **overrides: str) -> dict[str, str]:
        """The site's environment (:func:`site_env`), ``overrides`` winning."""
        own = {"DATABASE_URL": self.database_url} if self.database_url else {}
        return site_env(self.root, **{**own, **overrides})

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection | psycopg.Connection]:
        """A connection of the test's own to the site's database (SQLite in
        autocommit mode, 30 s busy timeout), closed on exit."""
        if self.database_url:
            connection = psycopg.connect(self.database_url, autocommit=True, connect_timeout=10)
        else:
            connection = sqlite3.connect(self.root / "db.sqlite3", timeout=30,
                                         isolation_level=None)  # fmt: skip
        try:
            yield connection
        finally:
            connection.close()

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """The rows of ``sql`` (``%s`` placeholders, either database)."""
        if not self.database_url:
            sql = sql.replace("%s", "?")
        with self.connect() as connection:
            return list(connection.execute(sql, params).fetchall())

    def stored(self, prefix: str) -> Counter:
        """How often each comment text starting with ``prefix`` is stored."""
        return Counter(dict(self.rows(
            "SELECT body, COUNT(*) FROM advice_comment WHERE body LIKE %s GROUP BY body",
            (prefix + "%",),
        )))  # fmt: skip

    @contextlib.contextmanager
    def comments_locked(self) -> Iterator[None]:
        """Hold new comments back until exit: a comment post waits, mid-request,
        inside its transaction. SQLite: the database's write lock (``BEGIN
        IMMEDIATE``); PostgreSQL: a lock on the comment table that lets
        readers through (``SHARE ROW EXCLUSIVE``, which conflicts with the
        ``ROW EXCLUSIVE`` an INSERT takes). Rolled back on exit."""
        with self.connect() as connection:
            if self.database_url:
                connection.execute("BEGIN")
                connection.execute("LOCK TABLE advice_comment IN SHARE ROW EXCLUSIVE MODE")
            else:
                connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                connection.execute("ROLLBACK")


@dataclass
class Server:
    """A running gunicorn master (``process``) on ``port``."""

    process: subprocess.Popen
    port: int
    log: Path
    url: str = field(init=False)

    def __post_init__(self):
        self.url = f"http://127.0.0.1:{self.port}"

    def workers(self) -> set[int]:
        """Process ids of the master's workers now."""
        return set(children(self.process.pid))


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (read from ``/proc``)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def healthy(url: str, timeout: float = 2) -> bool:
    """Whether ``url/healthz`` answers 200 now."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=timeout) as answer:
            return answer.status == 200
    except OSError:
        return False


def server_start(env: dict[str, str], root: Path, *, workers: int = 2, threads: int = 4) -> Server:
    """Start gunicorn (``workers`` processes of ``threads`` threads) with
    ``env`` on a free port; returns once ``/healthz`` answers 200."""
    port = free_port()
    log = root / "gunicorn.log"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads),
            "--timeout", "60", "--graceful-timeout", "5",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),  # noqa: SIM115  (the server outlives this block)
    )  # fmt: skip
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not healthy(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            process_stop(process)
            raise AssertionError("gunicorn did not start: " + log.read_text()[-3000:])
        time.sleep(0.2)
    return server


def worker_start(env: dict[str, str], root: Path) -> subprocess.Popen:
    """Start a task worker (``manage.py db_worker``) polling every 0.2 s."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=open(root / "worker.log", "ab"),  # noqa: SIM115  (outlives this block)
    )  # fmt: skip


def process_stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to ``process`` and wait for it (SIGKILL after 15 s)."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
