"""The month archive, /archive/<yyyy>/<mm>/ (advice/archive.py): the
articles published in that month, paginated like the home page; 404 for a
month with none and for one that cannot be. WordPress's /<yyyy>/<mm>/
answers 301 here (tests/advice/wordpress/test_old_addresses.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from advice.models import Article
from advice.pages import ARTICLES_PER_PAGE


def month_url(year: int, month: int) -> str:
    return reverse("advice:archive_month", kwargs={"year": f"{year:04d}", "month": f"{month:02d}"})


@pytest.fixture
def may_2014(make_article):
    """Three published articles in May 2014, and neighbours that are not."""
    inside = [
        make_article(title="First of May", published_at=datetime(2014, 5, 1, 0, 0, tzinfo=UTC)),
        make_article(title="Mid May", published_at=datetime(2014, 5, 15, 12, tzinfo=UTC)),
        make_article(title="Last of May", published_at=datetime(2014, 5, 31, 23, 59, tzinfo=UTC)),
    ]
    make_article(title="April", published_at=datetime(2014, 4, 30, 23, 59, tzinfo=UTC))
    make_article(title="June", published_at=datetime(2014, 6, 1, 0, 0, tzinfo=UTC))
    make_article(title="May 2015", published_at=datetime(2015, 5, 10, tzinfo=UTC))
    make_article(
        title="A May draft",
        status=Article.Status.DRAFT,
        published_at=datetime(2014, 5, 20, tzinfo=UTC),
    )
    return inside


def test_month_archive_lists_only_that_months_published_articles(client, may_2014):
    response = client.get(month_url(2014, 5))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Articles from May 2014" in page
    for title in ("First of May", "Mid May", "Last of May"):
        assert title in page
    for title in ("April", "June", "May 2015", "A May draft"):
        assert f">{title}<" not in page
    # Newest first, like the home page.
    assert page.index("Last of May") < page.index("Mid May") < page.index("First of May")


def test_month_archive_answers_head_like_get(client, may_2014):
    response = client.head(month_url(2014, 5))
    assert response.status_code == 200
    assert response.content == b""
    assert client.head(month_url(2014, 7)).status_code == 404


def test_month_archive_paginates_like_the_home_page(client, make_article):
    start = datetime(2020, 3, 1, tzinfo=UTC)
    for day in range(ARTICLES_PER_PAGE + 2):
        make_article(title=f"March article {day + 1}", published_at=start + timedelta(days=day))
    first = client.get(month_url(2020, 3)).content.decode()
    assert "Page 1 of 2" in first
    assert "March article 12<" in first
    assert "March article 1<" not in first
    second = client.get(month_url(2020, 3) + "?page=2")
    assert second.status_code == 200
    assert "March article 1<" in second.content.decode()
    beyond = client.get(month_url(2020, 3) + "?page=9")
    assert beyond.status_code == 302
    assert beyond["Location"] == month_url(2020, 3) + "?page=2"
    assert client.get(month_url(2020, 3) + "?page=1")["Location"] == month_url(2020, 3)


@pytest.mark.parametrize(
    "path",
    [
        "/archive/2014/07/",  # a month with no article
        "/archive/2014/13/",  # no such month
        "/archive/2014/00/",
        "/archive/0000/05/",
        "/archive/9999/12/",
        "/archive/2014/5/",  # not the archive's address
        "/archive/14/05/",
    ],
)
def test_empty_or_impossible_month_is_404(client, may_2014, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_a_month_of_drafts_and_scheduled_articles_is_404(client, make_article):
    make_article(status=Article.Status.DRAFT, published_at=datetime(2019, 2, 3, tzinfo=UTC))
    make_article(published_at=datetime(2099, 2, 3, tzinfo=UTC))  # scheduled
    assert client.get(month_url(2019, 2)).status_code == 404
    assert client.get(month_url(2099, 2)).status_code == 404


def test_the_month_follows_the_sites_time_zone(client, make_article, settings):
    """WordPress dates its archives in the site's time: 23:30 UTC on 30
    April is already May in Paris."""
    settings.TIME_ZONE = "Europe/Paris"
    make_article(title="Paris May Day", published_at=datetime(2014, 4, 30, 23, 30, tzinfo=UTC))
    assert "Paris May Day" in client.get(month_url(2014, 5)).content.decode()
    assert client.get(month_url(2014, 4)).status_code == 404
