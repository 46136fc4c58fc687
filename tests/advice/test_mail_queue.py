"""Mail off the request path (advice/mailqueue.py, advice/mail.py), on the real
database backend (django-tasks-db) and a real worker loop against mail
servers on 127.0.0.1 (tests/smtp_sink.py): one that never answers, a port
that refuses, one that takes every message.

A reader's POST opens no connection to the mail server; the worker sends
each message once the server answers, under the Message-ID made when it was
queued; failures are retried later, up to ``MAIL_SEND_ATTEMPTS``.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from advice.comments.forms import form_token
from advice.comments.submit import ClientInfo, CommentData, comment_submit
from advice.mail import mail_send
from advice.mailqueue import is_permanent, mail_deliver, mail_enqueue, mail_message, retry_delay
from advice.models import Comment, CommentSubscription, ReaderQuestion
from advice.questions.forms import ask_token
from tests.smtp_sink import HangingServer, SmtpSink, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class LockedBackend(DatabaseBackend):
    """The database backend when its table is locked: queueing fails."""

    def enqueue(self, task, args, kwargs):
        raise OperationalError("database is locked")


@pytest.fixture(autouse=True)
def queue(settings, transactional_db):
    """The database backend, real commits (so ``on_commit`` runs as in
    production), SMTP to 127.0.0.1 with a one-second timeout."""
    settings.TASKS = DB_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_USE_TLS = False
    settings.MANAGERS = [("Editors", "editors@example.com")]
    settings.MAIL_RETRY_SECONDS = 60


def run_worker() -> None:
    """django-tasks-db's worker, in this process, until no task is ready."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def time_passes() -> None:
    """Every deferred task (a retry) becomes due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def mail_rows():
    """The queue's mail tasks (other tasks, e.g. reply notices, left out)."""
    return DBTaskResult.objects.filter(task_path=mail_deliver.module_path)


def queued_message_ids() -> list[str]:
    """The Message-ID of each mail task queued, oldest first."""
    rows = mail_rows().order_by("enqueued_at")
    return [row.args_kwargs["args"][0]["message_id"] for row in rows]


def post_held_comment(client, article, **fields):
    data = {
        "name": "Ana",
        "email": "first-time@example.com",
        "url": "",
        "body": "A first comment, held for a moderator.",
        "honeypot": "",
        "token": form_token(article.pk, timezone.now() - timedelta(seconds=30)),
        **fields,
    }
    return client.post(reverse("advice:comment_post", args=[article.slug]), data)


def statements(captured) -> list[str]:
    """The SQL of ``captured`` queries, with ``COMMIT`` where a transaction
    committed (Django logs it among the queries)."""
    return [q["sql"] for q in captured.captured_queries]


def written_before_the_commit(sql: list[str], table: str) -> bool:
    """Whether every INSERT into ``table`` in ``sql`` comes before the
    request's one COMMIT, i.e. in the transaction that stores the comment."""
    inserts = [i for i, q in enumerate(sql) if q.startswith("INSERT") and table in q]
    commits = [i for i, q in enumerate(sql) if q == "COMMIT"]
    return bool(inserts) and len(commits) == 1 and max(inserts) < commits[0]


@pytest.mark.slow
def test_comment_post_never_waits_for_a_mail_server_that_hangs(client, make_article, settings):
    article = make_article()
    with HangingServer() as hanging, SmtpSink() as sink:
        settings.EMAIL_PORT = hanging.port

        assert post_held_comment(client, article).status_code == 303
        assert Comment.objects.get().status == Comment.Status.PENDING
        assert hanging.connections_so_far() == 0  # the request never dialled it
        (message_id,) = queued_message_ids()

        run_worker()  # the attempt times out (EMAIL_TIMEOUT); a retry is queued
        assert hanging.connections_so_far() == 1
        assert sink.message_ids() == []

        settings.EMAIL_PORT = sink.port  # the server answers again
        time_passes()
        run_worker()
        run_worker()
        assert sink.message_ids() == [message_id]
    (received,) = sink.messages
    assert received["To"] == "editors@example.com"
    assert f"/admin/advice/comment/{Comment.objects.get().pk}/change/" in received.get_payload()


@pytest.mark.slow
def test_refused_connection_is_retried_and_the_message_sent_once(
    client, make_article, settings, caplog
):
    port = free_port()
    settings.EMAIL_PORT = port
    assert post_held_comment(client, make_article()).status_code == 303
    (message_id,) = queued_message_ids()

    run_worker()  # refused: attempt 1 of 8 fails, attempt 2 is deferred
    assert "attempt 1 of 8 failed" in caplog.text
    assert mail_rows().ready().count() == 0  # not due yet
    assert mail_rows().filter(status="READY").count() == 1

    with SmtpSink(port=port) as sink:
        time_passes()
        run_worker()
        run_worker()
        assert sink.message_ids() == [message_id]
    assert mail_rows().filter(status="SUCCESSFUL").count() == 1
    assert mail_rows().filter(status="FAILED").count() == 1


