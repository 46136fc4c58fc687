from dataclasses import dataclass

import pytest

from advice.comments.threads import comment_page_number, paginate_thread, thread_order
from config.pagequery import PageOutOfRange, normal_page


@dataclass
class C:
    pk: int
    parent_id: int | None = None


def order(comments, max_depth=5):
    return [(e.comment.pk, e.depth) for e in thread_order(comments, max_depth)]


def test_replies_follow_their_parent_in_order():
    comments = [C(1), C(2), C(3, 1), C(4, 3), C(5, 1)]
    assert order(comments) == [(1, 1), (3, 2), (4, 3), (5, 2), (2, 1)]


def test_reply_to_a_missing_parent_is_top_level():
    assert order([C(1), C(2, 99)]) == [(1, 1), (2, 1)]


def test_display_depth_is_capped():
    chain = [C(1)] + [C(i, i - 1) for i in range(2, 13)]
    depths = [d for _, d in order(chain, max_depth=5)]
    assert depths == [1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5]


def test_parent_cycle_shows_each_comment_once():
    assert sorted(order([C(1, 2), C(2, 1)])) == [(1, 1), (2, 1)]


# --- comment pages ---------------------------------------------------------------------


def pages(comments, per_page, max_depth=5):
    """Every comment page as a list of pks, via paginate_thread."""
    entries = thread_order(comments, max_depth)
    shown, first = paginate_thread(entries, per_page, 1)
    result = [[e.comment.pk for e in shown]]
    for number in range(2, first.num_pages + 1):
        shown, _ = paginate_thread(entries, per_page, number)
        result.append([e.comment.pk for e in shown])
    return result


def test_a_thread_that_fits_stays_on_one_page():
    comments = [C(1), C(2, 1), C(3), C(4), C(5, 4), C(6, 4)]
    assert pages(comments, 3) == [[1, 2, 3], [4, 5, 6]]


def test_a_thread_longer_than_a_page_continues_on_the_next():
    chain = [C(1)] + [C(i, i - 1) for i in range(2, 8)]
    assert pages([C(100)] + chain, 3) == [[100], [1, 2, 3], [4, 5, 6], [7]]


def test_a_reply_whose_parent_is_on_an_earlier_page_says_whom_it_answers():
    chain = [C(1)] + [C(i, i - 1) for i in range(2, 8)]
    entries = thread_order(chain, 5)
    shown, page = paginate_thread(entries, 3, 2)
    assert page.continued
    assert page.number == 2
    assert page.num_pages == 3
    assert shown[0].reply_to.pk == 3
    assert shown[0].reply_to_page == 1
    assert shown[1].reply_to is None  # its parent is just above it
    shown, _ = paginate_thread(entries, 3, 3)
    assert shown[0].reply_to.pk == 6
    assert shown[0].reply_to_page == 2


def test_capped_nesting_says_whom_a_reply_answers():
    chain = [C(1)] + [C(i, i - 1) for i in range(2, 8)]
    shown, page = paginate_thread(thread_order(chain, 3), 50, 1)
    assert not page.continued
    assert [e.reply_to.pk if e.reply_to else None for e in shown] == [None, None, None, 3, 4, 5, 6]


def test_page_beyond_the_last_is_refused():
    with pytest.raises(PageOutOfRange) as beyond:
        paginate_thread(thread_order([C(1), C(2)], 5), 1, 3)
    assert beyond.value.last == 2
    shown, page = paginate_thread([], 50, 1)  # page 1 always exists
    assert shown == []
    assert page.num_pages == 1


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 50])
def test_every_comment_is_found_on_the_page_that_shows_it(per_page):
    comments = [C(1), C(2, 1), C(3, 2), C(4), C(5, 1), C(6, 5), C(7), C(8, 3), C(9, 99)]
    comments += [C(10)] + [C(i, i - 1) for i in range(11, 40)]
    entries = thread_order(comments, 5)
    all_pages = pages(comments, per_page)
    assert sorted(pk for page in all_pages for pk in page) == sorted(c.pk for c in comments)
    for number, page in enumerate(all_pages, start=1):
        assert 1 <= len(page) <= per_page
        for pk in page:
            assert comment_page_number(entries, pk, per_page) == number
    assert comment_page_number(entries, 12345, per_page) == 1


# --- top-level threads stay together; page numbers from the query string -------------


def _thread():
    # Five top-level comments; 1 and 4 have replies.
    comments = [C(1), C(2), C(3), C(4), C(5), C(6, 1), C(7, 6), C(8, 4)]
    return thread_order(comments, 5)


def test_threads_paginate_keeping_replies_with_their_comment():
    entries = _thread()
    first, page = paginate_thread(entries, 3, 1)
    assert [e.comment.pk for e in first] == [1, 6, 7]
    assert page.num_pages == 3
    second, _ = paginate_thread(entries, 3, 2)
    assert [e.comment.pk for e in second] == [2, 3]
    third, _ = paginate_thread(entries, 3, 3)
    assert [e.comment.pk for e in third] == [4, 8, 5]


@pytest.mark.parametrize("raw", [None, "", "abc", "-3", "0", "999", "1e9", "\x00"])
def test_bad_comment_page_numbers_give_a_real_page(raw):
    # As the article page does: normal form, then the last page when beyond it.
    number = normal_page(raw)
    try:
        entries, page = paginate_thread(_thread(), 3, number)
    except PageOutOfRange as beyond:
        entries, page = paginate_thread(_thread(), 3, beyond.last)
    assert entries
    assert page.number in (1, 3)


def test_page_of_a_comment_is_the_page_of_its_thread():
    entries = _thread()
    assert comment_page_number(entries, 7, 3) == 1
    assert comment_page_number(entries, 2, 3) == 2
    assert comment_page_number(entries, 8, 3) == 3
    assert comment_page_number(entries, 5, 3) == 3
    assert comment_page_number(entries, 999, 3) == 1
