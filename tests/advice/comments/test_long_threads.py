"""Long threads stay pageable: a chain of 10,000 replies, each answering the
last, is shown on pages of at most COMMENTS_PER_PAGE comments, and each
comment's page lookup (the permalink after posting) finds the page it is on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from advice.comments.threads import comment_page_number, paginate_thread, thread_order
from advice.models import Comment
from tests.advice.comments.posting import post

# Seconds each (servers, threads or large inputs): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

CHAIN = 10_000
COMMENT_ID = re.compile(r'<li id="comment-(\d+)"')


@pytest.fixture
def chain_article(make_article):
    """An article with one top-level comment and CHAIN replies, each to the
    one before, made with bulk_create (explicit ids, then the id sequence
    reset so later inserts do not collide on PostgreSQL)."""
    article = make_article()
    start = timezone.now() - timedelta(days=30)
    base = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = [
        Comment(
            pk=base + n,
            article=article,
            parent_id=base + n - 1 if n else None,
            author_name=f"Reader {n}",
            author_email=f"r{n}@example.com",
            body=f"Reply number {n}.",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(seconds=n),
        )
        for n in range(CHAIN + 1)
    ]
    Comment.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    return article


def test_a_ten_thousand_reply_chain_pages_and_every_lookup_finds_its_page(chain_article):
    per_page = settings.COMMENTS_PER_PAGE
    entries = thread_order(chain_article.comments.visible().for_tree(), settings.COMMENTS_MAX_DEPTH)
    assert len(entries) == CHAIN + 1
    _, first = paginate_thread(entries, per_page, 1)
    assert first.num_pages == -(-(CHAIN + 1) // per_page)
    # Every page is checked; the lookup (one pass over the thread each, as
    # after a post) for every comment of the first, second, a middle and the
    # last page, and every 50th comment elsewhere.
    last = first.num_pages
    whole_pages = {1, 2, last // 2, last}
    seen = 0
    for number in range(1, last + 1):
        shown, page = paginate_thread(entries, per_page, number)
        assert 1 <= len(shown) <= per_page
        assert page.continued == (number > 1)
        for index, entry in enumerate(shown):
            if number in whole_pages or (seen + index) % 50 == 0:
                assert comment_page_number(entries, entry.comment.pk, per_page) == number
        seen += len(shown)
    assert seen == CHAIN + 1


def test_the_chain_pages_stay_small_and_say_whom_they_continue(client, chain_article):
    url = chain_article.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert len(COMMENT_ID.findall(page)) == settings.COMMENTS_PER_PAGE
    assert len(page) < 200_000  # was 5.4 MB as one page
    second = client.get(f"{url}?cpage=2").content.decode()
    assert "Continued from the" in second
    assert "Reply to <a" in second


def test_a_reply_at_the_end_of_the_chain_is_found_on_its_page(client, chain_article, settings):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    last = Comment.objects.filter(article=chain_article).order_by("-created_at").first()
    response = post(client, chain_article, parent=last.pk, body="The very last word.")
    assert response.status_code == 303
    location = response["Location"]
    path, fragment = location.split("#")
    assert "?cpage=" in path
    shown = client.get(path)
    assert shown.status_code == 200
    ids = COMMENT_ID.findall(shown.content.decode())
    assert fragment.removeprefix("comment-") in ids
    assert len(ids) <= settings.COMMENTS_PER_PAGE
