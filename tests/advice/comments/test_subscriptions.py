"""Reply notifications: opt-in with double opt-in, one e-mail per approved
reply, one-click unsubscribe (RFC 8058), and the privacy rules (issue 16,
items 3 and 5)."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.comments import moderation
from advice.comments.notify import CONFIRM_SALT, subscription_request, subscriptions_prune
from advice.models import Comment, CommentSubscription
from advice.privacy.data import personal_data_erase, personal_data_export
from advice.tasks import DAILY, comment_subscriptions_prune_daily
from tests.advice.comments.posting import comment_from, page_of, post

READER = "ana@example.com"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://advice.example.org"
    settings.COMMENTS_FLOOD_SECONDS = 0
    settings.COMMENTS_HOLD_FIRST_TIME = False


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``fn`` and then what it left for after the commit (queued mail,
    reply notices), as a real request's commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def link(message, name):
    """The path of the first ``advice:<name>`` link in ``message``'s text."""
    prefix = reverse(f"advice:{name}", args=["TOKEN"]).split("TOKEN")[0]
    found = re.search(rf"https://advice\.example\.org({re.escape(prefix)}[^\s/]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def subscribed(client, make_article, committed):
    """``READER``'s approved comment with a confirmed reply subscription, the
    confirmation e-mail cleared: ``(article, comment)``."""
    article = make_article(title="Following up")
    comment = comment_from(committed(post, client, article, email=READER, notify_replies="on"))
    committed(Client().post, link(mail.outbox[0], "subscription_confirm"))
    assert CommentSubscription.objects.confirmed().count() == 1
    mail.outbox.clear()
    return article, comment


def reply(committed, article, parent, **fields):
    fields.setdefault("name", "Ben")
    fields.setdefault("email", "ben@example.com")
    fields.setdefault("body", f"A reply to comment {parent.pk}.")
    return comment_from(committed(post, Client(), article, parent=str(parent.pk), **fields))


# --- asking and confirming (double opt-in) ---------------------------------------


def test_ticking_the_box_sends_one_confirmation_and_nothing_else_until_confirmed(
    client, make_article, committed
):
    article = make_article(title="Following up")
    comment = comment_from(committed(post, client, article, email=READER, notify_replies="on"))

    assert [m.to for m in mail.outbox] == [[READER]]
    assert "confirm" in mail.outbox[0].subject.lower()
    subscription = CommentSubscription.objects.get()
    assert subscription.comment == comment
    assert subscription.confirmed_at is None

    mail.outbox.clear()
    reply(committed, article, comment)
    assert mail.outbox == [], "no notice before the address is confirmed"


def test_a_get_on_the_confirmation_link_changes_nothing_and_the_post_confirms(
    client, make_article, committed
):
    article = make_article(title="Following up")
    committed(post, client, article, email=READER, notify_replies="on")
    url = link(mail.outbox[0], "subscription_confirm")
    anyone = Client(enforce_csrf_checks=True)

    page = anyone.get(url)
    assert page.status_code == 200
    assert "Following up" in page_of(page)
    assert CommentSubscription.objects.confirmed().count() == 0

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    done = anyone.post(url, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200
    assert CommentSubscription.objects.confirmed().count() == 1
    assert anyone.post(url, {"csrfmiddlewaretoken": token}).status_code == 200  # twice is fine


def test_a_confirmation_link_opened_again_says_the_address_is_confirmed(
    client, make_article, committed
):
    committed(post, Client(), make_article(), email=READER, notify_replies="on")
    url = link(mail.outbox[0], "subscription_confirm")
    committed(Client().post, url)
    page = page_of(Client().get(url))
    assert "confirmed already" in page
    assert "Yes, e-mail me" not in page


def test_an_expired_or_forged_confirmation_link_is_refused(
    client, make_article, committed, settings
):
    committed(post, client, make_article(), email=READER, notify_replies="on")
    key = CommentSubscription.objects.get().key
    days_ago = int(time.time()) - (settings.COMMENTS_NOTIFY_CONFIRM_DAYS * 86400 + 60)
    expired = signing.Signer(salt=CONFIRM_SALT).sign(f"{key}:{signing.b62_encode(days_ago)}")
    for token in (expired, f"{key}:forged"):
        url = reverse("advice:subscription_confirm", args=[token])
        assert Client().post(url).status_code == 400
    assert CommentSubscription.objects.confirmed().count() == 0


def test_at_most_one_confirmation_a_day_per_address_and_one_link_confirms_all(
    make_article, committed
):
    first, second = make_article(title="First"), make_article(title="Second")
    committed(post, Client(), first, email=READER, notify_replies="on")
    committed(post, Client(), second, email="Ana@Example.com", notify_replies="on", body="Again.")

    assert len(mail.outbox) == 1, "the form cannot flood an inbox"
    page = page_of(Client().get(link(mail.outbox[0], "subscription_confirm")))
    assert "First" in page
    assert "Second" in page
    committed(Client().post, link(mail.outbox[0], "subscription_confirm"))
    assert CommentSubscription.objects.confirmed().count() == 2


def test_other_spellings_of_one_address_get_no_second_confirmation(make_article, committed):
    # A new reader found five confirmations in 80 s to one mailbox by
    # spelling its domain five ways; the mailer delivers all to one address.
    articles = [make_article(title=f"Article {n}") for n in range(3)]
    spellings = ["dave@exämple.test", "dave@xn--exmple-cua.test", "dave@\uff45xämple.test"]
    for article, email in zip(articles, spellings, strict=True):
        response = committed(post, Client(), article, email=email, notify_replies="on")
        assert response.status_code == 303, email
    assert len(mail.outbox) == 1, "the form cannot flood an inbox"
    stored = set(CommentSubscription.objects.values_list("email", flat=True))
    assert stored == {"dave@xn--exmple-cua.test"}


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060"])
def test_an_address_with_invisible_characters_is_refused_with_the_text_kept(
    make_article, committed, invisible
):
    email = f"dave@ex{invisible}ample.test"
    response = committed(post, Client(), make_article(), email=email, body="Kept text.")
    assert response.status_code == 400
    page = page_of(response)
    assert "characters that cannot be seen" in page
    assert "Kept text." in page
    assert mail.outbox == []


def test_a_confirmed_address_needs_no_second_confirmation(subscribed, make_article, committed):
    committed(post, Client(), make_article(), email=READER, notify_article="on", body="More.")
    assert mail.outbox == []
    assert CommentSubscription.objects.confirmed().count() == 2


def test_asking_reads_the_address_once_then_stores_the_subscription(
    make_article, make_comment, django_assert_num_queries
):
    """Under the comment's write lock: one read for "confirmed?" and "mailed
    lately?", one INSERT (the confirmation leaves after the commit)."""
    comment = make_comment(make_article(), author_email=READER)
    with django_assert_num_queries(2):
        subscription = subscription_request(
            comment=comment, scope=CommentSubscription.Scope.REPLIES, now=timezone.now()
        )
    assert subscription.confirmation_sent_at is not None


def test_a_comment_stored_as_spam_gets_no_subscription_and_sends_nothing(
    make_article, committed, settings
):
    settings.COMMENTS_SPAM_WORDS = ["casino"]
    comment = comment_from(
        committed(post, Client(), make_article(), body="casino", notify_replies="on")
    )
    assert comment.status == Comment.Status.SPAM
    assert not CommentSubscription.objects.exists()
    assert mail.outbox == []


# --- notices ------------------------------------------------------------------------


def test_an_approved_reply_sends_one_notice_with_one_click_unsubscribe(subscribed, committed):
    article, comment = subscribed
    answer = reply(committed, article, comment, body="Wait a week, then write.")

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [READER]
    assert "Ben replied to your comment" in notice.subject
    assert "Wait a week, then write." in notice.body
    assert f"https://advice.example.org{answer.get_absolute_url()}" in notice.body
    unsubscribe = link(notice, "subscription_unsubscribe")
    assert notice.extra_headers["List-Unsubscribe"] == f"<https://advice.example.org{unsubscribe}>"
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice.extra_headers["Message-ID"].startswith("<")


def test_held_and_spam_replies_send_nothing_until_approved(subscribed, committed, settings):
    article, comment = subscribed
    settings.COMMENTS_HOLD_WORDS = ["maybe"]
    settings.COMMENTS_SPAM_WORDS = ["casino"]
    held = reply(committed, article, comment, body="maybe later")
    spam = reply(committed, article, comment, body="casino", email="spam@example.com")
    assert (held.status, spam.status) == (Comment.Status.PENDING, Comment.Status.SPAM)
    assert mail.outbox == []

    committed(moderation.comment_approve, comments=[held])
    assert len(mail.outbox) == 1

    # Removed and restored: announced once only.
    committed(moderation.comment_remove, comments=[held])
    committed(moderation.comment_restore, comments=[held])
    assert len(mail.outbox) == 1


def test_the_writer_of_a_reply_is_not_told_about_it(subscribed, committed):
    article, comment = subscribed
    reply(committed, article, comment, name="Ana", email="ANA@example.com", body="Update.")
    assert mail.outbox == []


def test_notices_stop_at_the_hourly_limit(subscribed, committed, settings):
    article, comment = subscribed
    settings.COMMENTS_NOTIFY_MAX_PER_HOUR = 2
    for n in range(3):
        reply(committed, article, comment, email=f"r{n}@example.com", body=f"Reply {n}.")
    assert len(mail.outbox) == 2


def test_all_new_comments_on_the_article_when_asked(make_article, committed):
    article = make_article(title="Following up")
    committed(post, Client(), article, email=READER, notify_article="on")
    committed(Client().post, link(mail.outbox[0], "subscription_confirm"))
    mail.outbox.clear()

    committed(post, Client(), article, name="Cy", email="cy@example.com", body="New thread.")

    assert len(mail.outbox) == 1
    assert "New comment by Cy" in mail.outbox[0].subject


# --- unsubscribing and ending -----------------------------------------------------


def test_one_click_unsubscribe_needs_no_login_cookie_or_csrf_token(subscribed, committed):
    article, comment = subscribed
    reply(committed, article, comment)
    url = link(mail.outbox[0], "subscription_unsubscribe")
    mail_client = Client(enforce_csrf_checks=True)

    assert mail_client.get(url).status_code == 200
    assert CommentSubscription.objects.exists(), "a GET changes nothing"
    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not CommentSubscription.objects.exists()
    mail.outbox.clear()
    reply(committed, article, comment, body="Anyone there?")
    assert mail.outbox == []
    assert mail_client.post(url).status_code == 200, "unsubscribing twice is harmless"


def test_unsubscribe_works_after_the_comment_is_removed(subscribed, committed):
    article, comment = subscribed
    reply(committed, article, comment)
    url = link(mail.outbox[0], "subscription_unsubscribe")
    committed(moderation.comment_remove, comments=[comment])

    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert not CommentSubscription.objects.exists()


def test_a_forged_unsubscribe_link_changes_nothing(subscribed):
    key = CommentSubscription.objects.get().key
    url = reverse("advice:subscription_unsubscribe", args=[f"{key}:forged"])
    assert Client().post(url).status_code == 400
    assert CommentSubscription.objects.exists()


def test_marking_the_comment_as_spam_ends_its_subscription(subscribed, committed):
    _, comment = subscribed
    committed(moderation.comment_spam, comments=[comment])
    assert not CommentSubscription.objects.exists()


def test_a_subscription_ends_after_the_retention_time_without_a_reply(
    subscribed, make_article, committed, settings
):
    _, comment = subscribed
    now = timezone.now()
    days = settings.COMMENTS_NOTIFY_RETENTION_DAYS
    kept = CommentSubscription.objects.get()
    CommentSubscription.objects.filter(pk=kept.pk).update(
        confirmed_at=now - timedelta(days=days + 30), last_reply_at=now - timedelta(days=days - 1)
    )
    quiet = CommentSubscription.objects.create(
        comment=comment_from(committed(post, Client(), make_article(), email="q@example.com")),
        article=comment.article,
        email="q@example.com",
        confirmed_at=now - timedelta(days=days + 1),
    )
    unconfirmed = CommentSubscription.objects.create(
        comment=comment_from(committed(post, Client(), make_article(), email="u@example.com")),
        article=comment.article,
        email="u@example.com",
        created_at=now - timedelta(days=settings.COMMENTS_NOTIFY_CONFIRM_DAYS + 1),
    )

    assert comment_subscriptions_prune_daily in DAILY
    assert subscriptions_prune(now=now) == 2

    assert list(CommentSubscription.objects.all()) == [kept]
    assert not CommentSubscription.objects.filter(pk__in=[quiet.pk, unconfirmed.pk]).exists()


# --- privacy and the admin ---------------------------------------------------------


def test_a_readers_export_lists_their_subscriptions_and_erasure_deletes_them(subscribed):
    article, _ = subscribed
    export = personal_data_export(email="ANA@example.com")
    assert [s["article"]["title"] for s in export["subscriptions"]] == [article.title]

    counts = personal_data_erase(email=READER)

    assert counts["subscriptions"] == 1
    assert not CommentSubscription.objects.exists()


def test_the_address_appears_in_no_page_or_feed(subscribed, committed):
    article, comment = subscribed
    reply(committed, article, comment)
    for url in (
        article.get_absolute_url(),
        reverse("advice:comment_feed", args=[article.slug]),
        reverse("advice:feed"),
    ):
        assert READER not in Client().get(url).content.decode()


def test_the_admin_lists_subscriptions_and_ends_them_in_the_trail(subscribed, staff_client):
    changelist = reverse("admin:advice_commentsubscription_changelist")
    assert READER in staff_client.get(changelist).content.decode()
    subscription = CommentSubscription.objects.get()

    response = staff_client.post(
        changelist, {"action": "end_subscriptions", "_selected_action": [subscription.pk]}
    )

    assert response.status_code == 302
    assert not CommentSubscription.objects.exists()
    entry = LogEntry.objects.get(object_id=str(subscription.pk))
    assert entry.change_message == "Subscription ended (admin action)"
    assert READER not in entry.object_repr
