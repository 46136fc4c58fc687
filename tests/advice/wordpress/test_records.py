"""The import's value rules (advice/wordpress/records.py), without a database."""

from datetime import UTC, datetime

import pytest

from advice.models import Article, Comment
from advice.wordpress.records import RecordMapper, is_web_url
from advice.wordpress.summary import ImportSummary
from advice.wordpress.wxr import Item, WPComment


@pytest.fixture
def mapper():
    return RecordMapper("https://small.example", ImportSummary(path="x.xml"))


def test_nul_characters_are_removed_and_counted(mapper):
    assert mapper.clean("a\x00b\x00") == "ab"
    assert mapper.summary.cleaned["NUL characters removed"] == 2


def test_a_value_longer_than_its_column_is_cut_and_counted(mapper):
    limit = Article._meta.get_field("title").max_length
    assert mapper.fit("x" * (limit + 5), Article, "title", "article title") == "x" * limit
    assert mapper.fit("short", Article, "title", "article title") == "short"
    assert mapper.summary.truncated == {"article title": 1}


def test_dates_read_gmt_first_then_local_then_pubdate(mapper, settings):
    gmt = mapper.when("2014-05-06 07:08:09", "2014-05-06 09:08:09")
    assert gmt == datetime(2014, 5, 6, 7, 8, 9, tzinfo=UTC)
    local = mapper.when("0000-00-00 00:00:00", "2014-05-06 09:08:09")
    assert local.tzinfo is not None
    assert local.replace(tzinfo=None) == datetime(2014, 5, 6, 9, 8, 9)
    fallback = mapper.when("", "", "Tue, 06 May 2014 07:08:09 +0000")
    assert fallback == datetime(2014, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert mapper.when("", "", "not a date") is None


@pytest.mark.parametrize(
    ("status", "password", "expected"),
    [
        ("publish", "", Article.Status.PUBLISHED),
        ("future", "", Article.Status.PUBLISHED),
        ("draft", "", Article.Status.DRAFT),
        ("private", "", Article.Status.DRAFT),
        ("publish", "secret", Article.Status.DRAFT),
        ("trash", "", None),
        ("auto-draft", "", None),
    ],
)
def test_post_status_maps_to_article_status(mapper, status, password, expected):
    item = Item(status=status, post_password=password)
    assert mapper.status(item) == expected


def test_comment_website_and_ip_are_kept_only_when_valid(mapper):
    article = Article(published_at=datetime(2014, 5, 6, tzinfo=UTC))
    comment = WPComment(
        id=7, author="Ann", author_url="javascript:alert(1)", author_ip="fe80::1%eth0"
    )
    row = mapper.comment_row(comment, article)
    assert (row.author_url, row.ip_address) == ("", None)
    assert row.status == Comment.Status.PENDING
    assert row.created_at == article.published_at
    assert mapper.summary.cleaned == {
        "website not http/https, dropped": 1,
        "IP address not valid, dropped": 1,
    }


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://a.example/", True), ("http://a.example", True), ("ftp://a.example", False),
     ("https://", False), ("http://[broken", False)],
)  # fmt: skip
def test_only_http_and_https_urls_with_a_host_are_web_urls(url, ok):
    assert is_web_url(url) is ok
