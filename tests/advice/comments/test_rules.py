"""The comment moderation rules as plain functions of values (no database):
:mod:`advice.comments.rules`."""

import pytest

from advice.comments import rules
from advice.comments.rules import (
    ancestor_chain,
    count_links,
    find_listed_word,
    moderation_status,
    reply_parent_id,
)
from advice.models import Comment

# --- links, words, status -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("No links at all, just words.", 0),
        ("See https://example.org/a for more.", 1),
        ("https://a.example and http://b.example/x?y=1", 2),
        ("www.example.com and mail me: me@example.com", 2),
        ("C:\\Users\\demo is a path, not a link", 0),
    ],
)
def test_count_links_counts_what_the_page_would_link(body, expected):
    assert count_links(body) == expected


def test_listed_word_matches_any_field_case_insensitively():
    assert find_listed_word(["Casino"], "Ana", "ana@example.com", "", "I won at the CASINO") == (
        "Casino"
    )
    assert find_listed_word(["viagra"], "Ana", "pills@VIAGRA.example") == "viagra"
    assert find_listed_word(["casino"], "Ana", "ana@example.com", "Nice answer") is None


def test_blank_listed_words_match_nothing():
    assert find_listed_word(["", "  "], "anything at all") is None


def _status(**overrides):
    values = {
        "is_staff": False,
        "spam_word": None,
        "hold_word": None,
        "link_count": 0,
        "max_links": 2,
        "first_time": False,
        "hold_first_time": True,
    }
    values.update(overrides)
    return moderation_status(**values)[0]


def test_returning_commenter_without_links_or_words_is_approved():
    assert _status() == Comment.Status.APPROVED


def test_first_comment_from_an_email_is_held_unless_the_rule_is_off():
    assert _status(first_time=True) == Comment.Status.PENDING
    assert _status(first_time=True, hold_first_time=False) == Comment.Status.APPROVED


def test_links_at_the_maximum_are_held_below_it_approved():
    assert _status(link_count=1) == Comment.Status.APPROVED
    assert _status(link_count=2) == Comment.Status.PENDING
    assert _status(link_count=9, max_links=0) == Comment.Status.APPROVED  # 0 turns it off


def test_spam_word_beats_hold_and_staff_beats_everything():
    assert _status(spam_word="casino", hold_word="loan") == Comment.Status.SPAM
    assert _status(hold_word="loan") == Comment.Status.PENDING
    assert (
        _status(is_staff=True, spam_word="casino", link_count=9, first_time=True)
        == Comment.Status.APPROVED
    )


# --- replies: depth capping -------------------------------------------------------


def test_ancestor_chain_walks_up_to_the_top_level_comment():
    parents = {1: None, 2: 1, 3: 2, 4: 3}
    assert ancestor_chain(4, parents) == [1, 2, 3, 4]
    assert ancestor_chain(1, parents) == [1]


def test_ancestor_chain_stops_at_a_cycle_or_a_missing_parent():
    assert ancestor_chain(3, {1: 3, 2: 1, 3: 2}) == [1, 2, 3]
    assert ancestor_chain(5, {5: 77}) == [5]


def test_reply_within_the_maximum_keeps_its_parent():
    assert reply_parent_id([1], 5) == 1
    assert reply_parent_id([1, 2, 3, 4], 5) == 4  # new reply at depth 5


def test_reply_12_levels_deep_attaches_at_the_deepest_allowed_level():
    chain = list(range(101, 113))  # 12 comments, each replying to the one before
    assert reply_parent_id(chain, 5) == 104  # the ancestor at depth 4
    assert reply_parent_id(chain, 3) == 102
    assert reply_parent_id(chain, 1) is None  # threading off: top level


def test_rule_statuses_are_the_comment_model_statuses():
    assert rules.APPROVED == Comment.Status.APPROVED
    assert rules.HELD == Comment.Status.PENDING
    assert rules.SPAM == Comment.Status.SPAM
