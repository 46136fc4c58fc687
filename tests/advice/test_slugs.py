"""The one free-slug rule used for question articles, note templates and the
WordPress import."""

from __future__ import annotations

from advice.models import Article
from advice.slugs import free_slug


def test_free_base_is_kept():
    assert free_slug("hello", lambda s: False, max_length=200) == "hello"


def test_taken_base_counts_up_from_two():
    taken = {"hello", "hello-2", "hello-3"}
    assert free_slug("hello", taken.__contains__, max_length=200) == "hello-4"


def test_numbered_slug_fits_the_field():
    base = "x" * 50
    slug = free_slug(base, {base}.__contains__, max_length=50)
    assert slug == "x" * 44 + "-2"
    assert len(slug) <= 50
    assert len(free_slug("y" * 80, lambda s: False, max_length=50)) == 50


def test_queryset_is_read_once(make_article, django_assert_num_queries):
    make_article(slug="should-i-write")
    make_article(slug="should-i-write-2")
    make_article(slug="should-i-write-more")  # not a numbered copy
    with django_assert_num_queries(1):
        assert free_slug("should-i-write", Article.objects.all(), max_length=200) == (
            "should-i-write-3"
        )
