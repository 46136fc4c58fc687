"""Moderators answer from the queue: "Approve and reply" on a held comment,
and the queue shows what each reply answers (issue 16, item 4)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from advice.models import Article, Comment
from tests.advice.comments.posting import page_of

HELD = Comment.Status.PENDING


@pytest.fixture
def columnist(django_user_model):
    """A moderator (the "Moderators" group) who is staff, so speaks as the column."""
    user = django_user_model.objects.create_user(
        "columnist", password="pw", is_staff=True, email="col@example.com", first_name="Carla"
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def reply_url(comment):
    return reverse("admin:advice_comment_approve_and_reply", args=[comment.pk])


def test_the_held_comment_page_offers_approve_and_reply(columnist, make_article, make_comment):
    comment = make_comment(make_article(), status=HELD)
    page = page_of(columnist.get(reverse("admin:advice_comment_change", args=[comment.pk])))
    assert "Approve and reply" in page
    assert reply_url(comment) in page


def test_approve_and_reply_approves_and_posts_the_columnists_reply(
    columnist, make_article, make_comment, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = make_comment(article, status=HELD, body="Is two weeks too long to wait?")
    form = columnist.get(reply_url(comment))
    assert form.status_code == 200
    assert "Is two weeks too long to wait?" in page_of(form)

    with django_capture_on_commit_callbacks(execute=True):
        response = columnist.post(reply_url(comment), {"body": "Two weeks is fine."})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    answer = Comment.objects.get(parent=comment)
    assert answer.body == "Two weeks is fine."
    assert answer.by_columnist
    assert answer.status == Comment.Status.APPROVED
    assert answer.author_name == "Carla"
    assert answer.user == columnist.user
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Two weeks is fine." in page
    assert "Is two weeks too long to wait?" in page
    messages = set(LogEntry.objects.values_list("change_message", flat=True))
    assert {"Approved (approve and reply)", "Reply posted (approve and reply)"} <= messages


def test_a_refused_reply_keeps_the_text_and_leaves_the_comment_held(
    columnist, make_article, make_comment
):
    article = make_article(comment_status=Article.CommentStatus.CLOSED)
    comment = make_comment(article, status=HELD)

    response = columnist.post(reply_url(comment), {"body": "Closed, sorry."})

    assert response.status_code == 400
    page = page_of(response)
    assert "Closed, sorry." in page
    assert "Comments are closed" in page
    comment.refresh_from_db()
    assert comment.status == HELD
    assert not Comment.objects.filter(parent=comment).exists()
    assert mail.outbox == []


def test_an_empty_reply_is_refused_and_changes_nothing(columnist, make_article, make_comment):
    comment = make_comment(make_article(), status=HELD)
    assert columnist.post(reply_url(comment), {"body": " "}).status_code == 200
    comment.refresh_from_db()
    assert comment.status == HELD


def test_only_moderators_may(make_article, make_comment, django_user_model):
    comment = make_comment(make_article(), status=HELD)
    editor = django_user_model.objects.create_user("plain", password="pw", is_staff=True)
    client = Client()
    client.force_login(editor)
    assert client.post(reply_url(comment), {"body": "Hi"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == HELD


def test_the_queue_shows_what_each_reply_answers(staff_client, make_article, make_comment):
    article = make_article()
    parent = make_comment(article, author_name="Bianca", body="How long should I wait?")
    make_comment(article, parent=parent, status=HELD, body="Same question here.")

    page = page_of(staff_client.get(reverse("admin:advice_comment_changelist")))

    assert "In reply to" in page
    assert "Bianca</a>: How long should I wait?" in page
