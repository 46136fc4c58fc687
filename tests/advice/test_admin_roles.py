"""Moderators moderate, nothing more.

A member of the "Moderators" group (``change_comment`` + ``can_moderate``,
no ``change_article``) may edit a comment's author name, e-mail, website and
text, and change its status through the actions. What says who wrote a
comment and where it stands (the columnist flag, the account, the article,
the parent, the time) is read-only for them: a POST that sets it anyway
changes nothing. Editors (``change_article``) and superusers may change it;
nobody changes ``status`` through the change form (only through the actions).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from advice.models import Comment, ReaderQuestion

HELD, APPROVED, SPAM = Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.SPAM
OLD_TIME = timezone.now() - timedelta(days=3)
NEW_TIME = timezone.now() - timedelta(days=30)


def login(client, user):
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(username="mod", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def editor(django_user_model):
    """Staff, not superuser, with the article and comment permissions."""
    user = django_user_model.objects.create_user(username="ed", password="x", is_staff=True)
    codenames = [
        "view_article", "change_article", "add_article",
        "view_comment", "change_comment", "can_moderate",
    ]  # fmt: skip
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="advice", codename__in=codenames)
    )
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


@pytest.fixture
def world(make_article, make_comment, django_user_model):
    """A held reader comment that replies to another, plus everything a
    forged POST might point it at."""
    article = make_article(title="Thank-you notes")
    other_article = make_article(title="Cover letters")
    parent = make_comment(article, body="First comment")
    comment = make_comment(article, parent=parent, body="Reply text", created_at=OLD_TIME)
    sibling = make_comment(article, body="Another comment")
    columnist = django_user_model.objects.create_user(username="columnist", password="x")
    return {
        "article": article, "other_article": other_article, "parent": parent,
        "comment": comment, "sibling": sibling, "columnist": columnist,
    }  # fmt: skip


def change_url(comment) -> str:
    return reverse("admin:advice_comment_change", args=[comment.pk])


def form_data(comment: Comment, **overrides) -> dict:
    """The change form as the browser would post it for ``comment``, with
    ``overrides`` (field name → posted value; ``by_columnist=True`` ticks the box)."""
    local = timezone.localtime(comment.created_at)
    data = {
        "article": comment.article_id,
        "parent": comment.parent_id or "",
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
        "status": comment.status,
        "created_at_0": local.date().isoformat(),
        "created_at_1": local.time().strftime("%H:%M:%S"),
        "user": comment.user_id or "",
    }
    if comment.by_columnist:
        data["by_columnist"] = "on"
    by_columnist = overrides.pop("by_columnist", None)
    if by_columnist is True:
        data["by_columnist"] = "on"
    elif by_columnist is False:
        data.pop("by_columnist", None)
    if "created_at" in overrides:
        when = timezone.localtime(overrides.pop("created_at"))
        data["created_at_0"] = when.date().isoformat()
        data["created_at_1"] = when.time().strftime("%H:%M:%S")
    data.update(overrides)
    return data


# field → (what to post, given the world; how to read it back from the comment)
PLACEMENT_CHANGES = {
    "by_columnist": (lambda w: {"by_columnist": True}, lambda c: c.by_columnist),
    "user": (lambda w: {"user": w["columnist"].pk}, lambda c: c.user_id),
    "article": (
        lambda w: {"article": w["other_article"].pk, "parent": ""},
        lambda c: c.article_id,
    ),
    "parent": (lambda w: {"parent": w["sibling"].pk}, lambda c: c.parent_id),
    "created_at": (
        lambda w: {"created_at": NEW_TIME},
        lambda c: c.created_at.replace(microsecond=0),
    ),
}


def post_change(client, world, **overrides):
    comment = world["comment"]
    return client.post(change_url(comment), form_data(comment, **overrides))


@pytest.mark.parametrize("field", PLACEMENT_CHANGES)
def test_moderator_cannot_change_identity_or_placement(client, moderator, world, field):
    login(client, moderator)
    comment = world["comment"]
    forged, read = PLACEMENT_CHANGES[field]
    before = read(Comment.objects.get(pk=comment.pk))

    response = post_change(client, world, body="Edited by the moderator", **forged(world))

    assert response.status_code == 302  # the form was accepted...
    after = Comment.objects.get(pk=comment.pk)
    assert after.body == "Edited by the moderator"  # ...and saved what moderators may edit
    assert read(after) == before  # but not this field


@pytest.mark.parametrize("field", PLACEMENT_CHANGES)
@pytest.mark.parametrize("role", ["editor", "superuser"])
def test_editor_and_superuser_can_change_identity_and_placement(
    client, request, world, field, role
):
    login(client, request.getfixturevalue(role))
    comment = world["comment"]
    forged, read = PLACEMENT_CHANGES[field]
    before = read(Comment.objects.get(pk=comment.pk))

    response = post_change(client, world, **forged(world))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert read(Comment.objects.get(pk=comment.pk)) != before


@pytest.mark.parametrize("field", ["author_name", "author_email", "author_url", "body"])
def test_moderator_can_edit_the_comments_text_and_author_details(client, moderator, world, field):
    login(client, moderator)
    value = {
        "author_name": "Renamed",
        "author_email": "new@example.com",
        "author_url": "https://example.com/",
        "body": "Link removed.",
    }[field]
    response = post_change(client, world, **{field: value})
    assert response.status_code == 302
    assert getattr(Comment.objects.get(pk=world["comment"].pk), field) == value


@pytest.mark.parametrize("role", ["moderator", "editor", "superuser"])
def test_status_changes_only_through_the_actions(client, request, world, role):
    login(client, request.getfixturevalue(role))
    comment = world["comment"]
    Comment.objects.filter(pk=comment.pk).update(status=HELD)
    comment.refresh_from_db()

    response = post_change(client, world, status=APPROVED)

    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == HELD


def test_moderators_columnist_flag_never_reaches_the_public_page(client, moderator, world):
    login(client, moderator)
    post_change(client, world, by_columnist=True, user=world["columnist"].pk)
    client.logout()
    page = client.get(world["article"].get_absolute_url()).content.decode()
    assert "Reply text" in page
    assert "Columnist</span>" not in page
    assert "by-columnist" not in page


def test_moderator_change_form_shows_placement_read_only(client, moderator, world):
    login(client, moderator)
    page = client.get(change_url(world["comment"])).content.decode()
    assert 'name="body"' in page
    for field in ["by_columnist", "user", "article", "parent", "status"]:
        assert f'name="{field}"' not in page, field


def test_editor_cannot_attach_a_reply_to_another_articles_comment(
    client, editor, world, make_article, make_comment
):
    login(client, editor)
    elsewhere = make_comment(make_article(), body="Elsewhere")
    response = post_change(client, world, parent=elsewhere.pk)
    assert response.status_code == 200
    assert "same article" in response.content.decode()
    assert Comment.objects.get(pk=world["comment"].pk).parent_id == world["parent"].pk


def test_editor_cannot_make_a_comment_its_own_parent(client, editor, world):
    login(client, editor)
    response = post_change(client, world, parent=world["comment"].pk)
    assert response.status_code == 200
    assert Comment.objects.get(pk=world["comment"].pk).parent_id == world["parent"].pk


def test_moving_a_comment_touches_both_articles(client, editor, world):
    login(client, editor)
    article, other = world["article"], world["other_article"]
    before = {a.pk: a.updated_at for a in (article, other)}
    post_change(client, world, article=other.pk, parent="")
    article.refresh_from_db()
    other.refresh_from_db()
    assert article.updated_at > before[article.pk]
    assert other.updated_at > before[other.pk]


# --- The rest of the admin for moderators -------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:advice_readerquestion_changelist"),
        reverse("admin:advice_topic_add"),
        reverse("admin:notes_notetemplate_changelist"),
        reverse("admin:notes_notetemplate_add"),
        reverse("admin:auth_user_changelist"),
    ],
)
def test_moderator_has_no_editor_pages(client, moderator, db, url):
    login(client, moderator)
    assert client.get(url).status_code == 403


def test_moderator_cannot_add_comments(client, moderator, world):
    login(client, moderator)
    assert client.get(reverse("admin:advice_comment_add")).status_code == 403


def test_reader_question_identity_and_consent_are_read_only(client, superuser, db):
    login(client, superuser)
    question = ReaderQuestion.objects.create(
        name="Bianca", email="b@example.com", question="May I?", consent_to_publish=False
    )
    url = reverse("admin:advice_readerquestion_change", args=[question.pk])
    response = client.post(
        url,
        {
            "name": "Someone else",
            "email": "evil@example.com",
            "question": "May I?",
            "consent_to_publish": "on",
            "status": question.status,
            "article": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert (question.name, question.email, question.consent_to_publish) == (
        "Bianca",
        "b@example.com",
        False,
    )
