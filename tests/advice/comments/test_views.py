"""The article page's comment section and the comment form's address
(:mod:`advice.comments.views`): refusals keep the reader's text, reply links,
404s, odd input, "remember me", permalinks and comment pages, query counts."""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advice.comments import views as comment_views
from advice.models import Article, Comment
from tests.advice.comments.posting import assert_refused, comment_from, page_of, post, token_for


@pytest.mark.parametrize(
    "body",
    [
        "Thanks 🙈",
        "شكراً جزيلاً على هذه النصيحة المفيدة",
        "תודה רבה! (Thanks) 123",
        "C:\\Users\\demo",
        "Line one\n\n  indented line two\n<b>not bold</b> & 'quotes' \"too\"",
    ],
    ids=["emoji", "arabic", "hebrew-mixed", "windows-path", "markup-and-lines"],
)
def test_reader_text_round_trips_exactly(client, make_article, returning, body):
    returning()
    article = make_article()
    comment = comment_from(post(client, article, name="Zoë 🙈 زينب", body=body))
    comment.refresh_from_db()
    assert comment.body == body
    assert comment.author_name == "Zoë 🙈 زينب"
    raw = client.get(article.get_absolute_url()).content.decode()
    assert "<b>not bold</b>" not in raw
    assert body.split("\n")[0] in page_of(client.get(article.get_absolute_url()))


def test_windows_line_breaks_are_stored_as_typed(client, make_article):
    comment = comment_from(post(client, make_article(), body="one\r\ntwo"))
    assert comment.body == "one\ntwo"


def test_honeypot_filled_is_refused_and_text_kept(client, make_article):
    article = make_article()
    response = post(client, article, body="I am a person", honeypot="http://spam.example")
    assert_refused(response, 400, text="I am a person", says="people leave empty")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("not-a-token", "could not be checked"),
        ("eyJhIjoxLCJ0IjoxfQ:1xXbOs:bogus", "could not be checked"),
    ],
)
def test_bad_signature_is_refused_and_text_kept(client, make_article, token, says):
    response = post(client, make_article(), body="Signed badly", token=token)
    assert_refused(response, 400, text="Signed badly", says=says)
    assert not Comment.objects.exists()


def test_form_token_of_another_article_is_refused(client, make_article):
    other = make_article()
    response = post(client, make_article(), body="Moved form", token=token_for(other))
    assert_refused(response, 400, text="Moved form", says="could not be checked")


def test_form_open_over_two_hours_is_refused_and_given_a_fresh_token(client, make_article):
    article = make_article()
    stale = token_for(article, age_seconds=2 * 3600 + 5)
    response = post(client, article, body="Slow typist", token=stale)
    page = assert_refused(response, 400, text="Slow typist", says="open for too long")
    assert stale not in page
    assert 'name="token" value="' in page
    assert not Comment.objects.exists()


def test_form_sent_too_fast_is_refused(client, make_article):
    article = make_article()
    # The browser reports how long the form was open (static/js/form_opened.js).
    response = post(client, article, body="Bot speed", token=token_for(article, 0), open_ms="900")
    assert_refused(response, 400, text="Bot speed", says="faster than a person")


def test_timing_rules_off_accepts_fresh_and_old_forms(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    fresh = token_for(article, 0)
    assert post(client, article, body="fresh", token=fresh, open_ms="1").status_code == 303
    old = token_for(article, 5 * 24 * 3600)
    assert post(client, article, body="old", token=old).status_code == 303


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 245), ("email", 100), ("url", 200), ("body", 65525)],
)
def test_field_limits_at_the_boundary_through_the_page(client, make_article, field, limit):
    def value(n):
        if field == "email":
            return "e" * (n - len("@example.com")) + "@example.com"
        if field == "url":
            return "https://example.com/" + "u" * (n - len("https://example.com/"))
        return "ü" * (n - 4) + "🙈end"

    article = make_article()
    accepted = comment_from(post(client, article, **{field: value(limit)}))
    stored = {
        "name": accepted.author_name,
        "email": accepted.author_email,
        "url": accepted.author_url,
        "body": accepted.body,
    }[field]
    assert stored == value(limit)
    assert len(stored) == limit

    too_long = value(limit + 1)
    response = post(client, make_article(), **{"body": "kept body", field: too_long})
    page = assert_refused(response, 400, text=too_long, says="correct the fields")
    assert f"is {limit + 1:,} characters long; the limit is {limit:,}." in page
    assert Comment.objects.count() == 1


