"""Mail and the task worker failing under load: requests are unaffected
(mail is queued after the commit, advice/mailqueue.py), the messages wait
in the queue, and once the fault is removed every queued message is sent,
none lost. On SQLite and on PostgreSQL (the queue is a table of the
site's database: django-tasks' database backend).

Messages are counted by ``Message-ID`` at a mail server of the test's own
(tests/smtp_sink.py) twice over: against the messages the queue holds, and
against what the site owes mail for (each held comment and each question,
named in its message by admin address; tests/faults/figures.py), so a
message that was never queued shows as *mail lost* in the table.

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
import time

import pytest

from tests.faults.figures import figures_record, mail_count, mail_owed
from tests.faults.load import Load
from tests.faults.site import Site, free_port, manage, process_stop, server_start, worker_start
from tests.faults.timing import wait_until
from tests.smtp_sink import HangingServer, SmtpSink

pytestmark = [pytest.mark.slow, pytest.mark.faults]

HOLD = 3  # seconds the fault lasts


def queued_mail(site: Site) -> dict[str, str]:
    """Every message the queue holds (each attempt is a task): its
    ``Message-ID`` -> the status of its latest attempt."""
    rows = site.rows(
        "SELECT args_kwargs, status FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE %s ORDER BY enqueued_at",
        ("%mail_deliver",),
    )
    # A JSON text on SQLite, already decoded from jsonb on PostgreSQL.
    return {
        (json.loads(a) if isinstance(a, str) else a)["args"][0]["message_id"]: status
        for a, status in rows
    }


def _mail_env(site: Site, port: int, timeout: int = 2) -> dict[str, str]:
    return site.env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT=str(timeout),
        MAIL_RETRY_SECONDS="1",
        MAIL_SEND_ATTEMPTS="30",
    )


def _all_sent(site: Site, sink: SmtpSink) -> bool:
    return set(queued_mail(site)) <= set(sink.message_ids())


def _record(fault: str, site: Site, load: Load, sink: SmtpSink, recovered: float):
    """The row's figures, mail counted against what the site owes."""
    mail = mail_count(mail_owed(site, load.prefix), list(sink.messages))
    return figures_record(fault, site, load, recovered, mail)


def _check(load: Load, site: Site, sink: SmtpSink, figures) -> None:
    queued = queued_mail(site)
    received = sink.message_ids()
    assert queued, "no mail was queued"
    assert set(received) == set(queued)  # every message sent, nothing else
    assert len(received) == len(set(received)), "a message was sent twice"
    assert {o.status for o in load.outcomes} <= {200, 303}, load.summary()
    assert figures.other_5xx == 0
    assert (figures.lost, figures.duplicated) == (0, 0)
    assert figures.mail_owed > 0
    assert (figures.mail_lost, figures.mail_twice) == (0, 0), figures


def _mail_fault(site: Site, fault: str) -> None:
    """Run the load with the mail server ``fault`` ("refusing" or
    "hanging") for :data:`HOLD` seconds, then a working one on its port."""
    hanging = HangingServer() if fault == "hanging" else None
    port = hanging.port if hanging else free_port()  # nothing listens: refused
    env = _mail_env(site, port)
    server, worker = server_start(env, site.root), worker_start(env, site.root)
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
        wait_until(lambda: _all_sent(site, sink), timeout=90)
        recovered = time.monotonic() - removed
        figures = _record(f"mail server {fault} ({len(queued_mail(site))} mails queued)",
                          site, load, sink, recovered)  # fmt: skip
        _check(load, site, sink, figures)
    finally:
        process_stop(server.process)
        process_stop(worker)
        if sink:
            sink.close()
        elif hanging:
            hanging.close()


def test_mail_server_refusing(site):
    _mail_fault(site, "refusing")


def test_mail_server_hanging(site):
    _mail_fault(site, "hanging")


def test_task_worker_stopped_with_sigterm(site):
    sink = SmtpSink()
    env = _mail_env(site, sink.port)
    server, worker = server_start(env, site.root), worker_start(env, site.root)
    try:
        with Load(server.url, "worker-term") as load:
            wait_until(lambda: sink.message_ids(), timeout=30)  # the worker sends
            process_stop(worker, signal.SIGTERM)
            assert worker.returncode == 0  # it stopped between tasks, or after one
            time.sleep(HOLD)
            waiting = [s for s in queued_mail(site).values() if s == "READY"]
            assert waiting, "no mail waited for the stopped worker"
            worker = worker_start(env, site.root)
            removed = time.monotonic()
        wait_until(lambda: _all_sent(site, sink), timeout=90)
        figures = _record(f"task worker stopped, SIGTERM ({len(waiting)} mails waited)",
                          site, load, sink, time.monotonic() - removed)  # fmt: skip
        _check(load, site, sink, figures)
    finally:
        process_stop(server.process)
        process_stop(worker)
        sink.close()


def test_task_worker_killed_mid_job(site):
    hanging = HangingServer()
    port = hanging.port
    env = _mail_env(site, port, timeout=60)  # the worker waits on it mid-task
    server, worker = server_start(env, site.root), worker_start(env, site.root)
    sink = None
    try:
        with Load(server.url, "worker-kill") as load:
            wait_until(lambda: hanging.connections_so_far() > 0, timeout=30)
            process_stop(worker, signal.SIGKILL)
            time.sleep(HOLD)
            running = [mid for mid, s in queued_mail(site).items() if s == "RUNNING"]
            assert len(running) == 1, queued_mail(site)  # left RUNNING by the kill
            hanging.close()
            hanging = None
            sink = SmtpSink(port)
            manage(env, "requeue_stale_tasks", "--older-than", "0")
            worker = worker_start(env, site.root)
            removed = time.monotonic()
        wait_until(lambda: _all_sent(site, sink), timeout=90)
        figures = _record("task worker killed mid-job, SIGKILL (requeued)", site, load, sink,
                          time.monotonic() - removed)  # fmt: skip
        _check(load, site, sink, figures)
        # The job run again was sent under the Message-ID it was queued with.
        assert sink.message_ids().count(running[0]) == 1
    finally:
        process_stop(server.process)
        process_stop(worker)
        if hanging:
            hanging.close()
        if sink:
            sink.close()
