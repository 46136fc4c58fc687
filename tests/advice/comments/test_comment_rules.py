"""The comment rules as plain functions of values (no database)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing

from advice.comments.forms import CommentForm
from advice.comments.submit import (
    MSG_TOKEN_BAD,
    MSG_TOKEN_FAST,
    MSG_TOKEN_OLD,
    ancestor_chain,
    browser_key_hash,
    check_form_token,
    client_address,
    count_links,
    find_listed_word,
    form_token,
    moderation_status,
    paginate_threads,
    remember_cookie_value,
    remembered_author,
    reply_parent_id,
    thread_page_number,
)
from advice.comments.threads import thread_order
from advice.models import Comment

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


# --- links, words, status -------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
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


# --- threads: depth capping and pages ----------------------------------------------


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


@dataclass
class C:
    pk: int
    parent_id: int | None = None


def _thread():
    # Five top-level comments; 1 and 4 have replies.
    comments = [C(1), C(2), C(3), C(4), C(5), C(6, 1), C(7, 6), C(8, 4)]
    return thread_order(comments, 5)


def test_threads_paginate_by_top_level_comment_keeping_replies_together():
    entries = _thread()
    first, page = paginate_threads(entries, 2, "1")
    assert [e.comment.pk for e in first] == [1, 6, 7, 2]
    assert page.paginator.num_pages == 3
    second, _ = paginate_threads(entries, 2, "2")
    assert [e.comment.pk for e in second] == [3, 4, 8]


@pytest.mark.parametrize("raw", [None, "", "abc", "-3", "0", "999", "1e9", "\x00"])
def test_bad_comment_page_numbers_give_a_real_page(raw):
    entries, page = paginate_threads(_thread(), 2, raw)
    assert entries
    assert page.number in (1, 3)


def test_page_of_a_comment_is_the_page_of_its_thread():
    entries = _thread()
    assert thread_page_number(entries, 7, 2) == 1
    assert thread_page_number(entries, 8, 2) == 2
    assert thread_page_number(entries, 5, 2) == 3
    assert thread_page_number(entries, 999, 2) == 1


# --- signed timestamp -------------------------------------------------------------


def _check(token, *, article_id=7, now=NOW, timing=True):
    return check_form_token(
        token, article_id=article_id, now=now, min_age=2, max_age=7200, timing=timing
    )


def test_form_token_of_a_minute_ago_is_good():
    assert _check(form_token(7, NOW - timedelta(minutes=1))) is None


def test_form_token_too_fast_or_too_old_is_refused():
    assert _check(form_token(7, NOW - timedelta(seconds=1))) == MSG_TOKEN_FAST
    assert _check(form_token(7, NOW - timedelta(hours=2, seconds=1))) == MSG_TOKEN_OLD


def test_form_token_age_is_not_checked_with_timing_rules_off():
    assert _check(form_token(7, NOW), timing=False) is None
    assert _check(form_token(7, NOW - timedelta(days=3)), timing=False) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJhIjo3fQ:forged:signature",
        signing.dumps({"a": 7, "t": 1}, salt="another-salt"),
        signing.dumps([7, 1], salt="advice.comments.form-token"),
        signing.dumps({"a": "7", "t": "x"}, salt="advice.comments.form-token"),
        "\x00" * 50,
        "é" * 5000,
    ],
)
def test_form_token_forged_or_malformed_is_refused(token):
    assert _check(token, timing=False) == MSG_TOKEN_BAD


def test_form_token_of_another_article_is_refused():
    assert _check(form_token(8, NOW - timedelta(minutes=1))) == MSG_TOKEN_BAD


def test_tampered_form_token_is_refused():
    token = form_token(7, NOW - timedelta(minutes=1))
    payload, rest = token.split(":", 1)
    forged = signing.b64_encode(b'{"a":7,"t":1}').decode() + ":" + rest
    assert forged != token
    assert _check(forged, timing=False) == MSG_TOKEN_BAD


# --- client address -----------------------------------------------------------------


def test_without_trusted_proxies_the_socket_address_is_used():
    assert client_address("198.51.100.7", "203.0.113.9", 0) == "198.51.100.7"


def test_with_one_trusted_proxy_the_last_forwarded_entry_is_the_client():
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"


def test_with_two_trusted_proxies_the_second_from_the_right_is_the_client():
    assert client_address("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"


@pytest.mark.parametrize("header", [None, "", "not-an-ip", "203.0.113.9, junk", "fe80::1%eth0"])
def test_missing_or_malformed_forwarded_for_falls_back_to_the_socket(header):
    assert client_address("198.51.100.7", header, 1) == "198.51.100.7"


def test_short_forwarded_for_falls_back_to_the_socket():
    assert client_address("198.51.100.7", "203.0.113.9", 2) == "198.51.100.7"


def test_ipv6_addresses_are_normalised_and_nonsense_is_none():
    assert client_address("2001:DB8:0:0::1", None, 0) == "2001:db8::1"
    assert client_address("", None, 0) is None
    assert client_address(None, None, 0) is None


# --- cookies --------------------------------------------------------------------------


def test_remember_cookie_round_trips_any_script():
    value = remember_cookie_value("Zoë 🙈 שלום", "zoe@example.com", "https://zoë.example/")
    assert value.isascii() and ";" not in value and " " not in value
    assert remembered_author(value) == {
        "name": "Zoë 🙈 שלום",
        "email": "zoe@example.com",
        "url": "https://zoë.example/",
    }


@pytest.mark.parametrize("value", [None, "", "garbage", "a:b:c", "\x00"])
def test_tampered_or_missing_remember_cookie_is_ignored(value):
    assert remembered_author(value) == {}


def test_remember_cookie_edited_by_hand_is_ignored():
    value = remember_cookie_value("Ana", "ana@example.com", "")
    payload, signature = value.rsplit(":", 1)
    other = remember_cookie_value("Mallory", "m@example.com", "").rsplit(":", 1)[0]
    assert remembered_author(f"{other}:{signature}") == {}
    assert remembered_author(f"{payload}:{signature[::-1]}") == {}


def test_browser_key_is_a_hash_not_the_token():
    key = browser_key_hash("secret-token")
    assert len(key) == 64 and "secret" not in key
    assert key == browser_key_hash("secret-token") != browser_key_hash("other-token")


# --- the form ----------------------------------------------------------------------------


@dataclass
class FakeArticle:
    pk: int = 7


def _form(user=None, **fields):
    data = {
        "name": "Ana",
        "email": "ana@example.com",
        "url": "",
        "body": "Hello",
        "token": form_token(7, NOW - timedelta(minutes=1)),
    }
    data.update(fields)
    return CommentForm(data, article=FakeArticle(), user=user, now=NOW)


@pytest.mark.parametrize(
    "field, limit", [("name", 245), ("email", 100), ("url", 200), ("body", 65525)]
)
def test_field_limits_at_the_boundary(field, limit):
    def value(n):
        if field == "email":
            return "a" * (n - len("@example.com")) + "@example.com"
        if field == "url":
            return "https://example.com/" + "a" * (n - len("https://example.com/"))
        return "é" * n

    assert len(value(limit)) == limit
    assert _form(**{field: value(limit)}).is_valid()
    refused = _form(**{field: value(limit + 1)})
    assert not refused.is_valid()
    assert field in refused.errors


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/", "data:text/html,hi", "http://", "x y"]
)
def test_website_must_be_http_or_https(url):
    form = _form(url=url)
    assert not form.is_valid()
    assert "url" in form.errors


def test_website_without_scheme_becomes_https():
    form = _form(url="example.com/me")
    assert form.is_valid()
    assert form.comment_data().url == "https://example.com/me"


def test_browser_line_breaks_are_stored_as_typed():
    form = _form(body="one\r\ntwo\r\n\r\nthree")
    assert form.is_valid()
    assert form.comment_data().body == "one\ntwo\n\nthree"


@pytest.mark.parametrize(
    "fields",
    [{"body": "nul \x00 byte"}, {"name": "a\x00b"}, {"body": "lone \ud800 surrogate"}],
)
def test_nul_bytes_and_lone_surrogates_are_refused(fields):
    form = _form(**fields)
    assert not form.is_valid()


def test_honeypot_filled_is_refused_with_a_reason():
    form = _form(honeypot="http://spam.example")
    assert not form.is_valid()
    assert "people leave empty" in form.refusal_message()


def test_email_is_required_for_readers():
    form = _form(email="")
    assert not form.is_valid() and "email" in form.errors


@pytest.mark.parametrize("parent", ["abc", "-1", "0", "1.5", str(2**70)])
def test_parent_must_be_a_comment_id(parent):
    form = _form(parent=parent)
    assert not form.is_valid()
    assert "replied to" in form.refusal_message()