def test_website_must_be_http_or_https(client, make_article):
    response = post(client, make_article(), url="javascript:alert(1)", body="keep me")
    assert_refused(response, 400, text="keep me", says="starting with http:// or https://")


@pytest.mark.parametrize("parent", ["abc", "99999999", str(2**64), "-5", "1; DROP TABLE"])
def test_reply_to_nonsense_or_missing_parent_is_refused(client, make_article, parent):
    response = post(client, make_article(), parent=parent, body="Odd parent")
    assert response.status_code == 400
    assert "Odd parent" in page_of(response)
    assert not Comment.objects.exists()


def test_a_reply_link_costs_one_lookup_of_the_comment_replied_to(
    make_article, make_comment, settings
):
    settings.FRAGMENT_CACHE = False  # both pages rendered whole (page cache off too)
    article = make_article()
    target = make_comment(article)
    url = article.get_absolute_url()
    counts = []
    for query in ("", f"?replytocom={target.pk}"):
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url + query).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[1] == counts[0] + 1


def test_reply_link_without_javascript_sets_the_form_parent(client, make_article, make_comment):
    article = make_article()
    target = make_comment(article, author_name="Bianca")
    url = f"{article.get_absolute_url()}?replytocom={target.pk}"
    page = page_of(client.get(url))
    assert f'name="parent" value="{target.pk}"' in page
    assert "Reply to" in page
    assert "Cancel reply" in page
    assert f'href="?replytocom={target.pk}#respond"' in page


@pytest.mark.parametrize("value", ["abc", "99999", "", "-1"])
def test_reply_link_to_unknown_comment_goes_to_the_page_without_it(client, make_article, value):
    # Never a page of its own (each made-up id would be a cache entry).
    url = make_article().get_absolute_url()
    response = client.get(f"{url}?replytocom={value}")
    assert response.status_code == 302
    assert response["Location"] == url
    assert "no-store" in response["Cache-Control"]
    page = page_of(client.get(f"{url}?replytocom={value}", follow=True))
    assert 'name="parent" value=' not in page


def test_reply_link_to_a_held_comment_is_not_kept(client, make_article, make_comment):
    article = make_article()
    held = make_comment(article, status=Comment.Status.PENDING)
    response = client.get(f"{article.get_absolute_url()}?replytocom={held.pk}")
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()


def test_reply_links_only_on_approved_comments_while_open(client, make_article, make_comment):
    article = make_article()
    approved = make_comment(article)
    page = page_of(client.get(article.get_absolute_url()))
    assert f"replytocom={approved.pk}" in page
    article.comment_status = Article.CommentStatus.CLOSED
    article.save()
    page = page_of(client.get(article.get_absolute_url()))
    assert "replytocom" not in page
    assert "commentform" not in page


def test_page_loads_the_reply_script_without_inline_script(client, make_article):
    page = client.get(make_article().get_absolute_url()).content.decode()
    assert '<script src="/static/js/comments.js" defer></script>' in page
    assert "<script>" not in page
    assert " style=" not in page


@pytest.mark.parametrize(
    "fields",
    [{"status": Article.Status.DRAFT}, {"published_at": timezone.now() + timedelta(days=2)}],
    ids=["draft", "scheduled"],
)
def test_post_to_unpublished_article_is_404(client, staff_client, make_article, fields):
    article = make_article(**fields)
    assert post(client, article).status_code == 404
    assert post(staff_client, article).status_code == 404
    assert not Comment.objects.exists()


def test_post_to_unknown_article_is_404(client, db):
    url = reverse("advice:comment_post", args=["no-such-article"])
    assert client.post(url, {"body": "x"}).status_code == 404
    assert client.get(url).status_code == 404


def test_opening_the_comment_address_goes_to_the_articles_form(client, make_article):
    """After a refusal the address bar shows the POST address; loading it
    again must lead back to the form, not to an empty error page."""
    article = make_article()
    response = client.get(reverse("advice:comment_post", args=[article.slug]))
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url() + "#respond"


