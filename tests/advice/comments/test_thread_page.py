"""thread_page_number: the page lookup after a post, from light rows, gives
the page comment_page_number gives over thread_order's entries, for any
thread shape (orphans, parent cycles, capped depth, any page size)."""

from collections import namedtuple

from hypothesis import given
from hypothesis import strategies as st

from advice.comments.threads import comment_page_number, thread_order, thread_page_number

Row = namedtuple("Row", "pk parent_id")  # what values_list(named=True) gives


@st.composite
def threads(draw):
    """Up to 40 comments with ids 1..n in a shuffled order, each with no
    parent, an earlier or later comment (so cycles and reply-before-parent
    happen), or a parent that is not among them (held, removed)."""
    n = draw(st.integers(0, 40))
    ids = draw(st.permutations(range(1, n + 1)))
    parents = st.one_of(st.none(), st.integers(1, max(1, n)), st.just(999))
    return [Row(pk, draw(parents)) for pk in ids]


@given(
    rows=threads(),
    per_page=st.integers(0, 7),
    max_depth=st.integers(0, 6),
    target=st.integers(0, 42),
)
def test_thread_page_number_is_the_page_comment_page_number_gives(
    rows, per_page, max_depth, target
):
    entries = thread_order(rows, max_depth)
    expected = comment_page_number(entries, target, per_page)
    assert thread_page_number(rows, target, per_page, max_depth) == expected


def test_a_reply_to_a_comment_on_an_earlier_page_is_on_that_page():
    rows = [Row(1, None), Row(2, None), Row(3, None), Row(4, None), Row(5, 1)]
    assert thread_page_number(rows, 5, 2, 5) == 1  # 1, 5 | 2, 3 | 4
    assert thread_page_number(rows, 4, 2, 5) == 3
    assert thread_page_number(rows, 99, 2, 5) == 1


def test_with_nesting_capped_at_one_level_every_comment_is_its_own_thread():
    rows = [Row(1, None), Row(2, 1), Row(3, None), Row(4, 3)]
    assert thread_page_number(rows, 3, 3, 5) == 2  # 1, 2 | 3, 4: threads kept whole
    assert thread_page_number(rows, 3, 3, 1) == 1  # 1, 2, 3 | 4
