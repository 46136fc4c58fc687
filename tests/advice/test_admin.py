"""The editors' admin for articles: the pages load, their filters, search and
date hierarchy work, and the Markdown editor posts to our own endpoints."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advice.models import Article

CHANGELIST = "admin:advice_article_changelist"


class Elements(HTMLParser):
    """Start tags of a page as (tag, attributes) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(response) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def articles(make_article, make_topic, make_comment):
    jobs = make_topic(name="Job search", slug="job-search")
    manners = make_topic(name="Manners", slug="manners")
    thank_you = make_article(
        title="Thank-you note after an interview",
        slug="thank-you-note",
        asker="Bianca",
        topics=[jobs, manners],
    )
    make_comment(thank_you)
    draft = make_article(
        title="Following up on a résumé", slug="resume-follow-up", status=Article.Status.DRAFT
    )
    closed = make_article(
        title="Declining an offer politely",
        slug="declining",
        comment_status=Article.CommentStatus.CLOSED,
        topics=[jobs],
    )
    return {"thank_you": thank_you, "draft": draft, "closed": closed, "jobs": jobs}


def titles_listed(response) -> set[str]:
    return {str(article.title) for article in response.context["cl"].result_list}


def test_changelist_lists_articles_with_filters_search_and_dates(staff_client, articles):
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert titles_listed(response) == {
        "Thank-you note after an interview",
        "Following up on a résumé",
        "Declining an offer politely",
    }
    filter_titles = {spec.title for spec in response.context["cl"].filter_specs}
    assert filter_titles == {"status", "comments", "topics"}
    html = response.content.decode()
    assert 'id="changelist-search"' in html
    assert '<nav class="toplinks">' in html  # the date hierarchy
    assert "published_at__year=" in html or "published_at__month=" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "draft"}, {"Following up on a résumé"}),
        ({"comment_status__exact": "closed"}, {"Declining an offer politely"}),
        ("topic:jobs", {"Thank-you note after an interview", "Declining an offer politely"}),
        ({"q": "Bianca"}, {"Thank-you note after an interview"}),
        ({"q": "résumé"}, {"Following up on a résumé"}),
    ],
)
def test_changelist_filters_and_search_narrow_the_list(staff_client, articles, query, expected):
    if query == "topic:jobs":
        query = {"topics__id__exact": articles["jobs"].pk}
    response = staff_client.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    assert titles_listed(response) == expected


def test_changelist_date_hierarchy_drills_down_by_publish_date(staff_client, articles):
    published = articles["thank_you"].published_at
    response = staff_client.get(
        reverse(CHANGELIST),
        {"published_at__year": published.year, "published_at__month": published.month},
    )
    assert response.status_code == 200
    assert "Thank-you note after an interview" in titles_listed(response)
    assert response.context["cl"].date_hierarchy == "published_at"


def test_changelist_query_count_does_not_grow_with_articles(staff_client, make_article):
    make_article()
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(reverse(CHANGELIST)).status_code == 200
    for _ in range(20):
        make_article()
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(reverse(CHANGELIST)).status_code == 200
    assert len(many) == len(few)


def test_add_page_has_markdownx_editor_posting_to_our_paths(staff_client, articles):
    response = staff_client.get(reverse("admin:advice_article_add"))
    assert response.status_code == 200
    found = elements(response)
    editors = {
        attrs["name"]: attrs
        for tag, attrs in found
        if tag == "textarea" and "markdownx-editor" in (attrs.get("class") or "")
    }
    assert set(editors) == {"question", "answer"}
    for attrs in editors.values():
        assert attrs["data-markdownx-urls-path"] == reverse("markdownx_markdownify")
        assert attrs["data-markdownx-upload-urls-path"] == reverse("markdownx_upload")
    scripts = [attrs.get("src") or "" for tag, attrs in found if tag == "script"]
    assert any("markdownx/js/markdownx" in src for src in scripts)


def test_add_page_prepopulates_slug_from_title(staff_client):
    response = staff_client.get(reverse("admin:advice_article_add"))
    (constants,) = [
        attrs
        for tag, attrs in elements(response)
        if tag == "script" and attrs.get("id") == "django-admin-prepopulated-fields-constants"
    ]
    (slug,) = json.loads(constants["data-prepopulated-fields"])
    assert slug["id"] == "#id_slug"
    assert slug["dependency_ids"] == ["#id_title"]
    assert slug["allowUnicode"] is True  # readable slugs for non-Latin titles
    assert 'name="slug"' in response.content.decode()


def test_change_page_renders_the_article(staff_client, articles):
    article = articles["thank_you"]
    response = staff_client.get(reverse("admin:advice_article_change", args=[article.pk]))
    assert response.status_code == 200
    assert "Thank-you note after an interview" in response.content.decode()


def inline_management_data(staff_client, url: str) -> dict[str, str]:
    """The management-form fields of every inline on the admin page at
    ``url`` (empty inlines), so a POST is valid whatever inlines exist."""
    page = staff_client.get(url)
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            value = management.initial.get(name)
            data[management.add_prefix(name)] = "" if value is None else str(value)
        data[management.add_prefix("TOTAL_FORMS")] = "0"
    return data


def test_saving_through_the_admin_renders_the_answer(staff_client):
    url = reverse("admin:advice_article_add")
    response = staff_client.post(
        url,
        {
            **inline_management_data(staff_client, url),
            "title": "Saying no to a second interview",
            "slug": "saying-no",
            "asker": "Ravi",
            "question": "Can I decline?",
            "answer": "Yes, *politely*. <script>alert(1)</script>",
            "status": "published",
            "published_at_0": "2024-05-01",
            "published_at_1": "09:00:00",
            "comment_status": "open",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get(slug="saying-no")
    assert article.answer_html == "<p>Yes, <em>politely</em>. </p>"
    assert article.author == staff_client.user


def test_markdownx_paths_come_from_settings():
    assert reverse("markdownx_markdownify") == settings.MARKDOWNX_URLS_PATH
    assert reverse("markdownx_upload") == settings.MARKDOWNX_UPLOAD_URLS_PATH
