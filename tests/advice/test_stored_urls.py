"""Stored addresses are never trusted at display (advice.weblinks,
``Comment.website``): a commenter's website that is not http or https,
however it reached the database, is never a link, on the page, in the
comment feed, in the admin or in the held-comment e-mail; the name is shown
as plain text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from advice.comments import moderation
from advice.models import Comment
from advice.weblinks import web_url
from tests.advice.comments.posting import comment_from, post

HOSTILE = [
    "javascript:alert(1)",
    " JAVASCRIPT:alert(document.cookie)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//evil.example",
    "vbscript:msgbox(1)",
    "ftp://files.example",
    "evil.example",
    "/relative/path",
    "http:evil.example",
    "https://",
]
# Linked, the scheme in lower case (RFC 3986: schemes are case-insensitive).
LINKED = {
    "http://ok.example": "http://ok.example",
    "https://ok.example": "https://ok.example",
    "HTTPS://OK.example/Path?q=1": "https://OK.example/Path?q=1",
    "  https://ok.example/  ": "https://ok.example/",
}


class Anchors(HTMLParser):
    """Every ``<a>``'s attributes, and the page's text."""

    def __init__(self, html: str):
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append(dict(attrs))

    def handle_data(self, data):
        self.text += data


def hrefs(html: str) -> list[str]:
    return [a.get("href") or "" for a in Anchors(html).anchors]


def assert_never_linked(html: str) -> None:
    for href in hrefs(html):
        lowered = "".join(href.split()).lower()
        assert not lowered.startswith(("javascript:", "data:", "vbscript:", "//", "ftp:")), href
        assert "evil.example" not in lowered, href


@pytest.fixture
def stored(make_article, make_comment):
    """``stored(url, **fields)``: an approved comment whose website is ``url``
    written straight into the table (no form, no model validation)."""

    def make(url: str, **fields):
        comment = make_comment(make_article(), author_name="Mallory", **fields)
        Comment.objects.filter(pk=comment.pk).update(author_url=url)
        comment.refresh_from_db()
        return comment

    return make


@pytest.mark.parametrize("value", HOSTILE)
def test_web_url_refuses_anything_but_http_and_https(value):
    assert web_url(value) == ""


@pytest.mark.parametrize(("value", "expected"), LINKED.items())
def test_web_url_keeps_http_and_https_with_the_scheme_in_lower_case(value, expected):
    assert web_url(value) == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_article_page_shows_the_name_as_plain_text(client, stored, value):
    comment = stored(value)
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert_never_linked(html)
    page = Anchors(html)
    assert "Mallory" in page.text
    assert not any(a.get("rel") == "nofollow ugc" for a in page.anchors)


@pytest.mark.parametrize(("value", "expected"), LINKED.items())
def test_article_page_links_an_http_or_https_website(client, stored, value, expected):
    comment = stored(value)
    html = client.get(comment.article.get_absolute_url()).content.decode()
    links = [a for a in Anchors(html).anchors if a.get("href") == expected]
    assert len(links) == 1
    assert links[0]["rel"] == "nofollow ugc"


def test_a_held_comment_shown_to_its_writer_follows_the_same_rule(client, make_article):
    article = make_article()
    held = comment_from(post(client, article, email="first@example.com"))
    Comment.objects.filter(pk=held.pk).update(author_url="javascript:alert(1)")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in html
    assert_never_linked(html)


@pytest.mark.parametrize("value", HOSTILE)
def test_comment_feed_never_links_it(client, stored, value):
    comment = stored(value)
    feed = client.get(reverse("advice:comment_feed", args=[comment.article.slug]))
    assert feed.status_code == 200
    text = feed.content.decode().lower()
    assert "javascript:" not in text
    assert "evil.example" not in text


@pytest.mark.parametrize("value", HOSTILE)
def test_admin_list_and_form_never_link_it(staff_client, stored, value):
    comment = stored(value)
    listing = staff_client.get(reverse("admin:advice_comment_changelist") + "?status=all")
    assert "Mallory" in listing.content.decode()
    assert_never_linked(listing.content.decode())
    form = staff_client.get(reverse("admin:advice_comment_change", args=[comment.pk]))
    assert form.status_code == 200
    assert_never_linked(form.content.decode())


def test_admin_list_links_an_https_website(staff_client, stored):
    stored("https://ok.example/me")
    listing = staff_client.get(reverse("admin:advice_comment_changelist") + "?status=all")
    assert "https://ok.example/me" in hrefs(listing.content.decode())


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("javascript:alert(1)", "Website: (not shown: not an http or https address)"),
        ("//evil.example", "Website: (not shown: not an http or https address)"),
        ("HTTPS://ok.example", "Website: https://ok.example"),
        ("", "Website: -"),
    ],
)
def test_held_comment_mail_shows_only_a_web_address(
    stored, value, shown, settings, django_capture_on_commit_callbacks
):
    settings.MANAGERS = [("Editors", "editors@example.com")]
    comment = stored(value, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.comment_held_notify(comment=comment) is True
    body = mail.outbox[0].body
    assert shown in body
    assert "javascript:" not in body
    assert "evil.example" not in body


# --- Stored HTML: rendered on save, cleaned again wherever it is shown -------

UNSAFE_HTML = (
    '<p>Read <a href="javascript:alert(1)">this</a> and '
    '<a href=" JAVASCRIPT:alert(2)">that</a>.</p>'
    '<script>alert(3)</script><p onclick="alert(4)">Clicked</p>'
    '<img src="data:image/svg+xml,x" alt="pic">'
)


def assert_no_unsafe_markup(html: str) -> None:
    lowered = html.lower()
    assert "javascript:" not in lowered
    assert "alert(" not in lowered  # no script, handler or link of the stored HTML
    assert "onclick" not in lowered
    assert "data:image" not in lowered


def test_article_html_written_around_save_is_cleaned_on_the_page_and_in_feeds(client, make_article):
    article = make_article(question="A question?", answer="An answer.")
    type(article).objects.filter(pk=article.pk).update(
        question_html=UNSAFE_HTML, answer_html=UNSAFE_HTML
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Clicked" in page  # the text stays, the danger goes
    assert_no_unsafe_markup(page)
    for feed in ("/feed/", "/feed/atom/"):
        assert_no_unsafe_markup(client.get(feed).content.decode())


def test_imported_comment_html_written_around_the_importer_is_cleaned(
    client, make_article, make_comment
):
    article = make_article()
    comment = make_comment(article, body="Thanks!")
    Comment.objects.filter(pk=comment.pk).update(body_html=UNSAFE_HTML)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Clicked" in page
    assert_no_unsafe_markup(page)
    feed = client.get(reverse("advice:comment_feed", args=[article.slug])).content.decode()
    assert_no_unsafe_markup(feed)


@pytest.mark.parametrize(
    "markdown",
    [
        "A [link](https://example.org/x) and [ours](/topics/).",
        "Text[^1] and more.\n\n[^1]: The note.",
        "## Next steps {#next}\n\n[see below](#next)",
        "| a | b |\n|:--|--:|\n| 1 | 2 |",
        '![pic](https://example.org/p.png "Title")\n\n> quoted\n\n1. one\n2. two',
    ],
)
def test_cleaning_again_leaves_safe_html_as_it_was(make_article, markdown):
    """Cleaning at display changes nothing the renderer made (it is the
    same allow-list), so pages look exactly as before."""
    article = make_article(question=markdown, answer=markdown)
    assert article.question_shown_html == article.question_html
    assert article.answer_shown_html == article.answer_html