@pytest.mark.slow
def test_every_mail_is_queued_and_sent_by_the_worker(client, make_article, settings):
    """The new-question mail to MANAGERS and the held-comment mail."""
    with SmtpSink() as sink:
        settings.EMAIL_PORT = sink.port
        ask = {
            "name": "Bianca",
            "email": "bianca@example.com",
            "question": "Should I send a thank-you note?",
            "consent_to_publish": "on",
            "honeypot": "",
            "token": ask_token(timezone.now() - timedelta(seconds=10)),
        }
        assert client.post("/ask/", ask).status_code == 303
        assert post_held_comment(client, make_article()).status_code == 303
        assert sink.message_ids() == []  # nothing sent in the requests

        run_worker()
        assert sorted(sink.message_ids()) == sorted(queued_message_ids())
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert len(subjects) == 2
    assert "[Django] New reader question from Bianca" in subjects


@pytest.mark.slow
def test_worker_gives_up_after_the_last_attempt(client, make_article, settings, caplog):
    settings.MAIL_SEND_ATTEMPTS = 2
    settings.EMAIL_PORT = free_port()
    post_held_comment(client, make_article())
    run_worker()
    time_passes()
    run_worker()
    assert "attempt 2 of 2 failed" in caplog.text
    assert "giving up" in caplog.text
    assert mail_rows().filter(status="READY").count() == 0
    assert mail_rows().filter(status="FAILED").count() == 2


def queue_a_mail_then_fail() -> None:
    with transaction.atomic():
        mail_send(
            template="advice/email/question_new",
            context={"question": ReaderQuestion(name="Ana"), "asker": "Ana", "admin_url": "x"},
            managers=True,
        )
        # Written in the transaction (the queue is a table of this database):
        # no worker sees it before the commit, and a rollback takes it away.
        assert mail_rows().count() == 1
        raise RuntimeError("rolled back")


def test_a_rolled_back_transaction_queues_no_mail():
    with pytest.raises(RuntimeError):
        queue_a_mail_then_fail()
    assert DBTaskResult.objects.count() == 0


def test_a_held_comment_and_its_mail_are_stored_in_one_commit(client, make_article):
    """One write transaction per POST: the held-comment mail's row and the
    comment commit together (no second transaction after the commit)."""
    article = make_article()
    with CaptureQueriesContext(connection) as captured:
        assert post_held_comment(client, article).status_code == 303
    assert written_before_the_commit(statements(captured), DBTaskResult._meta.db_table)
    assert len(queued_message_ids()) == 1


def test_a_held_comments_mail_survives_a_process_that_dies_at_the_commit(make_article):
    """The mail needs no ``on_commit`` hook: a process that dies right after
    COMMIT, before Django runs the hooks, has still queued it (issue 17)."""
    article = make_article()
    with transaction.atomic():
        result = comment_submit(
            article=article,
            data=CommentData(name="Ana", email="new@example.com", url="", body="Held, please."),
            user=AnonymousUser(),
            client=ClientInfo(ip="203.0.113.9"),
            now=timezone.now(),
        )
        connection.run_on_commit.clear()  # the hooks never run
    assert result.comment.status == Comment.Status.PENDING
    (row,) = mail_rows()
    assert row.args_kwargs["args"][0]["to"] == ["editors@example.com"]
    assert f"comment {result.comment.pk}" in row.args_kwargs["args"][0]["label"]