@pytest.mark.parametrize(
    "fields",
    [
        {"body": "nul \x00 byte"},
        {"name": "\x00"},
        {"email": "a\x00@example.com"},
        {"body": "x" * 300_000},
        {"name": "n" * 100_000},
        {"email": "@" * 5000},
        {"url": "http://" + "a" * 10_000 + ".com"},
        {"url": "http://[::1"},
        {"parent": "١٢"},  # Arabic-Indic digits
        {"token": "é" * 10_000},
        {"name": None, "email": None, "body": None, "token": None},
        {"remember": "maybe"},
    ],
)
def test_odd_input_never_gives_a_500(client, make_article, fields):
    response = post(client, make_article(), **fields)
    assert response.status_code in (400, 303)


def test_invalid_utf8_and_encoded_surrogates_never_give_a_500(client, make_article):
    article = make_article()
    token = token_for(article)
    body = (
        b"name=%ED%A0%80Ana&email=ana%40example.com&body=%FF%FE%ED%B0%80+text"
        b"&token=" + token.encode()
    )
    response = client.post(
        reverse("advice:comment_post", args=[article.slug]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (303, 400)
    for comment in Comment.objects.all():
        comment.body.encode("utf-8")  # stored text is valid Unicode


def test_odd_query_strings_on_the_article_page(client, make_article):
    url = make_article().get_absolute_url()
    for query in ("replytocom=%00", "replytocom=1e9"):  # no such comment: without it
        response = client.get(f"{url}?{query}")
        assert response.status_code == 302, query
        assert response["Location"] == url, query
    # Page numbers not in normal form go to it (config.pagequery): one comment
    # page here, so every one of these is the plain article.
    # A page beyond the last (cpage=99999) only for now: 302, not 301.
    for query in ("cpage=abc", "cpage=99999", "cpage=-1", "cpage=1", "cpage=+1", "cpage=%00"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == (302 if query == "cpage=99999" else 301), query
        assert response["Location"] == url, query
        assert client.get(response["Location"]).status_code == 200


def test_remember_me_prefills_the_form_with_any_script(client, make_article):
    article = make_article()
    name = "Zoë 🙈 زينب"
    post(
        client,
        article,
        name=name,
        email="zoe@example.com",
        url="https://zoë.example/",
        remember="on",
    )
    assert client.cookies["comment_author"].value.isascii()
    page = page_of(client.get(article.get_absolute_url()))
    assert f'name="name" value="{name}"' in page
    assert 'name="email" value="zoe@example.com"' in page
    assert 'value="https://zoë.example/"' in page
    assert 'name="remember" id="id_remember" checked' in page


def test_without_remember_me_nothing_is_prefilled(client, make_article):
    article = make_article()
    post(client, article, name="Ana", remember="on")
    post(client, article, name="Ana", body="second, not remembered", email="x@example.com")
    page = page_of(client.get(article.get_absolute_url()))
    assert 'name="name" value=' not in page


def test_tampered_remember_cookie_is_ignored(client, make_article):
    client.cookies["comment_author"] = "eyJuIjoiRXZlIn0:forged:sig"
    page = page_of(client.get(make_article().get_absolute_url()))
    assert 'name="name" value=' not in page


def test_the_comment_form_page_is_shared_only_while_the_reader_has_no_state(client, make_article):
    # Without state the page holds nothing of the reader's (no token, no
    # name): a shared cache may keep it briefly, browsers ask each time.
    url = make_article().get_absolute_url()
    shared = client.get(url)["Cache-Control"]
    assert "public" in shared
    assert "max-age=0" in shared
    assert "s-maxage=" in shared
    # With a remember-me cookie the form carries their name and a token:
    # never stored anywhere.
    client.cookies["comment_author"] = "anything"
    personal = client.get(url)["Cache-Control"]
    assert "no-store" in personal
    assert "private" in personal
    assert "public" not in personal


def test_long_threads_paginate_and_redirect_to_the_new_comments_page(
    client, make_article, make_comment, settings
):
    # Pages hold at most COMMENTS_PER_PAGE comments; a thread that fits stays
    # on one page (advice.comments.threads.page_starts).
    settings.COMMENTS_PER_PAGE = 3
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    tops = [make_comment(article, body=f"Top {n}") for n in range(5)]
    make_comment(article, parent=tops[0], body="Reply to top 0")
    url = article.get_absolute_url()

    first = page_of(client.get(url))
    assert "Top 0" in first
    assert "Reply to top 0" in first
    assert "Top 1" in first
    assert "Top 2" not in first
    assert "Comment page 1 of 2" in first
    assert "?cpage=2#comments" in first
    last = page_of(client.get(f"{url}?cpage=2"))
    assert "Top 4" in last
    assert "Top 0" not in last
    assert "6 Responses" in last
    assert f"?cpage=2&replytocom={tops[4].pk}#respond" in last

    new = post(client, article, body="Newest top-level")
    assert new["Location"].startswith(f"{url}?cpage=3#comment-")
    reply = post(client, article, parent=tops[0].pk, body="Late reply to the first")
    assert reply["Location"].startswith(f"{url}#comment-")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert "commentform" in response.content.decode()
    return len(ctx.captured_queries)


def test_page_with_form_and_own_held_comments_has_a_fixed_query_count(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_TIMING_RULES = False
    settings.FRAGMENT_CACHE = False  # the cold page's queries (cached: tests/advice/test_caching)
    counts = {}
    articles = {n: make_article() for n in (0, 5, 50)}  # alike: the same related articles
    for n, article in articles.items():
        parent = None
        for i in range(n):
            parent = make_comment(article, parent=parent if i % 2 else None)
        anonymous = Client()
        counts[("anonymous", n)] = _count_queries(anonymous, article.get_absolute_url())
        writer = Client()
        assert post(writer, article, body=f"held on {n}").status_code == 303
        assert post(writer, article, body=f"held {n}", email="o@example.com").status_code == 303
        counts[("writer", n)] = _count_queries(writer, article.get_absolute_url())
    anonymous = {v for (who, _), v in counts.items() if who == "anonymous"}
    writer = {v for (who, _), v in counts.items() if who == "writer"}
    assert len(anonymous) == 1, counts
    assert len(writer) == 1, counts
    assert writer.pop() == anonymous.pop() + 1  # one query for the browser's held comments


# --- NUL characters, invisible text ----------------------------------------------------


def test_nul_characters_are_taken_out_of_the_body_and_name(client, make_article):
    comment = comment_from(post(client, make_article(), name="A\x00na", body="nul\x00byte here"))
    comment.refresh_from_db()
    assert (comment.author_name, comment.body) == ("Ana", "nulbyte here")


def test_a_comment_with_nul_refused_for_another_reason_keeps_the_rest(client, make_article):
    response = post(client, make_article(), body="nul\x00byte here", email="not an address")
    page = assert_refused(response, 400, text="nulbyte here", says="does not look like an e-mail")
    assert "Null characters" not in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "says", "kept"),
    [
        ({"body": "\u200b\u200b"}, "Your comment has no visible text.", "\u200b\u200b"),
        ({"body": "\u200d \u200c\n\u2060\ufeff"}, "Your comment has no visible text.", "\u2060"),
        ({"body": "\u00ad\u200e\U000e0041"}, "Your comment has no visible text.", "\u00ad"),
        ({"name": "\ufeff\u200b"}, "Your name has no visible text.", "\ufeff\u200b"),
    ],
    ids=["zero-width-spaces", "joiners-and-bom", "other-format-characters", "name"],
)
def test_a_comment_nobody_could_see_is_refused_and_kept(client, make_article, fields, says, kept):
    assert_refused(post(client, make_article(), **fields), 400, text=kept, says=says)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "\U0001f469\u200d\U0001f4bb\u200b",  # an emoji ZWJ sequence, a stray zero-width space
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZWNJ
    ],
    ids=["emoji-zwj", "persian-zwnj"],
)
def test_joiners_next_to_visible_text_are_kept(client, make_article, body):
    comment = comment_from(
        post(client, make_article(), name="\u0632\u06cc\u200c\u0646\u0628", body=body)
    )
    comment.refresh_from_db()
    assert comment.body == body
    assert comment.author_name == "\u0632\u06cc\u200c\u0646\u0628"


# --- a database failing once the comment is stored ------------------------------------


def test_a_database_failure_after_the_comment_is_stored_still_redirects_to_it(
    client, make_article, monkeypatch, caplog
):
    # Simulates the database failing (a killed connection) after the commit;
    # the function the view calls to find the comment's page is replaced.
    def database_down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(comment_views, "comment_place", database_down)
    article = make_article()
    with caplog.at_level(logging.WARNING, logger="advice.comments.views"):
        response = post(client, article, body="Stored before the failure.")
    comment = Comment.objects.get()
    assert comment.body == "Stored before the failure."
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert f"comment {comment.pk} stored" in caplog.text
