"""The moderation functions: status changes, article touch, held-comment
e-mail, IP retention, bulk article changes."""

import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from advice.comments import moderation
from advice.models import Article, Comment

HELD, APPROVED = Comment.Status.PENDING, Comment.Status.APPROVED
SPAM, REMOVED = Comment.Status.SPAM, Comment.Status.REMOVED


class RefusingEmailBackend(BaseEmailBackend):
    """A mail backend whose server is down: every send raises."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


# --- pure rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "before", "after"),
    [
        (moderation.APPROVE, HELD, APPROVED),
        (moderation.APPROVE, SPAM, APPROVED),
        (moderation.APPROVE, REMOVED, APPROVED),
        (moderation.APPROVE, APPROVED, None),
        (moderation.SPAM, HELD, SPAM),
        (moderation.SPAM, APPROVED, SPAM),
        (moderation.SPAM, SPAM, None),
        (moderation.REMOVE, APPROVED, REMOVED),
        (moderation.REMOVE, REMOVED, None),
        (moderation.RESTORE, REMOVED, APPROVED),
        (moderation.RESTORE, SPAM, APPROVED),
        (moderation.RESTORE, HELD, None),
        (moderation.RESTORE, APPROVED, None),
    ],
)
def test_transition_table(transition, before, after):
    assert transition.result(before) == after


def test_notify_goes_to_author_else_managers():
    managers = [("Editors", "editors@example.com"), ("Ed", "ed@example.com")]
    assert moderation.held_notify_recipients("col@example.com", managers) == ["col@example.com"]
    assert moderation.held_notify_recipients("", managers) == [
        "editors@example.com",
        "ed@example.com",
    ]
    assert moderation.held_notify_recipients(None, []) == []


# --- comment actions ---------------------------------------------------------


def test_approve_changes_only_comments_not_yet_approved(make_article, make_comment):
    article = make_article()
    held = [make_comment(article, status=HELD) for _ in range(3)]
    already = make_comment(article, status=APPROVED)

    changed = moderation.comment_approve(comments=Comment.objects.filter(article=article))

    assert changed == 3
    assert [c.status for c in Comment.objects.filter(pk__in=[c.pk for c in held])] == [APPROVED] * 3
    already.refresh_from_db()
    assert already.status == APPROVED


def test_approved_comment_appears_on_the_article_page(client, make_article, make_comment):
    article = make_article()
    comment = make_comment(article, status=HELD, body="Waiting for a moderator.")
    assert "Waiting for a moderator." not in client.get(article.get_absolute_url()).text

    assert moderation.comment_approve(comments=[comment]) == 1

    assert "Waiting for a moderator." in client.get(article.get_absolute_url()).text


def test_spam_remove_restore_round_trip(make_article, make_comment):
    article = make_article()
    comment = make_comment(article, status=APPROVED)

    assert moderation.comment_spam(comments=[comment]) == 1
    comment.refresh_from_db()
    assert comment.status == SPAM

    assert moderation.comment_remove(comments=[comment]) == 1
    comment.refresh_from_db()
    assert comment.status == REMOVED  # soft: the row stays

    assert moderation.comment_remove(comments=[comment]) == 0
    assert moderation.comment_restore(comments=[comment]) == 1
    comment.refresh_from_db()
    assert comment.status == APPROVED


def test_restore_leaves_held_comments_held(make_article, make_comment):
    article = make_article()
    held = make_comment(article, status=HELD)
    removed = make_comment(article, status=REMOVED)

    assert moderation.comment_restore(comments=Comment.objects.all()) == 1

    held.refresh_from_db()
    removed.refresh_from_db()
    assert (held.status, removed.status) == (HELD, APPROVED)


def test_action_touches_affected_articles_only(make_article, make_comment):
    long_ago = timezone.now() - timedelta(days=30)
    touched, untouched = make_article(), make_article()
    Article.objects.update(updated_at=long_ago)
    comment = make_comment(touched, status=HELD)
    make_comment(untouched, status=HELD)

    moderation.comment_approve(comments=[comment])

    touched.refresh_from_db()
    untouched.refresh_from_db()
    assert touched.updated_at > long_ago
    assert untouched.updated_at == long_ago


def test_action_with_nothing_to_change_touches_nothing(make_article, make_comment):
    long_ago = timezone.now() - timedelta(days=30)
    article = make_article()
    comment = make_comment(article, status=APPROVED)
    Article.objects.update(updated_at=long_ago)

    assert moderation.comment_approve(comments=[comment]) == 0

    article.refresh_from_db()
    assert article.updated_at == long_ago


def test_bulk_action_runs_a_fixed_number_of_queries(
    make_article, make_comment, django_assert_num_queries
):
    articles = [make_article() for _ in range(3)]
    for article in articles:
        for _ in range(10):
            make_comment(article, status=HELD)
    # One UPDATE for the articles, one for the comments (+ savepoint pair),
    # one SELECT of the comments that become approved (reply notices), one
    # UPDATE moving the site version (advice.site_version: the page cache).
    with django_assert_num_queries(6):
        assert moderation.comment_approve(comments=Comment.objects.held()) == 30


# --- held-comment e-mail ---------------------------------------------------------


def test_held_comment_mails_the_author_with_an_admin_link(
    make_article, make_comment, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://advice.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    author = django_user_model.objects.create_user("col", email="col@example.com")
    article = make_article(title="Waiting to\nHear Back", author=author)
    comment = make_comment(article, status=HELD, body="Is two weeks too long?")

    with django_capture_on_commit_callbacks(execute=True):  # queued after commit
        assert moderation.comment_held_notify(comment=comment) is True

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["col@example.com"]
    assert "Waiting to Hear Back" in message.subject
    assert "Is two weeks too long?" in message.body
    assert f"https://advice.example.org/admin/advice/comment/{comment.pk}/change/" in message.body


def test_held_comment_mails_managers_when_author_has_no_address(
    make_article, make_comment, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MANAGERS = [("Editors", "editors@example.com")]
    author = django_user_model.objects.create_user("noaddress", email="")
    for article in (make_article(author=author), make_article(author=None)):
        comment = make_comment(article, status=HELD)
        with django_capture_on_commit_callbacks(execute=True):  # queued after commit
            assert moderation.comment_held_notify(comment=comment) is True
    assert [m.to for m in mail.outbox] == [["editors@example.com"], ["editors@example.com"]]


def test_held_comment_with_nobody_to_tell_sends_nothing(make_article, make_comment, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MANAGERS = []
    comment = make_comment(make_article(author=None), status=HELD)
    assert moderation.comment_held_notify(comment=comment) is False
    assert mail.outbox == []


def test_failing_mail_backend_does_not_raise(
    make_article, make_comment, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    settings.MANAGERS = [("Editors", "editors@example.com")]
    comment = make_comment(make_article(), status=HELD)

    # Queued; the (immediate) worker's attempts fail and are logged.
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.comment_held_notify(comment=comment) is True
    assert "held-comment e-mail" in caplog.text


def test_unreachable_smtp_server_does_not_raise(
    make_article, make_comment, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.MANAGERS = [("Editors", "editors@example.com")]
    comment = make_comment(make_article(), status=HELD)

    with django_capture_on_commit_callbacks(execute=True):  # queued, then refused
        assert moderation.comment_held_notify(comment=comment) is True


# --- IP retention ----------------------------------------------------------------


def test_ip_clear_forgets_old_addresses_and_keeps_recent_ones(make_article, make_comment):
    now = timezone.now()
    article = make_article()
    old = make_comment(
        article, created_at=now - timedelta(days=91), ip_address="203.0.113.9", user_agent="UA/1"
    )
    recent = make_comment(
        article, created_at=now - timedelta(days=89), ip_address="2001:db8::1", user_agent="UA/2"
    )

    assert moderation.comments_ip_clear(older_than_days=90, now=now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("2001:db8::1", "UA/2")
    assert moderation.comments_ip_clear(older_than_days=90, now=now) == 0


def test_clear_comment_ips_command_uses_the_retention_setting(make_article, make_comment, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    now = timezone.now()
    article = make_article()
    old = make_comment(article, created_at=now - timedelta(days=31), ip_address="198.51.100.7")
    recent = make_comment(article, created_at=now - timedelta(days=29), ip_address="198.51.100.8")
    out = StringIO()

    call_command("clear_comment_ips", stdout=out)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_address is None
    assert recent.ip_address == "198.51.100.8"
    assert "1 comment" in out.getvalue()


def test_ip_clear_refuses_negative_days(db):
    with pytest.raises(ValueError):
        moderation.comments_ip_clear(older_than_days=-1, now=timezone.now())