def test_an_approved_reply_queues_its_notices_with_the_comment_and_the_worker_sends_them(
    client, make_article, make_comment, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMMENTS_HOLD_FIRST_TIME = False
    article = make_article()
    parent = make_comment(article, author_email="reader@example.com")
    now = timezone.now()
    CommentSubscription.objects.create(
        comment=parent,
        article=article,
        email="reader@example.com",
        scope=CommentSubscription.Scope.REPLIES,
        created_at=now,
        confirmed_at=now,
    )
    with CaptureQueriesContext(connection) as captured:
        response = post_held_comment(
            client, article, parent=str(parent.pk), body="An answer to you."
        )
    assert response.status_code == 303
    assert Comment.objects.get(body="An answer to you.").status == Comment.Status.APPROVED
    assert written_before_the_commit(statements(captured), DBTaskResult._meta.db_table)
    assert mail.outbox == []  # nothing sent in the request

    run_worker()  # the notice task queues the notice; the same run sends it
    run_worker()
    (notice,) = mail.outbox
    assert notice.to == ["reader@example.com"]
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice.extra_headers["Message-ID"] == queued_message_ids()[0]


def test_asking_for_reply_mail_costs_the_post_one_task_row_and_the_worker_does_the_rest(
    client, make_article, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    article = make_article()
    with CaptureQueriesContext(connection) as captured:
        response = post_held_comment(client, article, notify_replies="on")
    assert response.status_code == 303
    assert written_before_the_commit(statements(captured), DBTaskResult._meta.db_table)
    assert not any("commentsubscription" in q for q in statements(captured))
    assert mail.outbox == []

    run_worker()  # stores the subscription and queues its confirmation, then sends it
    run_worker()
    subscription = CommentSubscription.objects.get()
    assert subscription.email == "first-time@example.com"
    assert subscription.confirmed_at is None
    (confirmation,) = [m for m in mail.outbox if m.to == ["first-time@example.com"]]
    assert "/comments/confirm/" in confirmation.body


def same_task_id():
    """Every task gets this id: once one row has it, no other can be written."""
    return UUID("00000000-0000-4000-8000-000000000016")


def test_a_queue_write_that_fails_in_the_transaction_keeps_the_comment(
    client, make_article, settings, caplog
):
    """A failed INSERT into the queue rolls back its own savepoint only, so
    the comment is stored all the same (on PostgreSQL a failed statement
    would otherwise abort the comment's transaction)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "OPTIONS": {"id_function": f"{__name__}.same_task_id"},
        }
    }
    earlier = mail_message(subject="Earlier", body="Takes the id.", to=["a@example.com"])
    assert mail_enqueue(earlier)  # outside any transaction: the id is taken

    response = post_held_comment(client, make_article())

    assert response.status_code == 303
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert queued_message_ids() == [earlier["message_id"]]
    assert "Could not queue the held-comment e-mail for comment" in caplog.text


def test_queue_that_fails_keeps_the_comment_and_logs(client, make_article, settings, caplog):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.LockedBackend"}}
    settings.EMAIL_PORT = free_port()

    response = post_held_comment(client, make_article())

    assert response.status_code == 303
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert "Could not queue the held-comment e-mail for comment" in caplog.text


@pytest.mark.slow
def test_a_new_worker_process_sends_what_was_queued_before_it_started(tmp_path):
    """The queue is rows in the database: a message queued by one process
    is sent by a worker started later (``manage.py db_worker``)."""
    with SmtpSink() as sink:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TASKS_BACKEND")}
        env.update(
            SQLITE_PATH=str(tmp_path / "queue.sqlite3"),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
        )

        def manage(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            return done.stdout

        manage("migrate", "--noinput", "--verbosity", "0")
        enqueue = (
            "from advice.mailqueue import mail_enqueue, mail_message\n"
            "m = mail_message(subject='Queued', body='Hello', to=['a@example.com'])\n"
            "assert mail_enqueue(m)\n"
            "print(m['message_id'])\n"
        )
        message_id = manage("shell", "-c", enqueue).splitlines()[-1]
        assert sink.message_ids() == []

        manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")
        assert sink.message_ids() == [message_id]


def test_retry_waits_double_each_time_up_to_an_hour():
    assert [retry_delay(n, 60) for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (450, b"busy")}), False),
        (ValueError("bad header"), True),
    ],
)
def test_only_a_final_refusal_is_not_retried(error, permanent):
    assert is_permanent(error) is permanent


class DyingConnectionBackend(DatabaseBackend):
    """The database backend on a connection that dies as the row is written:
    another session ends this one's PostgreSQL backend first (as the fault
    suite's ``pg_terminate_backend`` row does at random moments)."""

    def enqueue(self, task, args, kwargs):
        import psycopg

        if task.module_path != "advice.mailqueue.mail_deliver":
            return super().enqueue(task, args, kwargs)

        pid = connection.connection.info.backend_pid
        settings_dict = connection.settings_dict
        with psycopg.connect(
            host=settings_dict["HOST"] or None,
            port=settings_dict["PORT"] or None,
            user=settings_dict["USER"] or None,
            password=settings_dict["PASSWORD"] or None,
            dbname=settings_dict["NAME"],
            autocommit=True,
        ) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        return super().enqueue(task, args, kwargs)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a server database's connection can be killed"
)
def test_a_comment_whose_connection_dies_while_its_mail_is_queued_is_never_acknowledged(
    client, make_article, settings
):
    """The savepoint around the queue write cannot be rolled back on a dead
    connection, so Django marks the whole transaction for rollback; the POST
    must then refuse with the friendly 503 (text kept), never answer 303 for
    a comment that was not stored."""
    article = make_article()
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.DyingConnectionBackend"}}

    response = post_held_comment(client, article)

    assert response.status_code == 503
    assert "A first comment, held for a moderator." in response.content.decode()
    # In production the end of the request closes the dead connection
    # (close_old_connections); the test client leaves that to the test.
    connection.close()
    settings.TASKS = DB_BACKEND  # the next request, on a new connection, is stored
    assert post_held_comment(client, article).status_code == 303
    assert Comment.objects.count() == 1
