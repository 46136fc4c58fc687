"""The database failing under load: no answer is a 500, every failure is
the friendly 503 that shows the reader's text back
(advice.middleware.DatabaseUnavailableMiddleware), no acknowledged comment
is lost, and the site recovers without a restart.

- SQLite: another writer holds the file's write lock (``BEGIN IMMEDIATE``)
  longer than the busy timeout. gunicorn's threaded workers keep answering
  readers (WAL lets them read past the writer); writers wait the busy
  timeout (``SQLITE_BUSY_TIMEOUT``, 3 s here) and get the friendly 503.
- PostgreSQL, a private cluster (tests/faults/services.py) with persistent
  connections (``CONN_MAX_AGE`` 60, ``CONN_HEALTH_CHECKS`` on): every
  connection to the site's database ended with ``pg_terminate_backend``
  again and again; then the server stopped for 10 s.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from tests.faults.figures import figures_record, lost_texts
from tests.faults.load import Load
from tests.faults.site import process_stop, server_start

pytestmark = [pytest.mark.slow, pytest.mark.faults]

BUSY_TIMEOUT = 3  # seconds a writer waits on the SQLite write lock
LOCK_HOLD = 8  # seconds the other writer holds it: longer than the busy timeout
KILL_HOLD = 4  # seconds of pg_terminate_backend, twice a second
DOWN_HOLD = 10  # seconds PostgreSQL is stopped


def _check(site, load: Load, began: float, removed: float, figures) -> list:
    """What holds for every database fault; returns the outcomes during it."""
    statuses = {o.status for o in load.outcomes}
    failed = [o for o in load.outcomes if o.status is not None and o.status >= 400]
    assert None not in statuses, load.summary()  # every request was answered
    assert all(o.friendly for o in failed), load.summary()  # only the friendly 503
    assert figures.other_5xx == 0
    assert (figures.lost, figures.duplicated) == (0, 0), lost_texts(site, load)
    return [o for o in load.outcomes if began <= o.at <= removed]


def test_sqlite_locked_by_another_writer(sqlite_site):
    server = server_start(sqlite_site.env(SQLITE_BUSY_TIMEOUT=str(BUSY_TIMEOUT)), sqlite_site.root)
    path = sqlite_site.root / "db.sqlite3"
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock():
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait()
        other.execute("ROLLBACK")
        other.close()

    try:
        with Load(server.url, "sqlite-locked") as load:
            load.wait_for("comment", 303, time.monotonic())
            holder = threading.Thread(target=hold_write_lock)
            holder.start()
            locked.wait(10)
            began = time.monotonic()
            time.sleep(LOCK_HOLD)
            release.set()
            holder.join()
            removed = time.monotonic()
            recovered = load.wait_for("comment", 303, removed)
    finally:
        process_stop(server.process)

    figures = figures_record(f"SQLite write lock held {LOCK_HOLD} s (busy timeout "
                             f"{BUSY_TIMEOUT} s)", sqlite_site, load, recovered)  # fmt: skip
    during = _check(sqlite_site, load, began, removed, figures)
    assert {o.status for o in during if o.kind == "read"} == {200}, load.summary()
    # Answered while the lock was still held (a writer that waited may get
    # the lock in the moment it is let go, before ``removed``).
    held = began + BUSY_TIMEOUT + 1, began + LOCK_HOLD - 0.2
    writes = [o for o in during if o.kind == "comment" and held[0] < o.at < held[1]]
    assert writes, load.summary()
    assert {o.status for o in writes} == {503}, load.summary()


def _pg_server(site):
    env = site.env(CONN_MAX_AGE="60", CONN_HEALTH_CHECKS="1")
    return server_start(env, site.root)


def test_postgres_connections_killed(postgres_site):
    site, cluster = postgres_site, postgres_site.cluster
    server = _pg_server(site)
    terminated = 0
    try:
        with Load(server.url, "pg-killed") as load:
            load.wait_for("comment", 303, time.monotonic())
            began = time.monotonic()
            while time.monotonic() - began < KILL_HOLD:
                terminated += cluster.terminate_connections(site.dbname)
                time.sleep(0.5)
            removed = time.monotonic()
            recovered = load.wait_for("comment", 303, removed)
            time.sleep(1)  # the next requests, after the fault
            after = [o for o in load.outcomes if o.at > removed + recovered]
    finally:
        process_stop(server.process)

    figures = figures_record("PostgreSQL connections killed (CONN_MAX_AGE 60)", site, load,
                             recovered)  # fmt: skip
    _check(site, load, began, removed, figures)
    assert terminated > 0
    # Only a request in flight on a connection that was ended can fail.
    assert figures.friendly_503 <= terminated, (figures, terminated)
    assert after
    assert {o.status for o in after} <= {200, 303}, load.summary()


def test_postgres_down_ten_seconds(postgres_site):
    site, cluster = postgres_site, postgres_site.cluster
    server = _pg_server(site)
    try:
        with Load(server.url, "pg-down") as load:
            load.wait_for("comment", 303, time.monotonic())
            cluster.stop()
            began = time.monotonic()
            time.sleep(DOWN_HOLD)
            stopped = time.monotonic()
            cluster.start()
            removed = time.monotonic()
            recovered = load.wait_for("comment", 303, removed)
    finally:
        process_stop(server.process)

    figures = figures_record(f"PostgreSQL down {DOWN_HOLD} s", site, load, recovered)
    during = _check(site, load, began, removed, figures)
    writes = [o for o in during if o.kind == "comment" and began + 1 < o.at < stopped]
    assert writes, load.summary()
    assert {o.status for o in writes} == {503}, load.summary()
