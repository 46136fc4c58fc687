"""Every change a public page shows moves the site version, so the next GET
of a cached page shows it, with no waiting (advice.site_version)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from advice.comments.moderation import (
    comment_approve,
    comment_remove,
    comment_restore,
    comment_spam,
)
from advice.models import Article, Comment, Topic
from advice.publishing import articles_publish, articles_set_comment_status
from advice.site_version import SiteVersion, site_version_bump, site_version_read
from notes.models import NoteTemplate


def _page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    return html.unescape(response.content.decode())


@pytest.fixture
def site(make_article, make_topic, make_comment, django_user_model):
    author = django_user_model.objects.create_user(username="col", first_name="Old Name")
    topic = make_topic(name="Interviews")
    article = make_article(title="The answer", topics=[topic], author=author)
    comment = make_comment(article, body="Visible words.")
    held = make_comment(article, body="Held words.", status=Comment.Status.PENDING)
    return article, topic, comment, held


def test_bump_adds_one_and_read_is_one_query(db, django_assert_num_queries):
    before = site_version_read(timezone.now())
    site_version_bump()
    with django_assert_num_queries(1):
        after = site_version_read(timezone.now())
    assert after.number == before.number + 1
    assert after.changed_at >= (before.changed_at or after.changed_at)


def test_article_saved(site):
    article, *_ = site
    assert "The answer" in _page("/")
    article.title = "A better title"
    article.save()
    assert "A better title" in _page("/")


def test_article_deleted(site, make_article):
    make_article(title="Another one")
    article, *_ = site
    assert "The answer" in _page("/")
    article.delete()
    assert "The answer" not in _page("/")


def test_topics_changed(site, make_topic):
    article, _topic, *_ = site
    other = make_topic(name="Resumes")
    assert "The answer" not in _page(other.get_absolute_url())
    article.topics.add(other)
    assert "The answer" in _page(other.get_absolute_url())
    other.articles.clear()
    assert "The answer" not in _page(other.get_absolute_url())


def test_topic_renamed_and_deleted(site):
    article, topic, *_ = site
    assert "Interviews" in _page(article.get_absolute_url())
    topic.name = "Job interviews"
    topic.save()
    assert "Job interviews" in _page(article.get_absolute_url())
    Topic.objects.filter(pk=topic.pk).delete()
    assert "Job interviews" not in _page(article.get_absolute_url())


@pytest.mark.parametrize(
    ("action", "shown"),
    [(comment_approve, True), (comment_spam, False), (comment_remove, False)],
)
def test_comment_moderated(site, action, shown):
    article, _topic, comment, held = site
    target = held if action is comment_approve else comment
    url = article.get_absolute_url()
    assert ("Held words." in _page(url)) is False
    assert "Visible words." in _page(url)
    action(comments=[target])
    assert (target.body in _page(url)) is shown


def test_comment_restored_and_deleted(site):
    article, _topic, comment, _held = site
    url = article.get_absolute_url()
    comment_remove(comments=[comment])
    assert "Visible words." not in _page(url)
    comment_restore(comments=[comment])
    assert "Visible words." in _page(url)
    Comment.objects.filter(pk=comment.pk).delete()
    assert "Visible words." not in _page(url)


def test_a_held_comment_stored_moves_nothing(site, make_comment):
    article, *_ = site
    number = SiteVersion.objects.get().number
    make_comment(article, status=Comment.Status.PENDING)
    assert SiteVersion.objects.get().number == number


def test_note_template_edited(db):
    note = NoteTemplate.objects.create(
        title="Thanks", slug="thanks-version", subject="Thanks", body="Hi [name]!"
    )
    assert "Thanks" in _page("/notes/")
    note.title = "Thank-you note"
    note.save()
    assert "Thank-you note" in _page("/notes/")
    assert "Thank-you note" in _page("/notes/thanks-version/")


def test_author_renamed_but_not_a_login(site):
    article, *_ = site
    author = article.author
    url = article.get_absolute_url()
    assert "Old Name" in _page(url)
    number = SiteVersion.objects.get().number
    author.last_login = timezone.now()
    author.save(update_fields=["last_login"])
    assert SiteVersion.objects.get().number == number
    author.first_name = "New Name"
    author.save()
    assert "New Name" in _page(url)


def test_author_deleted(site):
    # The byline goes by an UPDATE (SET_NULL) that sends no signal: the
    # account's deletion is what moves the version.
    article, *_ = site
    url = article.get_absolute_url()
    assert "Old Name" in _page(url)
    assert "Old Name" in _page("/feed/")
    article.author.delete()
    assert "Old Name" not in _page(url)
    assert "Old Name" not in _page("/feed/")


def test_bulk_publish_and_close(site, make_article):
    article, *_ = site
    draft = make_article(title="Draft to publish", status=Article.Status.DRAFT)
    assert "Draft to publish" not in _page("/")
    articles_publish(articles=[draft])
    assert "Draft to publish" in _page("/")
    url = article.get_absolute_url()
    assert "Comments are closed." not in _page(url)
    articles_set_comment_status(articles=[article], status=Article.CommentStatus.CLOSED)
    assert "Comments are closed." in _page(url)


def test_a_scheduled_article_coming_due_needs_no_save(site, make_article):
    scheduled = make_article(title="Coming soon", published_at=timezone.now() + timedelta(hours=1))
    number = SiteVersion.objects.get().number
    assert "Coming soon" not in _page("/")
    # Its time comes: no save, no signal, no bump; the time passes.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    assert SiteVersion.objects.get().number == number
    assert "Coming soon" in _page("/")
