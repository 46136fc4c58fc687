"""Mail and the task worker failing under load: requests are unaffected
(mail is queued after the commit, advice/mailqueue.py), the messages wait
in the queue, and once the fault is removed every queued message is sent,
none lost. Messages are counted by ``Message-ID`` at a mail server of the
test's own (tests/smtp_sink.py), against the messages the queue holds.

- The mail server refuses connections, or accepts them and never answers
  (each attempt then costs ``EMAIL_TIMEOUT``); the worker retries.
- The worker is stopped with SIGTERM (it finishes its task and exits), or
  killed with SIGKILL while it waits on the mail server mid-task: the task
  is left RUNNING, ``manage.py requeue_stale_tasks`` returns it to the
  queue, and it is sent under the ``Message-ID`` it was queued with.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time

import pytest

from tests.faults.figures import figures_record, stored_sqlite
from tests.faults.load import Load
from tests.faults.site import (
    free_port,
    manage,
    process_stop,
    server_start,
    site_env,
    worker_start,
)
from tests.faults.timing import wait_until
from tests.smtp_sink import HangingServer, SmtpSink

pytestmark = [pytest.mark.slow, pytest.mark.faults]

HOLD = 5  # seconds the fault lasts


def queued_mail(path) -> dict[str, str]:
    """Every message the queue holds (each attempt is a task): its
    ``Message-ID`` -> the status of its latest attempt."""
    with sqlite3.connect(path, timeout=30) as connection:
        rows = connection.execute(
            "SELECT args_kwargs, status FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%mail_deliver' ORDER BY enqueued_at"
        ).fetchall()
    connection.close()
    return {json.loads(args)["args"][0]["message_id"]: status for args, status in rows}


def _mail_env(root, port: int, timeout: int = 2) -> dict[str, str]:
    return site_env(
        root,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT=str(timeout),
        MAIL_RETRY_SECONDS="1",
        MAIL_SEND_ATTEMPTS="30",
    )


def _all_sent(path, sink: SmtpSink) -> bool:
    return set(queued_mail(path)) <= set(sink.message_ids())


def _check(load: Load, path, sink: SmtpSink, figures) -> None:
    queued = queued_mail(path)
    received = sink.message_ids()
    assert queued, "no mail was queued"
    assert set(received) == set(queued)  # every message sent, nothing else
    assert len(received) == len(set(received)), "a message was sent twice"
    assert {o.status for o in load.outcomes} <= {200, 303}, load.summary()
    assert figures.other_5xx == 0
    assert (figures.lost, figures.duplicated) == (0, 0)


def _mail_fault(root, fault: str) -> None:
    """Run the load with the mail server ``fault`` ("refusing" or
    "hanging") for :data:`HOLD` seconds, then a working one on its port."""
    hanging = HangingServer() if fault == "hanging" else None
    port = hanging.port if hanging else free_port()  # nothing listens: refused
    env = _mail_env(root, port)
    server, worker = server_start(env, root), worker_start(env, root)
    path = root / "db.sqlite3"
    sink = None
    try:
        with Load(server.url, f"mail-{fault}") as load:
            if hanging:  # the worker is waiting on it
                wait_until(lambda: hanging.connections_so_far() > 0, timeout=30)
            time.sleep(HOLD)
            if hanging:
                hanging.close()
            sink = SmtpSink(port)
            removed = time.monotonic()
        wait_until(lambda: _all_sent(path, sink), timeout=90)
        recovered = time.monotonic() - removed
        figures = figures_record(f"mail server {fault} ({len(queued_mail(path))} mails queued)",
                                 "SQLite", load, stored_sqlite(path, f"mail-{fault}"),
                                 recovered)  # fmt: skip
        _check(load, path, sink, figures)
    finally:
        process_stop(server.process)
        process_stop(worker)
        if sink:
            sink.close()
        elif hanging:
            hanging.close()


def test_mail_server_refusing(sqlite_root):
    _mail_fault(sqlite_root, "refusing")


def test_mail_server_hanging(sqlite_root):
    _mail_fault(sqlite_root, "hanging")


def test_task_worker_stopped_with_sigterm(sqlite_root):
    sink = SmtpSink()
    env = _mail_env(sqlite_root, sink.port)
    server, worker = server_start(env, sqlite_root), worker_start(env, sqlite_root)
    path = sqlite_root / "db.sqlite3"
    try:
        with Load(server.url, "worker-term") as load:
            wait_until(lambda: sink.message_ids(), timeout=30)  # the worker sends
            process_stop(worker, signal.SIGTERM)
            assert worker.returncode == 0  # it stopped between tasks, or after one
            time.sleep(HOLD)
            waiting = [s for s in queued_mail(path).values() if s == "READY"]
            assert waiting, "no mail waited for the stopped worker"
            worker = worker_start(env, sqlite_root)
            removed = time.monotonic()
        wait_until(lambda: _all_sent(path, sink), timeout=90)
        figures = figures_record(
            f"task worker stopped, SIGTERM ({len(waiting)} mails waited)", "SQLite", load,
            stored_sqlite(path, "worker-term"), time.monotonic() - removed,
        )  # fmt: skip
        _check(load, path, sink, figures)
    finally:
        process_stop(server.process)
        process_stop(worker)
        sink.close()


def test_task_worker_killed_mid_job(sqlite_root):
    hanging = HangingServer()
    port = hanging.port
    env = _mail_env(sqlite_root, port, timeout=60)  # the worker waits on it mid-task
    server, worker = server_start(env, sqlite_root), worker_start(env, sqlite_root)
    path = sqlite_root / "db.sqlite3"
    sink = None
    try:
        with Load(server.url, "worker-kill") as load:
            wait_until(lambda: hanging.connections_so_far() > 0, timeout=30)
            process_stop(worker, signal.SIGKILL)
            time.sleep(HOLD)
            running = [mid for mid, s in queued_mail(path).items() if s == "RUNNING"]
            assert len(running) == 1, queued_mail(path)  # left RUNNING by the kill
            hanging.close()
            hanging = None
            sink = SmtpSink(port)
            manage(env, "requeue_stale_tasks", "--older-than", "0")
            worker = worker_start(env, sqlite_root)
            removed = time.monotonic()
        wait_until(lambda: _all_sent(path, sink), timeout=90)
        figures = figures_record(
            "task worker killed mid-job, SIGKILL (requeued)", "SQLite", load,
            stored_sqlite(path, "worker-kill"), time.monotonic() - removed,
        )  # fmt: skip
        _check(load, path, sink, figures)
        # The job run again was sent under the Message-ID it was queued with.
        assert sink.message_ids().count(running[0]) == 1
    finally:
        process_stop(server.process)
        process_stop(worker)
        if hanging:
            hanging.close()
        if sink:
            sink.close()
