"""Comment permalinks (advice.comments.permalinks): a stable address that
answers 302 to the comment page holding the comment now, used by every link
to a comment from outside its page."""

from __future__ import annotations

from datetime import timedelta

import defusedxml.ElementTree as ET
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advice.comments import moderation
from advice.models import Article, Comment
from tests.advice.comments.posting import comment_from, post

SITE = "https://advice.example"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SITE_URL = SITE
    settings.COMMENTS_PER_PAGE = 50


@pytest.fixture
def long_thread(make_article, make_comment):
    """A published article with 70 approved top-level comments, oldest
    first; ``comments[64]`` is comment 65."""
    article = make_article(title="Waiting to Hear Back")
    start = timezone.now() - timedelta(days=2)
    comments = [
        make_comment(article, created_at=start + timedelta(minutes=n), body=f"Comment {n + 1}")
        for n in range(70)
    ]
    return article, comments


def permalink(comment) -> str:
    return reverse(
        "advice:comment_permalink", kwargs={"slug": comment.article.slug, "pk": comment.pk}
    )


def test_comment_65_of_a_50_per_page_thread_lands_on_page_2(client, long_thread):
    article, comments = long_thread
    response = client.get(permalink(comments[64]))
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{comments[64].pk}"
    assert "no-store" in response["Cache-Control"]  # it moves as comments come and go

    page = client.get(response["Location"].split("#")[0])
    assert f'id="comment-{comments[64].pk}"' in page.content.decode()


def test_the_permalink_follows_the_comment_when_earlier_comments_are_removed(client, long_thread):
    article, comments = long_thread
    moderation.comment_remove(comments=comments[:20])
    response = client.get(permalink(comments[64]))
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comments[64].pk}"
    page = client.get(article.get_absolute_url())
    assert f'id="comment-{comments[64].pk}"' in page.content.decode()


def test_a_late_reply_lands_on_its_threads_page(client, long_thread, make_comment):
    article, comments = long_thread
    reply = make_comment(article, parent=comments[0], created_at=timezone.now())
    response = client.get(permalink(reply))
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{reply.pk}"


def test_get_absolute_url_is_the_permalink(long_thread):
    article, comments = long_thread
    comment = comments[64]
    assert comment.get_absolute_url() == f"/articles/{article.slug}/comments/{comment.pk}/"


def test_the_comment_feed_links_each_comment_by_its_permalink(client, long_thread):
    article, comments = long_thread
    feed = ET.fromstring(client.get(reverse("advice:comment_feed", args=[article.slug])).content)
    links = {item.findtext("link") for item in feed.iter("item")}
    assert f"{SITE}/articles/{article.slug}/comments/{comments[64].pk}/" in links
    assert not any("#comment-" in link for link in links)


def test_head_answers_like_get_without_a_body(client, long_thread):
    article, comments = long_thread
    response = client.head(permalink(comments[64]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?cpage=2#comment-{comments[64].pk}")
    assert response.content == b""


def test_the_answer_costs_two_queries(client, long_thread, django_assert_num_queries):
    _, comments = long_thread
    with django_assert_num_queries(2):
        assert client.get(permalink(comments[64])).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/articles/{slug}/comments/999999/", id="unknown id"),
        pytest.param("/articles/{slug}/comments/99999999999999999999999999/", id="huge id"),
        pytest.param("/articles/{slug}/comments/{other}/", id="another article's comment"),
        pytest.param("/articles/{slug}/comments/abc/", id="non-numeric id"),
        pytest.param("/articles/{slug}/comments/-1/", id="negative id"),
        pytest.param("/articles/{slug}/comments/1.5/", id="decimal id"),
        pytest.param("/articles/no-such-article/comments/{mine}/", id="unknown article"),
    ],
)
def test_anything_but_a_comment_of_this_article_is_404(
    client, long_thread, make_article, make_comment, path
):
    article, comments = long_thread
    other = make_comment(make_article())
    url = path.format(slug=article.slug, other=other.pk, mine=comments[0].pk)
    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_a_comment_the_public_cannot_see_is_404(client, make_article, make_comment, status):
    comment = make_comment(make_article(), status=status)
    assert client.get(permalink(comment)).status_code == 404


def test_a_held_comment_is_404_even_to_its_writer(client, make_article):
    # Its writer sees it on the article page (their browser cookie); the
    # permalink answers the same for everyone and reveals nothing.
    article = make_article()
    held = comment_from(post(client, article, email="first-time@example.com"))
    assert held.status == Comment.Status.PENDING
    assert "Your comment is awaiting moderation." in client.get(article.get_absolute_url()).text
    assert client.get(permalink(held)).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_a_comment_on_an_article_the_public_cannot_see_is_404(
    staff_client, make_article, make_comment, fields
):
    comment = make_comment(make_article(**fields))
    assert staff_client.get(permalink(comment)).status_code == 404


def test_the_held_comment_mail_gives_the_permalink(
    make_article, make_comment, django_user_model, django_capture_on_commit_callbacks
):
    author = django_user_model.objects.create_user(username="col", email="col@example.com")
    comment = make_comment(make_article(author=author), status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.comment_held_notify(comment=comment) is True
    body = mail.outbox[0].body
    assert f"{SITE}/articles/{comment.article.slug}/comments/{comment.pk}/" in body
    assert "#comment-" not in body


def test_the_admin_view_on_site_is_the_permalink_while_the_public_sees_it(
    staff_client, make_article, make_comment
):
    article = make_article()
    approved = make_comment(article)
    held = make_comment(article, status=Comment.Status.PENDING)

    page = staff_client.get(reverse("admin:advice_comment_change", args=[approved.pk]))
    assert f'href="{permalink(approved)}"' in page.content.decode()
    page = staff_client.get(reverse("admin:advice_comment_change", args=[held.pk]))
    assert "viewsitelink" not in page.content.decode()


def test_links_within_the_page_stay_fragments(client, long_thread):
    article, comments = long_thread
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="#comment-{comments[0].pk}"' in html
    assert "/comments/" not in html.replace("/comments/feed/", "").replace(
        reverse("advice:comment_post", args=[article.slug]), ""
    )
