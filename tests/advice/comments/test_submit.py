"""Storing a comment (:func:`advice.comments.submit.comment_submit`) through
the comment form, as a reader would: held or approved, flood, duplicates,
replies, closed articles."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from advice.comments.rules import MSG_CLOSED
from advice.comments.submit import ClientInfo, CommentData, comment_submit
from advice.models import Article, Comment
from tests.advice.comments.posting import assert_refused, comment_from, page_of, post


def test_first_comment_is_held_and_only_its_writer_sees_it(client, make_article):
    article = make_article()
    response = post(client, article, body="My very first words here.")
    comment = comment_from(response)
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert comment.browser_key
    assert len(comment.browser_key) == 64

    mine = page_of(client.get(article.get_absolute_url()))
    assert "My very first words here." in mine
    assert "Your comment is awaiting moderation." in mine
    assert f'id="comment-{comment.pk}"' in mine

    stranger = page_of(Client().get(article.get_absolute_url()))
    assert "My very first words here." not in stranger
    assert "awaiting moderation" not in stranger


def test_browser_cookie_cannot_be_guessed_from_another_browser(client, make_article):
    article = make_article()
    comment = comment_from(post(client, article, body="Only mine."))
    other = Client()
    other.cookies["comment_browser"] = comment.browser_key  # the stored hash is not the key
    assert "Only mine." not in page_of(other.get(article.get_absolute_url()))


def test_returning_commenter_is_approved_and_seen_by_everyone(client, make_article, returning):
    returning("ana@example.com")
    article = make_article()
    comment = comment_from(post(client, article, email="ANA@example.com", body="Back again."))
    assert comment.status == Comment.Status.APPROVED
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Back again." in page
    assert "awaiting moderation" not in page


def test_first_time_rule_can_be_turned_off(client, make_article, settings):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    comment = comment_from(post(client, make_article()))
    assert comment.status == Comment.Status.APPROVED


def test_two_links_are_held_one_is_not(client, make_article, returning, settings):
    settings.COMMENTS_TIMING_RULES = False
    returning()
    article = make_article()
    one = comment_from(post(client, article, body="See https://example.org/a"))
    two = comment_from(post(client, article, body="See https://a.example and www.b.example"))
    assert one.status == Comment.Status.APPROVED
    assert two.status == Comment.Status.PENDING


def test_hold_word_holds_the_comment(client, make_article, returning, settings):
    returning()
    settings.COMMENTS_HOLD_WORDS = ["payday"]
    comment = comment_from(post(client, make_article(), body="Try a PayDay loan."))
    assert comment.status == Comment.Status.PENDING


def test_spam_word_is_stored_as_spam_but_told_as_awaiting(
    client, make_article, returning, settings
):
    returning()
    settings.COMMENTS_SPAM_WORDS = ["casino"]
    article = make_article()
    comment = comment_from(post(client, article, body="Best casino online"))
    assert comment.status == Comment.Status.SPAM
    mine = page_of(client.get(article.get_absolute_url()))
    assert "Best casino online" in mine
    assert "Your comment is awaiting moderation." in mine
    assert "spam" not in mine.lower()
    assert "Best casino online" not in page_of(Client().get(article.get_absolute_url()))


def test_held_comment_emails_the_articles_author(
    client, make_article, django_user_model, django_capture_on_commit_callbacks
):
    author = django_user_model.objects.create_user("columnist", email="col@example.com")
    article = make_article(author=author, title="Waiting to Hear Back")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_from(post(client, article))
    assert comment.status == Comment.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["col@example.com"]
    assert "Waiting to Hear Back" in mail.outbox[0].subject


def test_staff_comment_is_approved_at_once_as_the_columnist(staff_client, make_article):
    user = staff_client.user
    user.first_name, user.last_name, user.email = "Alison", "Green", "alison@example.com"
    user.save()
    article = make_article()
    page = page_of(staff_client.get(article.get_absolute_url()))
    assert "Commenting as" in page
    assert "Alison Green" in page
    comment = comment_from(post(staff_client, article, name="", email="", body="Columnist here."))
    assert comment.status == Comment.Status.APPROVED
    assert comment.by_columnist
    assert comment.user == user
    assert (comment.author_name, comment.author_email) == ("Alison Green", "alison@example.com")
    public = page_of(Client().get(article.get_absolute_url()))
    assert "Columnist here." in public
    assert "Columnist</span>" in public


def test_client_address_and_user_agent_are_kept_for_moderators(client, make_article, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    comment = comment_from(
        post(
            client,
            make_article(),
            remote_addr="10.0.0.2",
            headers={"x-forwarded-for": "6.6.6.6, 203.0.113.9", "user-agent": "Lynx/2.9"},
        )
    )
    assert comment.ip_address == "203.0.113.9"
    assert comment.user_agent == "Lynx/2.9"


def test_flood_from_the_same_address_is_refused_429(client, make_article):
    article = make_article()
    assert (
        post(client, article, remote_addr="203.0.113.5", email="a@example.com").status_code == 303
    )
    response = post(
        client, article, remote_addr="203.0.113.5", email="b@example.com", body="Second thought"
    )
    assert_refused(response, 429, text="Second thought", says="wait 15 seconds")
    assert Comment.objects.count() == 1


def test_flood_from_the_same_email_is_refused_from_any_address(client, make_article):
    post(client, make_article(), email="same@example.com")
    response = post(client, make_article(), email="Same@Example.com", body="On another article")
    assert_refused(response, 429, text="On another article", says="too quickly")


def test_flood_interval_passed_is_accepted(client, make_article):
    article = make_article()
    first = comment_from(post(client, article, remote_addr="203.0.113.5"))
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=16))
    assert post(client, article, remote_addr="203.0.113.5", body="Later").status_code == 303


def test_flood_behind_trusted_proxy_tells_clients_apart(client, make_article, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    article = make_article()

    def via_proxy(client_ip, email, body):
        headers = {"x-forwarded-for": f"1.2.3.4, {client_ip}"}
        return post(
            client, article, remote_addr="10.0.0.2", headers=headers, email=email, body=body
        )

    assert via_proxy("203.0.113.1", "a@example.com", "first").status_code == 303
    assert via_proxy("203.0.113.2", "b@example.com", "other reader").status_code == 303
    assert via_proxy("203.0.113.1", "c@example.com", "same reader").status_code == 429


def test_staff_are_not_flood_limited(staff_client, make_article):
    article = make_article()
    assert post(staff_client, article, remote_addr="203.0.113.5", body="one").status_code == 303
    assert post(staff_client, article, remote_addr="203.0.113.5", body="two").status_code == 303


def test_duplicate_comment_is_refused_409_and_stored_once(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    assert post(client, article, body="Same words").status_code == 303
    response = post(client, article, body="Same words")
    assert_refused(response, 409, text="Same words", says="already said that")
    assert Comment.objects.count() == 1


def test_duplicate_by_name_with_another_email_is_refused(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    post(client, article, name="Ana", email="one@example.com", body="Same words")
    response = post(client, article, name="Ana", email="two@example.com", body="Same words")
    assert response.status_code == 409


def test_same_words_on_another_article_or_by_another_author_are_fine(
    client, make_article, settings
):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    post(client, article, body="Great answer!")
    assert post(client, make_article(), body="Great answer!").status_code == 303
    other = post(client, article, name="Ben", email="ben@example.com", body="Great answer!")
    assert other.status_code == 303


def test_reply_is_stored_under_its_parent(client, make_article, make_comment, returning):
    returning()
    article = make_article()
    parent = make_comment(article, author_name="Bianca")
    reply = comment_from(post(client, article, parent=parent.pk, body="Agreed."))
    assert reply.parent == parent
    page = page_of(client.get(article.get_absolute_url()))
    assert f'id="comment-{reply.pk}" class="comment depth-2' in page


def test_reply_naming_a_comment_of_another_article_is_refused(client, make_article, make_comment):
    elsewhere = make_comment(make_article())
    article = make_article()
    response = post(client, article, parent=elsewhere.pk, body="Wrong thread")
    assert_refused(response, 400, text="Wrong thread", says="can't take replies")
    assert not article.comments.exists()


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_reply_to_a_comment_that_is_not_approved_is_refused(
    client, make_article, make_comment, status
):
    article = make_article()
    hidden = make_comment(article, status=status)
    response = post(client, article, parent=hidden.pk, body="Reply to hidden")
    assert_refused(response, 400, text="Reply to hidden", says="can't take replies")
    assert article.comments.count() == 1


def test_reply_12_levels_deep_attaches_at_the_deepest_allowed_level(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_TIMING_RULES = False
    assert settings.COMMENTS_MAX_DEPTH == 5
    article = make_article()
    top = make_comment(article)
    latest = top
    for level in range(2, 14):  # 12 replies, each answering the one before
        latest = comment_from(post(client, article, parent=latest.pk, body=f"Level {level}"))

    def depth(comment):
        n = 1
        while comment.parent_id:
            comment = comment.parent
            n += 1
        return n

    replies = list(article.comments.exclude(pk=top.pk).order_by("id"))
    assert [depth(c) for c in replies] == [2, 3, 4, 5] + [5] * 8
    assert depth(replies[-1].parent) == 4
    page = page_of(client.get(article.get_absolute_url()))
    assert "depth-6" not in page
    assert page.count("comment depth-5") == 9


@pytest.mark.parametrize(
    "fields",
    [
        {"comment_status": Article.CommentStatus.CLOSED},
        {"comments_close_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["closed", "close-time-passed"],
)
def test_post_to_closed_article_is_refused_403_and_nothing_stored(client, make_article, fields):
    article = make_article(**fields)
    response = post(client, article, body="Too late")
    assert response.status_code == 403
    page = page_of(response)
    assert MSG_CLOSED in page
    assert "Comments are closed." in page
    assert "Too late" in page  # kept, read-only, for the reader to copy
    assert "commentform" not in page
    assert not Comment.objects.exists()


def test_close_after_days_closes_old_articles(client, make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_article(published_at=timezone.now() - timedelta(days=15))
    recent = make_article(published_at=timezone.now() - timedelta(days=13))
    assert post(client, old).status_code == 403
    assert "Comments are closed." in page_of(client.get(old.get_absolute_url()))
    assert post(client, recent).status_code == 303


def test_form_loaded_while_open_and_sent_after_closing_is_refused(client, make_article):
    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    Article.objects.filter(pk=article.pk).update(comment_status=Article.CommentStatus.CLOSED)
    response = post(client, article, token=token, body="Stale form")
    assert response.status_code == 403
    assert "Stale form" in page_of(response)
    assert not Comment.objects.exists()


def test_comment_submit_itself_refuses_a_closed_article(make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(comment_status=Article.CommentStatus.CLOSED)

    result = comment_submit(
        article=article,
        data=CommentData(name="Ana", email="ana@example.com", url="", body="direct"),
        user=None,
        client=ClientInfo(ip="203.0.113.1"),
        now=timezone.now(),
    )
    assert (result.status_code, result.stored) == (403, False)
    assert not Comment.objects.exists()


def test_a_post_that_waited_for_the_lock_is_placed_after_comments_stored_meanwhile(
    client, make_article, make_comment, settings
):
    """A post whose request began before another comment was stored (it
    waited for the article's lock meanwhile) is stored after it in display
    order too: the page the first writer's 303 named still shows their
    comment. make bench, steady writers: 1 of 206 comments was pushed to
    the next comment page that way, so not on the page its 303 named."""
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    make_comment(article, created_at=timezone.now() - timedelta(minutes=5))
    waited_since = timezone.now()  # the second post's request time

    first = post(client, article, body="Stored first.")
    stored_first = comment_from(first)
    # Second of two on comment page 1: the address names no comment page.
    assert first["Location"] == f"{article.get_absolute_url()}#comment-{stored_first.pk}"
    second = comment_submit(
        article=article,
        data=CommentData(name="Bo", email="bo@example.com", url="", body="Waited for the lock."),
        user=None,
        client=ClientInfo(ip="203.0.113.2"),
        now=waited_since,
    )

    assert second.stored
    page = page_of(Client().get(first["Location"].split("#", 1)[0]))
    assert "Stored first." in page
    assert "Waited for the lock." not in page
    assert second.comment.created_at > stored_first.created_at
