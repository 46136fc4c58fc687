"""The flood rule and the limit lock (:mod:`advice.limits`), shared by
comments and reader questions. Concurrency: ``test_limit_concurrency``."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from advice.limits import flood_interval, flood_seconds, limit_lock, sender_flooding
from advice.models import Comment, ReaderQuestion


@pytest.mark.parametrize(
    ("timing_rules", "seconds", "expected"),
    [(True, 15, 15), (False, 15, 0), (True, 0, 0), (True, None, 0), (True, -5, 0)],
)
def test_flood_interval_is_off_without_timing_rules_or_seconds(timing_rules, seconds, expected):
    assert flood_interval(timing_rules=timing_rules, seconds=seconds) == expected


def test_flood_seconds_follows_the_settings(settings):
    settings.COMMENTS_TIMING_RULES = True
    settings.COMMENTS_FLOOD_SECONDS = 15  # WordPress's default
    assert flood_seconds() == 15
    settings.COMMENTS_TIMING_RULES = False
    assert flood_seconds() == 0


def _question(ip="203.0.113.5", email="ana@example.com", age=5):
    created = timezone.now() - timedelta(seconds=age)
    return ReaderQuestion.objects.create(
        email=email, question="Why?", ip_address=ip, created_at=created
    )


def test_same_address_or_email_within_the_interval_is_flooding(db):
    _question()
    rows, now = ReaderQuestion.objects.all(), timezone.now()
    assert sender_flooding(rows, ip="203.0.113.5", email="b@example.com", now=now, seconds=15)
    assert sender_flooding(rows, ip="198.51.100.1", email="ANA@example.com", now=now, seconds=15)
    assert not sender_flooding(rows, ip="198.51.100.1", email="b@example.com", now=now, seconds=15)


def test_a_post_older_than_the_interval_is_not_flooding(db):
    _question(age=16)
    assert not sender_flooding(
        ReaderQuestion.objects.all(),
        ip="203.0.113.5", email="ana@example.com", now=timezone.now(), seconds=15,
    )  # fmt: skip


def test_rule_off_or_no_keys_is_never_flooding(db, django_assert_num_queries):
    _question(ip=None, email="")
    rows, now = ReaderQuestion.objects.all(), timezone.now()
    with django_assert_num_queries(0):
        assert not sender_flooding(
            rows, ip="203.0.113.5", email="a@example.com", now=now, seconds=0
        )
        assert not sender_flooding(rows, ip=None, email="", now=now, seconds=15)


def test_comment_fields_are_named_by_the_caller(make_article, make_comment):
    make_comment(make_article(), author_email="Ana@Example.com", ip_address="203.0.113.5")
    rows, now = Comment.objects.all(), timezone.now()
    kwargs = {"now": now, "seconds": 15, "email_field": "author_email"}
    assert sender_flooding(rows, ip=None, email="ana@example.com", **kwargs)
    assert sender_flooding(rows, ip="203.0.113.5", email="", **kwargs)


def test_limit_lock_takes_one_lock_per_distinct_key(db, django_assert_num_queries):
    # SQLite: none (its IMMEDIATE transaction already holds the write lock);
    # PostgreSQL: one advisory lock per key, blank keys skipped, case folded.
    expected = 2 if connection.vendor == "postgresql" else 0
    with transaction.atomic(), django_assert_num_queries(expected):
        limit_lock("comment", "203.0.113.5", "Ana@Example.com", "ana@example.com", None, "")
