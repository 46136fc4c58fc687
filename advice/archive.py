"""The month archive: ``/archive/<yyyy>/<mm>/``, the articles published in
one month, paginated like the home page (web layer). WordPress's date
archives (``/2014/05/``) answer 301 here (:mod:`advice.wordpress.redirects`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone

from advice import caching
from advice.models import Article
from advice.pages import _article_list_html, _to_last_page
from config.methods import allow_methods
from config.pagequery import PageOutOfRange, requested_page
from config.shared_pages import shared_page


def month_bounds(year: int, month: int) -> tuple[datetime, datetime | None]:
    """The first moment of ``month`` (1-12) of ``year`` and of the month
    after (None after December 9999), in the site's time zone
    (``TIME_ZONE``), as WordPress dates its archives in the site's time.
    Raises Http404 for a month that cannot be (month 0 or 13, year 0, a
    moment the database cannot hold)."""
    try:
        start = timezone.make_aware(datetime(year, month, 1))
        after = (year + 1, 1) if month == 12 else (year, month + 1)
        end = timezone.make_aware(datetime(*after, 1)) if after[0] <= 9999 else None
        start.astimezone(UTC)  # the database stores UTC: it must fit
    except (ValueError, OverflowError):
        raise Http404("There is no such month.") from None
    return start, end


@allow_methods("GET", "HEAD")
@shared_page(params=("page",))
def archive_month(request, year: str, month: str):
    """``/archive/<yyyy>/<mm>/``: the articles published in that month,
    newest first, ``?page=N`` like the home page. 404 for a month with no
    published article and for one that cannot be."""
    start, end = month_bounds(int(year), int(month))
    now = timezone.now()
    articles = Article.objects.published(now).filter(published_at__gte=start)
    if end is not None:
        articles = articles.filter(published_at__lt=end)
    if not articles.exists():
        raise Http404("No articles were published in that month.")
    number, target = requested_page(request, "page")
    if target is not None:
        return HttpResponsePermanentRedirect(target)
    state = caching.site_state(now) if caching.enabled() else None
    try:
        html = _article_list_html(articles, f"month-{year}-{month}", number, state, now, "")
    except PageOutOfRange as beyond:
        return _to_last_page(request, "page", beyond)
    context = {"month": date(int(year), int(month), 1), "article_list_html": html}
    return render(request, "advice/archive_month.html", context)
