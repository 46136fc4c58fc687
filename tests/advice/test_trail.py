"""The trail: every moderation and publishing action names who did it, when
and to what, in the admin's own log, and the admin shows it per comment and
per article."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from advice.comments import moderation
from advice.models import Article, Comment, ReaderQuestion
from advice.publishing import articles_publish, articles_set_comment_status
from notes.models import NoteTemplate

HELD = Comment.Status.PENDING
QUOTED_NOTE = (
    "Send something like this:\n\n"
    "> Dear [name],\n>\n> Thank you for the interview for the [position] role.\n>\n"
    "> Best regards,\n> [your name]\n"
)


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(username="mod", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


def entries_for(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        ).order_by("id")
    )


def run_action(client, model: str, action: str, objects):
    return client.post(
        reverse(f"admin:advice_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0},
    )


def test_bulk_approve_of_three_comments_writes_three_entries_by_the_moderator(
    client, moderator, make_article, make_comment
):
    article = make_article()
    comments = [make_comment(article, status=HELD) for _ in range(3)]
    untouched = make_comment(article, status=HELD)
    client.force_login(moderator)
    before = timezone.now()

    response = run_action(client, "comment", "approve_comments", comments)

    assert response.status_code == 302
    for comment in comments:
        [entry] = entries_for(comment)
        assert entry.user == moderator
        assert entry.action_flag == CHANGE
        assert entry.get_change_message() == "Approved (bulk action)"
        assert entry.action_time >= before
    assert entries_for(untouched) == []


def test_comments_the_action_does_not_change_get_no_entry(
    client, moderator, make_article, make_comment
):
    article = make_article()
    held = make_comment(article, status=HELD)
    approved = make_comment(article, status=Comment.Status.APPROVED)
    client.force_login(moderator)

    run_action(client, "comment", "approve_comments", [held, approved])

    assert len(entries_for(held)) == 1
    assert entries_for(approved) == []


@pytest.mark.parametrize(
    ("action", "start", "message"),
    [
        (moderation.comment_spam, HELD, "Marked as spam"),
        (moderation.comment_remove, HELD, "Removed"),
        (moderation.comment_restore, Comment.Status.REMOVED, "Restored"),
        (moderation.comment_approve, Comment.Status.SPAM, "Approved"),
    ],
)
def test_every_moderation_action_called_from_a_view_records_its_name(
    moderator, make_article, make_comment, action, start, message
):
    comment = make_comment(make_article(), status=start)

    assert action(comments=[comment], by=moderator) == 1

    [entry] = entries_for(comment)
    assert (entry.user, entry.change_message) == (moderator, message)


def test_moderation_by_the_system_records_nothing(make_article, make_comment):
    comment = make_comment(make_article(), status=HELD)
    assert moderation.comment_approve(comments=[comment]) == 1
    assert entries_for(comment) == []


def test_article_publish_action_records_each_published_article(client, superuser, make_article):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(2)]
    no_answer = make_article(status=Article.Status.DRAFT, answer="  ")
    client.force_login(superuser)

    response = run_action(client, "article", "publish_articles", [*drafts, no_answer])

    assert response.status_code == 302
    for article in drafts:
        [entry] = entries_for(article)
        assert (entry.user, entry.change_message) == (superuser, "Published (bulk action)")
    assert entries_for(no_answer) == []  # not published, nothing recorded


@pytest.mark.parametrize(
    ("action", "start", "message"),
    [
        ("close_comments", Article.CommentStatus.OPEN, "Comments closed (bulk action)"),
        ("open_comments", Article.CommentStatus.CLOSED, "Comments opened (bulk action)"),
    ],
)
def test_opening_and_closing_comments_is_recorded_per_article(
    client, moderator, make_article, action, start, message
):
    article = make_article(comment_status=start)
    client.force_login(moderator)

    run_action(client, "article", action, [article])

    [entry] = entries_for(article)
    assert (entry.user, entry.change_message) == (moderator, message)


def test_publishing_services_record_for_the_user_they_are_given(superuser, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    assert articles_publish(articles=[draft], by=superuser) == 1
    assert (
        articles_set_comment_status(
            articles=[draft], status=Article.CommentStatus.CLOSED, by=superuser
        )
        == 1
    )
    assert [e.change_message for e in entries_for(draft)] == ["Published", "Comments closed"]


def test_draft_article_from_a_reader_question_is_recorded_on_both(client, superuser, db):
    question = ReaderQuestion.objects.create(
        name="Bianca", email="b@example.com", question="How do I thank them?"
    )
    client.force_login(superuser)

    run_action(client, "readerquestion", "make_draft_article", [question])

    question.refresh_from_db()
    [on_question] = entries_for(question)
    [on_article] = entries_for(question.article)
    assert on_question.change_message == "Draft article made"
    assert (on_article.action_flag, on_article.user) == (ADDITION, superuser)


def test_note_template_action_is_recorded_on_the_article_and_the_template(
    client, superuser, make_article
):
    article = make_article(answer=QUOTED_NOTE)
    client.force_login(superuser)

    run_action(client, "article", "make_note_template", [article])

    note = NoteTemplate.objects.get()
    [on_article] = entries_for(article)
    [on_note] = entries_for(note)
    assert note.slug in on_article.change_message
    assert on_note.action_flag == ADDITION


def test_comment_history_page_and_change_form_show_the_trail(
    client, moderator, make_article, make_comment
):
    comment = make_comment(make_article(), status=HELD)
    client.force_login(moderator)
    run_action(client, "comment", "approve_comments", [comment])

    history = client.get(reverse("admin:advice_comment_history", args=[comment.pk]))
    change = client.get(reverse("admin:advice_comment_change", args=[comment.pk]))

    assert history.status_code == 200
    assert "Approved (bulk action)" in history.text
    assert "mod" in history.text
    assert change.status_code == 200
    assert reverse("admin:advice_comment_history", args=[comment.pk]) in change.text
    assert "Recent activity" in change.text
    assert "mod: Approved (bulk action)" in change.text


def test_article_change_form_lists_the_last_ten_entries(client, superuser, make_article):
    article = make_article(comment_status=Article.CommentStatus.OPEN)
    for _ in range(6):  # 12 entries, alternating
        articles_set_comment_status(
            articles=[article], status=Article.CommentStatus.CLOSED, by=superuser
        )
        articles_set_comment_status(
            articles=[article], status=Article.CommentStatus.OPEN, by=superuser
        )
    client.force_login(superuser)

    page = client.get(reverse("admin:advice_article_change", args=[article.pk])).text

    assert page.count("root: Comments opened") + page.count("root: Comments closed") == 10
    assert reverse("admin:advice_article_history", args=[article.pk]) in page


def test_recent_activity_escapes_what_it_shows(client, superuser, make_article):
    article = make_article(title="<script>alert(1)</script>", answer=QUOTED_NOTE)
    client.force_login(superuser)
    run_action(client, "article", "make_note_template", [article])
    note = NoteTemplate.objects.get()

    page = client.get(reverse("admin:notes_notetemplate_history", args=[note.pk])).text

    assert "<script>alert(1)</script>" not in page
