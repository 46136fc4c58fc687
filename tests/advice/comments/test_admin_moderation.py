"""Moderating from the admin: the held queue, bulk actions, the Moderators
group, and the article list's counts and bulk actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advice.models import Article, Comment

HELD, APPROVED = Comment.Status.PENDING, Comment.Status.APPROVED
SPAM, REMOVED = Comment.Status.SPAM, Comment.Status.REMOVED
COMMENTS_URL = reverse("admin:advice_comment_changelist")
ARTICLES_URL = reverse("admin:advice_article_changelist")


@pytest.fixture
def moderator_client(client, django_user_model):
    """A real member of the "Moderators" group, logged in through the admin's
    login form."""
    user = django_user_model.objects.create_user(
        username="mod", password="pw-moderator-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    response = client.post(
        reverse("admin:login"),
        {"username": "mod", "password": "pw-moderator-123", "next": COMMENTS_URL},
    )
    assert response.status_code == 302
    client.user = user
    return client


def run_action(client, url, action, objects):
    return client.post(
        url,
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0},
        follow=True,
    )


def statuses(*comments):
    return [Comment.objects.get(pk=c.pk).status for c in comments]


def test_comment_list_opens_on_held_comments_with_the_held_count(
    staff_client, make_article, make_comment
):
    article = make_article()
    make_comment(article, status=HELD, body="Held one")
    make_comment(article, status=HELD, body="Held two")
    make_comment(article, status=APPROVED, body="Already fine")
    make_comment(article, status=SPAM, body="Buy pills")

    page = staff_client.get(COMMENTS_URL).text

    assert "Held one" in page
    assert "Held two" in page
    assert "Already fine" not in page
    assert "Buy pills" not in page
    assert "Moderate comments: 2 held" in page


def test_comment_list_all_and_other_statuses_are_one_click_away(
    staff_client, make_article, make_comment
):
    article = make_article()
    make_comment(article, status=HELD, body="Held one")
    make_comment(article, status=SPAM, body="Buy pills")

    everything = staff_client.get(COMMENTS_URL, {"status": "all"}).text
    spam = staff_client.get(COMMENTS_URL, {"status": "spam"}).text

    assert "Held one" in everything
    assert "Buy pills" in everything
    assert "Buy pills" in spam
    assert "Held one" not in spam
    assert "?status=all" in staff_client.get(COMMENTS_URL).text


def test_comment_list_shows_article_author_excerpt_and_ip(staff_client, make_article, make_comment):
    article = make_article(title="Waiting to Hear Back")
    make_comment(
        article,
        status=HELD,
        author_name="Noor",
        author_email="noor@example.com",
        body="word " * 100,
        ip_address="203.0.113.5",
    )
    page = staff_client.get(COMMENTS_URL).text
    assert "Waiting to Hear Back" in page
    assert "Noor &lt;noor@example.com&gt;" in page
    assert "203.0.113.5" not in page  # on the change page only (issue 15)
    assert "word " * 100 not in page  # an excerpt, not the whole body


def test_comment_list_search_and_article_filter(staff_client, make_article, make_comment):
    first, second = make_article(), make_article()
    make_comment(first, status=HELD, body="About interviews")
    make_comment(second, status=HELD, body="About résumés")

    found = staff_client.get(COMMENTS_URL, {"q": "résumés"}).text
    filtered = staff_client.get(COMMENTS_URL, {"article__id__exact": first.pk}).text

    assert "About résumés" in found
    assert "About interviews" not in found
    assert "About interviews" in filtered
    assert "About résumés" not in filtered


def test_comment_list_query_count_does_not_grow_with_comments(
    staff_client, make_article, make_comment
):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(COMMENTS_URL).status_code == 200
        return len(ctx.captured_queries)

    article = make_article()
    make_comment(article, status=HELD)
    one = count_queries()
    for _ in range(3):
        other = make_article()
        for _ in range(10):
            make_comment(other, status=HELD)
    assert count_queries() == one


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("approve_comments", HELD, APPROVED, "2 comments approved."),
        ("spam_comments", HELD, SPAM, "2 comments marked as spam."),
        ("remove_comments", APPROVED, REMOVED, "2 comments removed."),
        ("restore_comments", REMOVED, APPROVED, "2 comments restored."),
    ],
)
def test_moderator_runs_bulk_actions(
    moderator_client, make_article, make_comment, action, before, after, message
):
    article = make_article()
    chosen = [make_comment(article, status=before) for _ in range(2)]
    left_alone = make_comment(article, status=before)

    response = run_action(moderator_client, f"{COMMENTS_URL}?status=all", action, chosen)

    assert response.status_code == 200
    assert message in response.text
    assert statuses(*chosen) == [after, after]
    assert statuses(left_alone) == [before]


def test_action_on_already_moderated_comments_says_nothing_changed(
    staff_client, make_article, make_comment
):
    comment = make_comment(make_article(), status=APPROVED)
    response = run_action(staff_client, COMMENTS_URL, "approve_comments", [comment])
    assert "No comment changed" in response.text


def test_moderator_sees_comment_list_and_can_open_a_held_comment(
    moderator_client, make_article, make_comment
):
    comment = make_comment(make_article(), status=HELD, body="Please look")
    assert "Please look" in moderator_client.get(COMMENTS_URL).text
    change_url = reverse("admin:advice_comment_change", args=[comment.pk])
    assert moderator_client.get(change_url).status_code == 200


def test_moderator_cannot_edit_articles(moderator_client, make_article):
    article = make_article(title="Original title")
    change_url = reverse("admin:advice_article_change", args=[article.pk])

    assert moderator_client.get(ARTICLES_URL).status_code == 200  # may look
    response = moderator_client.post(
        change_url,
        {
            "title": "Defaced",
            "slug": article.slug,
            "answer": "x",
            "status": "published",
            "published_at_0": "2024-01-01",
            "published_at_1": "10:00:00",
            "comment_status": "open",
        },
    )
    assert response.status_code == 403
    assert moderator_client.get(reverse("admin:advice_article_add")).status_code == 403
    article.refresh_from_db()
    assert article.title == "Original title"


def test_moderator_cannot_publish_but_can_close_comments(moderator_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    run_action(moderator_client, ARTICLES_URL, "publish_articles", [draft])
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    response = run_action(moderator_client, ARTICLES_URL, "close_comments", [draft])
    assert "1 article closed for comments." in response.text
    draft.refresh_from_db()
    assert draft.comment_status == Article.CommentStatus.CLOSED


def test_staff_without_can_moderate_cannot_run_comment_actions(
    client, django_user_model, make_article, make_comment
):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(user)
    comment = make_comment(make_article(), status=HELD)

    page = client.get(COMMENTS_URL).text
    assert "approve_comments" not in page
    run_action(client, COMMENTS_URL, "approve_comments", [comment])
    assert statuses(comment) == [HELD]


def test_article_list_shows_approved_and_held_counts(staff_client, make_article, make_comment):
    article = make_article(title="Counted")
    for status in (APPROVED, APPROVED, APPROVED, HELD, SPAM):
        make_comment(article, status=status)

    page = staff_client.get(ARTICLES_URL).text

    assert '<td class="field-approved_comments">3</td>' in page
    assert '<td class="field-held_comments">1</td>' in page


def test_article_list_query_count_is_the_same_for_1_and_30_articles(
    staff_client, make_article, make_comment, django_assert_num_queries
):
    make_comment(make_article(), status=HELD)
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(ARTICLES_URL).status_code == 200
    for _ in range(29):
        article = make_article()
        make_comment(article, status=HELD)
        make_comment(article, status=APPROVED)

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(ARTICLES_URL)
    assert response.text.count('<td class="field-held_comments">1</td>') == 30


def test_bulk_publish_open_and_close_comments(staff_client, make_article):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(2)]

    response = run_action(staff_client, ARTICLES_URL, "publish_articles", drafts)
    assert "2 articles published." in response.text
    assert all(Article.objects.get(pk=a.pk).is_published() for a in drafts)

    response = run_action(staff_client, ARTICLES_URL, "close_comments", drafts)
    assert "2 articles closed for comments." in response.text
    assert not any(Article.objects.get(pk=a.pk).comments_open() for a in drafts)

    response = run_action(staff_client, ARTICLES_URL, "open_comments", drafts)
    assert "2 articles opened for comments." in response.text
    assert all(Article.objects.get(pk=a.pk).comments_open() for a in drafts)


def test_bulk_publish_leaves_a_draft_without_an_answer_and_says_so(staff_client, make_article):
    ready = make_article(title="Ready", status=Article.Status.DRAFT)
    empty = make_article(title="No answer yet", status=Article.Status.DRAFT, answer="  ")
    response = staff_client.post(
        "/admin/advice/article/",
        {"action": "publish_articles", "_selected_action": [ready.pk, empty.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == Article.Status.PUBLISHED
    assert empty.status == Article.Status.DRAFT
    assert "Not published, as they have no answer yet: No answer yet" in response.content.decode()
