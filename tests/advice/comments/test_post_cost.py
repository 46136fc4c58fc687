"""A comment POST costs the same number of queries however many comments the
article holds (issue 16), and the redirect after it still names the comment
page the writer then sees their comment on: replies on earlier pages, the
writer's own held comments, nesting deeper than the cap."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advice.models import Comment
from tests.advice.comments.posting import comment_from, post


@pytest.fixture(autouse=True)
def _no_timing_rules(settings):
    settings.COMMENTS_TIMING_RULES = False  # several posts from one e-mail in a row


def with_comments(article, count):
    """``count`` approved top-level comments on ``article``, oldest first."""
    start = timezone.now() - timedelta(days=2)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}-{article.pk}@example.com",
            body=f"Comment {n}.",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(seconds=n),
        )
        for n in range(count)
    )
    return list(article.comments.order_by("created_at", "id"))


def queries_of(client, article, **fields):
    with CaptureQueriesContext(connection) as queries:
        response = post(client, article, **fields)
    assert response.status_code == 303, response.status_code
    return len(queries)


@pytest.mark.parametrize("held", [False, True], ids=["approved", "held"])
def test_a_post_costs_the_same_queries_at_5_and_500_comments(client, make_article, returning, held):
    if not held:
        returning("writer@example.com")  # an approved comment elsewhere: approved at once
    counts = []
    for size in (5, 500):
        article = make_article()
        first = with_comments(article, size)[0]
        # The writer's browser has a held comment here already (own held
        # comments count for the redirect) when ``held``.
        top = queries_of(client, article, email="writer@example.com", body=f"Top at {size}.")
        reply = queries_of(
            client, article, email="writer@example.com", parent=first.pk, body=f"Re at {size}."
        )
        counts.append((top, reply))
    assert counts[0] == counts[1]


def shown_on(client, location, comment):
    """Whether the page ``location`` names (path and query) shows ``comment``
    to ``client``."""
    page = client.get(location.split("#")[0]).content.decode()
    return f'id="comment-{comment.pk}"' in page


def page_in(location):
    found = re.search(r"[?&]cpage=(\d+)", location)
    return int(found[1]) if found else 1


def test_a_reply_to_a_comment_on_an_earlier_page_goes_to_that_page(
    client, make_article, settings, returning
):
    settings.COMMENTS_PER_PAGE = 3
    returning()
    article = make_article()
    tops = with_comments(article, 7)  # pages: 0 1 2 | 3 4 5 | 6
    response = post(client, article, parent=tops[4].pk, body="Late reply to the fifth.")
    reply = comment_from(response)
    assert page_in(response["Location"]) == 2
    assert shown_on(client, response["Location"], reply)
    response = post(client, article, parent=tops[0].pk, body="Late reply to the first.")
    reply = comment_from(response)
    # 0 r 1 | 2 3 4 r | ...: the first thread grows and pushes 2 on.
    assert page_in(response["Location"]) == 1
    assert shown_on(client, response["Location"], reply)


def test_the_writers_own_held_comments_count_and_nobody_elses(client, make_article, settings):
    settings.COMMENTS_PER_PAGE = 3
    settings.COMMENTS_HOLD_FIRST_TIME = True
    article = make_article()
    with_comments(article, 2)
    other = client.__class__()
    held_elsewhere = comment_from(post(other, article, email="b@example.com", body="B's held."))
    assert held_elsewhere.status == Comment.Status.PENDING

    first = post(client, article, email="a@example.com", body="A's first, held.")
    assert page_in(first["Location"]) == 1  # B's held comment is not on A's page
    second = post(client, article, email="a@example.com", body="A's second, held.")
    held = comment_from(second)
    assert held.status == Comment.Status.PENDING
    assert page_in(second["Location"]) == 2  # 2 approved + A's first fill page 1
    assert shown_on(client, second["Location"], held)
    # A held reply to an approved comment goes where the writer sees it too.
    tops = list(article.comments.visible().order_by("created_at", "id"))
    reply = post(client, article, email="a@example.com", parent=tops[1].pk, body="A's reply.")
    assert shown_on(client, reply["Location"], comment_from(reply))


def test_a_reply_deeper_than_the_cap_goes_to_the_page_it_is_shown_on(
    client, make_article, make_comment, settings, returning
):
    settings.COMMENTS_PER_PAGE = 4
    settings.COMMENTS_MAX_DEPTH = 3
    returning()
    article = make_article()
    start = timezone.now() - timedelta(days=1)
    parent = None
    chain = []
    for n in range(6):  # one thread six deep: shown at depths 1, 2, 3, 3, 3, 3
        parent = make_comment(article, parent=parent, created_at=start + timedelta(seconds=n))
        chain.append(parent)
    for n in range(3):
        make_comment(article, created_at=start + timedelta(minutes=1, seconds=n))
    response = post(client, article, parent=chain[-1].pk, body="Deep reply.")
    reply = comment_from(response)
    assert reply.parent_id == chain[1].pk  # attached at the deepest allowed level
    # Display order: chain0, chain1, chain2..5, the reply (a child of chain1,
    # after chain2's subtree), then the three later top-level comments; the
    # seven-comment thread fills pages 1 and 2.
    assert page_in(response["Location"]) == 2
    assert shown_on(client, response["Location"], reply)


# --- the checks now looked up by index: same rows as before ------------------------------


def test_same_text_from_the_same_email_in_another_case_is_a_duplicate(client, make_article):
    article = make_article()
    first = post(client, article, name="Ana", email="Ana@Example.com", body="Same words.")
    assert first.status_code == 303
    again = post(client, article, name="Ana B.", email="ana@EXAMPLE.com", body="Same words.")
    assert again.status_code == 409
    other = post(client, article, name="Ana B.", email="ana@EXAMPLE.com", body="Other words.")
    assert other.status_code == 303
    assert article.comments.count() == 2


def test_an_approved_comment_under_the_email_in_another_case_is_not_a_first_comment(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_HOLD_FIRST_TIME = True
    make_comment(make_article(), author_email="Ana@Example.COM")
    article = make_article()
    approved = comment_from(post(client, article, email="ana@example.com", body="Back again."))
    assert approved.status == Comment.Status.APPROVED
    held = comment_from(post(client, article, email="bob@example.com", body="New here."))
    assert held.status == Comment.Status.PENDING
