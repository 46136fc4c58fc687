from dataclasses import dataclass

from advice.threads import thread_order


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
