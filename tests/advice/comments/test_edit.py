"""A writer edits or removes their own comment within COMMENTS_EDIT_MINUTES,
from the browser that posted it (issue 16, item 2)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.comments import views as comment_views
from advice.comments.editing import edit_window_open
from advice.models import Comment, CommentRevision
from tests.advice.comments.posting import comment_from, page_of, post

EDIT_REFUSED = "can't be changed from here"


@pytest.fixture
def posted(client, make_article, returning, settings):
    """An approved comment just posted by ``client`` (a returning commenter),
    as ``(article, comment)``."""
    settings.COMMENTS_FLOOD_SECONDS = 0
    returning("ana@example.com")
    article = make_article()
    comment = comment_from(post(client, article, body="Thnak you for this."))
    assert comment.status == Comment.Status.APPROVED
    return article, comment


def edit_url(comment):
    return reverse("advice:comment_edit", args=[comment.article.slug, comment.pk])


def backdate(comment, seconds):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_the_window_is_inclusive_of_its_last_second():
    posted_at = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    assert edit_window_open(posted_at, posted_at + timedelta(seconds=599), 10)
    assert edit_window_open(posted_at, posted_at + timedelta(seconds=600), 10)
    assert not edit_window_open(posted_at, posted_at + timedelta(seconds=601), 10)
    assert not edit_window_open(posted_at, posted_at - timedelta(seconds=1), 10)


def test_writer_sees_an_edit_link_on_their_comment_and_nobody_else_does(client, posted):
    article, comment = posted
    mine = page_of(client.get(article.get_absolute_url()))
    assert edit_url(comment) in mine
    theirs = page_of(Client().get(article.get_absolute_url()))
    assert "Thnak you for this." in theirs
    assert edit_url(comment) not in theirs


def test_edit_replaces_the_text_marks_it_edited_and_keeps_the_earlier_text(client, posted):
    article, comment = posted
    form = page_of(client.get(edit_url(comment)))
    assert "Thnak you for this." in form

    response = client.post(edit_url(comment), {"body": "Thank you for this."})

    assert response.status_code == 303
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body == "Thank you for this."
    assert comment.edited_at is not None
    assert comment.status == Comment.Status.APPROVED
    assert [r.body for r in comment.revisions.all()] == ["Thnak you for this."]
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Thank you for this." in page
    assert "Thnak" not in page
    assert 'class="comment-edited">edited<' in page


@pytest.mark.parametrize(("age", "accepted"), [(599, True), (601, False)])
def test_the_edit_window_ends_after_ten_minutes_keeping_the_text(client, posted, age, accepted):
    _, comment = posted
    backdate(comment, age)

    response = client.post(edit_url(comment), {"body": "Fixed my typo, I hope."})

    comment.refresh_from_db()
    if accepted:
        assert response.status_code == 303
        assert comment.body == "Fixed my typo, I hope."
    else:
        assert response.status_code == 403
        page = page_of(response)
        assert "Fixed my typo, I hope." in page, "the reader's text is kept in the form"
        assert EDIT_REFUSED in page
        assert "within 10 minutes" in page
        assert comment.body == "Thnak you for this."
        assert not comment.revisions.exists()


def test_the_window_follows_the_setting(client, posted, settings):
    _, comment = posted
    settings.COMMENTS_EDIT_MINUTES = 2
    backdate(comment, 121)
    assert client.get(edit_url(comment)).status_code == 403


def test_an_edit_adding_links_holds_the_comment_and_tells_the_moderators(
    client, posted, settings, django_capture_on_commit_callbacks
):
    article, comment = posted
    settings.MANAGERS = [("Editors", "editors@example.com")]
    body = "See https://example.com/a and https://example.com/b for more."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(comment), {"body": body})

    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "example.com/a" not in page_of(Client().get(article.get_absolute_url()))
    mine = page_of(client.get(article.get_absolute_url()))
    assert "Your comment is awaiting moderation." in mine
    assert [m.to for m in mail.outbox] == [["editors@example.com"]]


def test_an_edit_never_frees_a_comment_stored_as_spam(client, make_article, settings):
    settings.COMMENTS_SPAM_WORDS = ["casino"]
    article = make_article()
    comment = comment_from(post(client, article, body="Best casino here"))
    assert comment.status == Comment.Status.SPAM

    response = client.post(edit_url(comment), {"body": "A perfectly nice comment."})

    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_another_browser_is_refused_and_keeps_its_text(posted):
    _, comment = posted
    stranger = Client()
    post(stranger, comment.article, name="Eve", email="eve@example.com", body="Mine now")
    assert stranger.cookies["comment_browser"].value != ""

    assert stranger.get(edit_url(comment)).status_code == 403
    response = stranger.post(edit_url(comment), {"body": "Defaced."})
    assert response.status_code == 403
    assert "Defaced." in page_of(response)
    assert "Thnak you for this." not in page_of(response)
    removal = stranger.post(edit_url(comment), {"remove": "1"})
    assert removal.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."
    assert comment.status == Comment.Status.APPROVED


def test_a_replayed_token_hash_or_a_forged_cookie_is_refused(posted):
    _, comment = posted
    forger = Client()
    # The database holds the token's hash, never the token: replaying it fails.
    forger.cookies["comment_browser"] = comment.browser_key
    assert forger.post(edit_url(comment), {"body": "Defaced."}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."


def test_guessed_ids_are_refused_alike(client, posted, make_comment):
    article, comment = posted
    someone_else = make_comment(article, browser_key="0" * 64)
    for pk in (someone_else.pk, comment.pk + 1000):
        url = reverse("advice:comment_edit", args=[article.slug, pk])
        response = client.post(url, {"body": "Guess."})
        assert response.status_code == 403
        assert "Guess." in page_of(response)
    someone_else.refresh_from_db()
    assert someone_else.body != "Guess."


def test_imported_comments_cannot_be_edited(client, posted):
    _, comment = posted
    Comment.objects.filter(pk=comment.pk).update(wp_site="https://old.example", wp_id=77)
    assert client.post(edit_url(comment), {"body": "Changed."}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."


def test_edit_needs_the_csrf_token(client, posted):
    """The browser cookie authenticates the edit, so the CSRF token is needed too."""
    _, comment = posted
    checked = Client(enforce_csrf_checks=True)
    checked.cookies.update(client.cookies)  # the writer's own browser

    refused = checked.post(edit_url(comment), {"body": "No token."})
    assert refused.status_code == 403
    assert "No token." in page_of(refused)
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."

    form = checked.get(edit_url(comment)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    accepted = checked.post(
        edit_url(comment), {"body": "With token.", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 303
    comment.refresh_from_db()
    assert comment.body == "With token."


def test_a_bad_text_is_refused_with_400_and_kept(client, posted):
    _, comment = posted
    response = client.post(edit_url(comment), {"body": "   "})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."


def test_removing_is_soft_and_replies_stay(client, posted, make_comment):
    article, comment = posted
    reply = make_comment(article, parent=comment, body="I agree with Ana.")

    response = client.post(edit_url(comment), {"remove": "1"})

    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Thnak you for this." not in page
    assert "I agree with Ana." in page
    assert Comment.objects.filter(pk=reply.pk, status=Comment.Status.APPROVED).exists()


def test_moderators_see_the_earlier_texts_read_only(client, posted, django_user_model):
    _, comment = posted
    client.post(edit_url(comment), {"body": "Thank you for this."})
    moderator = django_user_model.objects.create_user("mod", password="pw", is_staff=True)
    moderator.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_comment", "view_comment", "can_moderate"])
    )
    staff = Client()
    staff.force_login(moderator)

    page = page_of(staff.get(reverse("admin:advice_comment_change", args=[comment.pk])))

    assert "earlier texts" in page.lower()
    assert "Thnak you for this." in page
    assert "revisions-" not in page, "earlier texts are not a form"
    assert CommentRevision.objects.count() == 1


def test_an_edit_with_nul_characters_is_saved_without_them(client, posted):
    _, comment = posted
    response = client.post(edit_url(comment), {"body": "nul\x00byte here"})
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.body == "nulbyte here"


def test_an_edit_nobody_could_see_is_refused_and_kept(client, posted):
    _, comment = posted
    response = client.post(edit_url(comment), {"body": "\u200b\u2060\ufeff"})
    page = page_of(response)
    assert response.status_code == 400
    assert "Your comment has no visible text." in page
    assert "\u200b\u2060\ufeff" in page
    comment.refresh_from_db()
    assert comment.body == "Thnak you for this."


def test_a_database_failure_after_the_edit_is_saved_still_redirects_to_it(
    client, posted, monkeypatch
):
    # Simulates the database failing after the commit: the function the
    # view calls to find the comment's page is replaced.
    def database_down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    article, comment = posted
    monkeypatch.setattr(comment_views, "comment_place", database_down)
    response = client.post(edit_url(comment), {"body": "Thank you for this."})
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "Thank you for this."
