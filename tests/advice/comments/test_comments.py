"""Posting comments and replies through the article page, as a reader would."""

import html
import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advice.comments.submit import MSG_CLOSED, comment_submit, form_token
from advice.models import Article, Comment

_ips = itertools.count(1)


def token_for(article, age_seconds=30):
    """A form token as the page would have made it ``age_seconds`` ago."""
    return form_token(article.pk, timezone.now() - timedelta(seconds=age_seconds))


def post(client, article, *, remote_addr=None, headers=None, **fields):
    """Post the comment form of ``article``. Each call comes from its own
    address unless ``remote_addr`` is given, so the flood rule stays out of
    tests that are not about it."""
    data = {
        "name": "Ana",
        "email": "ana@example.com",
        "url": "",
        "body": "Thank you for this.",
        "token": token_for(article),
        "honeypot": "",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        reverse("advice:comment_post", args=[article.slug]),
        data,
        REMOTE_ADDR=remote_addr or f"198.51.100.{next(_ips) % 250 + 1}",
        headers=headers or {},
    )


def page_of(response):
    return html.unescape(response.content.decode())


def comment_from(response):
    """The comment a 303 response points at (``...#comment-<id>``)."""
    assert response.status_code == 303, response.status_code
    return Comment.objects.get(pk=int(response["Location"].rsplit("#comment-", 1)[1]))


@pytest.fixture
def returning(make_comment, make_article):
    """Make ``email`` a returning commenter (one approved comment elsewhere)."""

    def make(email="ana@example.com"):
        yesterday = timezone.now() - timedelta(days=1)
        make_comment(make_article(), author_email=email, created_at=yesterday)

    return make


# --- storing and holding -------------------------------------------------------------


def test_first_comment_is_held_and_only_its_writer_sees_it(client, make_article):
    article = make_article()
    response = post(client, article, body="My very first words here.")
    comment = comment_from(response)
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert comment.browser_key and len(comment.browser_key) == 64

    mine = page_of(client.get(article.get_absolute_url()))
    assert "My very first words here." in mine
    assert "Your comment is awaiting moderation." in mine
    assert f'id="comment-{comment.pk}"' in mine

    stranger = page_of(Client().get(article.get_absolute_url()))
    assert "My very first words here." not in stranger
    assert "awaiting moderation" not in stranger


def test_browser_cookie_cannot_be_guessed_from_another_browser(client, make_article):
    article = make_article()
    comment = comment_from(post(client, article, body="Only mine."))
    other = Client()
    other.cookies["comment_browser"] = comment.browser_key  # the stored hash is not the key
    assert "Only mine." not in page_of(other.get(article.get_absolute_url()))


def test_returning_commenter_is_approved_and_seen_by_everyone(client, make_article, returning):
    returning("ana@example.com")
    article = make_article()
    comment = comment_from(post(client, article, email="ANA@example.com", body="Back again."))
    assert comment.status == Comment.Status.APPROVED
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Back again." in page and "awaiting moderation" not in page


def test_first_time_rule_can_be_turned_off(client, make_article, settings):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    comment = comment_from(post(client, make_article()))
    assert comment.status == Comment.Status.APPROVED


def test_two_links_are_held_one_is_not(client, make_article, returning, settings):
    settings.COMMENTS_TIMING_RULES = False
    returning()
    article = make_article()
    one = comment_from(post(client, article, body="See https://example.org/a"))
    two = comment_from(post(client, article, body="See https://a.example and www.b.example"))
    assert one.status == Comment.Status.APPROVED
    assert two.status == Comment.Status.PENDING


def test_hold_word_holds_the_comment(client, make_article, returning, settings):
    returning()
    settings.COMMENTS_HOLD_WORDS = ["payday"]
    comment = comment_from(post(client, make_article(), body="Try a PayDay loan."))
    assert comment.status == Comment.Status.PENDING


def test_spam_word_is_stored_as_spam_but_told_as_awaiting(
    client, make_article, returning, settings
):
    returning()
    settings.COMMENTS_SPAM_WORDS = ["casino"]
    article = make_article()
    comment = comment_from(post(client, article, body="Best casino online"))
    assert comment.status == Comment.Status.SPAM
    mine = page_of(client.get(article.get_absolute_url()))
    assert "Best casino online" in mine
    assert "Your comment is awaiting moderation." in mine
    assert "spam" not in mine.lower()
    assert "Best casino online" not in page_of(Client().get(article.get_absolute_url()))


def test_held_comment_emails_the_articles_author(
    client, make_article, django_user_model, django_capture_on_commit_callbacks
):
    author = django_user_model.objects.create_user("columnist", email="col@example.com")
    article = make_article(author=author, title="Waiting to Hear Back")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_from(post(client, article))
    assert comment.status == Comment.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["col@example.com"]
    assert "Waiting to Hear Back" in mail.outbox[0].subject


def test_staff_comment_is_approved_at_once_as_the_columnist(staff_client, make_article):
    user = staff_client.user
    user.first_name, user.last_name, user.email = "Alison", "Green", "alison@example.com"
    user.save()
    article = make_article()
    page = page_of(staff_client.get(article.get_absolute_url()))
    assert "Commenting as" in page and "Alison Green" in page
    comment = comment_from(post(staff_client, article, name="", email="", body="Columnist here."))
    assert comment.status == Comment.Status.APPROVED
    assert comment.by_columnist and comment.user == user
    assert (comment.author_name, comment.author_email) == ("Alison Green", "alison@example.com")
    public = page_of(Client().get(article.get_absolute_url()))
    assert "Columnist here." in public and "Columnist</span>" in public


def test_client_address_and_user_agent_are_kept_for_moderators(client, make_article, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    comment = comment_from(
        post(
            client,
            make_article(),
            remote_addr="10.0.0.2",
            headers={"x-forwarded-for": "6.6.6.6, 203.0.113.9", "user-agent": "Lynx/2.9"},
        )
    )
    assert comment.ip_address == "203.0.113.9"
    assert comment.user_agent == "Lynx/2.9"


# --- text round-trips exactly ---------------------------------------------------------


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


# --- refusals: each one keeps the reader's text and says why --------------------------


def assert_refused(response, status, *, text, says):
    assert response.status_code == status
    page = page_of(response)
    assert text in page, "the reader's text must be kept in the form"
    assert says in page, "the page must say why"
    return page


def test_honeypot_filled_is_refused_and_text_kept(client, make_article):
    article = make_article()
    response = post(client, article, body="I am a person", honeypot="http://spam.example")
    assert_refused(response, 400, text="I am a person", says="people leave empty")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "token, says",
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
    response = post(client, article, body="Bot speed", token=token_for(article, 0))
    assert_refused(response, 400, text="Bot speed", says="faster than a person")


def test_timing_rules_off_accepts_fresh_and_old_forms(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    assert post(client, article, body="fresh", token=token_for(article, 0)).status_code == 303
    old = token_for(article, 5 * 24 * 3600)
    assert post(client, article, body="old", token=old).status_code == 303


def test_flood_from_the_same_address_is_refused_429(client, make_article):
    article = make_article()
    assert (
        post(client, article, remote_addr="203.0.113.5", email="a@example.com").status_code == 303
    )
    response = post(
        client, article, remote_addr="203.0.113.5", email="b@example.com", body="Second thought"
    )
    assert_refused(response, 429, text="Second thought", says="wait 15 seconds")
    assert Comment.objects.count() == 1


def test_flood_from_the_same_email_is_refused_from_any_address(client, make_article):
    post(client, make_article(), email="same@example.com")
    response = post(client, make_article(), email="Same@Example.com", body="On another article")
    assert_refused(response, 429, text="On another article", says="too quickly")


def test_flood_interval_passed_is_accepted(client, make_article):
    article = make_article()
    first = comment_from(post(client, article, remote_addr="203.0.113.5"))
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=16))
    assert post(client, article, remote_addr="203.0.113.5", body="Later").status_code == 303


def test_flood_behind_trusted_proxy_tells_clients_apart(client, make_article, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    article = make_article()

    def via_proxy(client_ip, email, body):
        headers = {"x-forwarded-for": f"1.2.3.4, {client_ip}"}
        return post(
            client, article, remote_addr="10.0.0.2", headers=headers, email=email, body=body
        )

    assert via_proxy("203.0.113.1", "a@example.com", "first").status_code == 303
    assert via_proxy("203.0.113.2", "b@example.com", "other reader").status_code == 303
    assert via_proxy("203.0.113.1", "c@example.com", "same reader").status_code == 429


def test_staff_are_not_flood_limited(staff_client, make_article):
    article = make_article()
    assert post(staff_client, article, remote_addr="203.0.113.5", body="one").status_code == 303
    assert post(staff_client, article, remote_addr="203.0.113.5", body="two").status_code == 303


def test_duplicate_comment_is_refused_409_and_stored_once(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    assert post(client, article, body="Same words").status_code == 303
    response = post(client, article, body="Same words")
    assert_refused(response, 409, text="Same words", says="already said that")
    assert Comment.objects.count() == 1


def test_duplicate_by_name_with_another_email_is_refused(client, make_article, settings):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    post(client, article, name="Ana", email="one@example.com", body="Same words")
    response = post(client, article, name="Ana", email="two@example.com", body="Same words")
    assert response.status_code == 409


def test_same_words_on_another_article_or_by_another_author_are_fine(
    client, make_article, settings
):
    settings.COMMENTS_TIMING_RULES = False
    article = make_article()
    post(client, article, body="Great answer!")
    assert post(client, make_article(), body="Great answer!").status_code == 303
    other = post(client, article, name="Ben", email="ben@example.com", body="Great answer!")
    assert other.status_code == 303


@pytest.mark.parametrize(
    "field, limit",
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
    assert stored == value(limit) and len(stored) == limit

    too_long = value(limit + 1)
    response = post(client, make_article(), **{"body": "kept body", field: too_long})
    page = assert_refused(response, 400, text=too_long, says="correct the fields")
    assert f"at most {limit} characters" in page
    assert Comment.objects.count() == 1


def test_website_must_be_http_or_https(client, make_article):
    response = post(client, make_article(), url="javascript:alert(1)", body="keep me")
    assert_refused(response, 400, text="keep me", says="Enter a valid URL")


# --- replies ----------------------------------------------------------------------------


def test_reply_is_stored_under_its_parent(client, make_article, make_comment, returning):
    returning()
    article = make_article()
    parent = make_comment(article, author_name="Bianca")
    reply = comment_from(post(client, article, parent=parent.pk, body="Agreed."))
    assert reply.parent == parent
    page = page_of(client.get(article.get_absolute_url()))
    assert f'id="comment-{reply.pk}" class="comment depth-2' in page


def test_reply_naming_a_comment_of_another_article_is_refused(client, make_article, make_comment):
    elsewhere = make_comment(make_article())
    article = make_article()
    response = post(client, article, parent=elsewhere.pk, body="Wrong thread")
    assert_refused(response, 400, text="Wrong thread", says="can't take replies")
    assert not article.comments.exists()


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_reply_to_a_comment_that_is_not_approved_is_refused(
    client, make_article, make_comment, status
):
    article = make_article()
    hidden = make_comment(article, status=status)
    response = post(client, article, parent=hidden.pk, body="Reply to hidden")
    assert_refused(response, 400, text="Reply to hidden", says="can't take replies")
    assert article.comments.count() == 1


@pytest.mark.parametrize("parent", ["abc", "99999999", str(2**64), "-5", "1; DROP TABLE"])
def test_reply_to_nonsense_or_missing_parent_is_refused(client, make_article, parent):
    response = post(client, make_article(), parent=parent, body="Odd parent")
    assert response.status_code == 400
    assert "Odd parent" in page_of(response)
    assert not Comment.objects.exists()


def test_reply_12_levels_deep_attaches_at_the_deepest_allowed_level(
    client, make_article, make_comment, settings
):
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_TIMING_RULES = False
    assert settings.COMMENTS_MAX_DEPTH == 5
    article = make_article()
    top = make_comment(article)
    latest = top
    for level in range(2, 14):  # 12 replies, each answering the one before
        latest = comment_from(post(client, article, parent=latest.pk, body=f"Level {level}"))

    def depth(comment):
        n = 1
        while comment.parent_id:
            comment = comment.parent
            n += 1
        return n

    replies = list(article.comments.exclude(pk=top.pk).order_by("id"))
    assert [depth(c) for c in replies] == [2, 3, 4, 5] + [5] * 8
    assert depth(replies[-1].parent) == 4
    page = page_of(client.get(article.get_absolute_url()))
    assert "depth-6" not in page and page.count("comment depth-5") == 9


def test_reply_link_without_javascript_sets_the_form_parent(client, make_article, make_comment):
    article = make_article()
    target = make_comment(article, author_name="Bianca")
    url = f"{article.get_absolute_url()}?replytocom={target.pk}"
    page = page_of(client.get(url))
    assert f'name="parent" value="{target.pk}"' in page
    assert "Reply to" in page and "Cancel reply" in page
    assert f'href="?replytocom={target.pk}#respond"' in page


@pytest.mark.parametrize("value", ["abc", "99999", "", "-1"])
def test_reply_link_to_unknown_comment_is_ignored(client, make_article, value):
    page = page_of(client.get(f"{make_article().get_absolute_url()}?replytocom={value}"))
    assert 'name="parent" value=' not in page


def test_reply_links_only_on_approved_comments_while_open(client, make_article, make_comment):
    article = make_article()
    approved = make_comment(article)
    page = page_of(client.get(article.get_absolute_url()))
    assert f"replytocom={approved.pk}" in page
    article.comment_status = Article.CommentStatus.CLOSED
    article.save()
    page = page_of(client.get(article.get_absolute_url()))
    assert "replytocom" not in page and "commentform" not in page


def test_page_loads_the_reply_script_without_inline_script(client, make_article):
    page = client.get(make_article().get_absolute_url()).content.decode()
    assert '<script src="/static/js/comments.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page


# --- closing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"comment_status": Article.CommentStatus.CLOSED},
        {"comments_close_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["closed", "close-time-passed"],
)
def test_post_to_closed_article_is_refused_403_and_nothing_stored(client, make_article, fields):
    article = make_article(**fields)
    response = post(client, article, body="Too late")
    assert response.status_code == 403
    page = page_of(response)
    assert MSG_CLOSED in page and "Comments are closed." in page
    assert "Too late" in page  # kept, read-only, for the reader to copy
    assert "commentform" not in page
    assert not Comment.objects.exists()


def test_close_after_days_closes_old_articles(client, make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_article(published_at=timezone.now() - timedelta(days=15))
    recent = make_article(published_at=timezone.now() - timedelta(days=13))
    assert post(client, old).status_code == 403
    assert "Comments are closed." in page_of(client.get(old.get_absolute_url()))
    assert post(client, recent).status_code == 303


def test_form_loaded_while_open_and_sent_after_closing_is_refused(client, make_article):
    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    Article.objects.filter(pk=article.pk).update(comment_status=Article.CommentStatus.CLOSED)
    response = post(client, article, token=token, body="Stale form")
    assert response.status_code == 403
    assert "Stale form" in page_of(response)
    assert not Comment.objects.exists()


def test_comment_submit_itself_refuses_a_closed_article(make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(comment_status=Article.CommentStatus.CLOSED)
    from advice.comments.submit import ClientInfo, CommentData

    result = comment_submit(
        article=article,
        data=CommentData(name="Ana", email="ana@example.com", url="", body="direct"),
        user=None,
        client=ClientInfo(ip="203.0.113.1"),
        now=timezone.now(),
    )
    assert (result.status_code, result.stored) == (403, False)
    assert not Comment.objects.exists()


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


# --- nothing gives a 500 ------------------------------------------------------------------


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
    for query in ("replytocom=%00", "replytocom=1e9"):
        assert client.get(f"{url}?{query}").status_code == 200
    # Page numbers not in normal form go to it (config.pagequery): one comment
    # page here, so every one of these is the plain article.
    for query in ("cpage=abc", "cpage=99999", "cpage=-1", "cpage=1", "cpage=+1", "cpage=%00"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 301 and response["Location"] == url, query
        assert client.get(response["Location"]).status_code == 200


# --- remember me, caching -----------------------------------------------------------------


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


def test_pages_with_the_comment_form_are_never_cached(client, make_article):
    response = client.get(make_article().get_absolute_url())
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "private" in cache_control


# --- permalinks and pages ----------------------------------------------------------------


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
    assert "Top 0" in first and "Reply to top 0" in first and "Top 1" in first
    assert "Top 2" not in first
    assert "Comment page 1 of 2" in first and "?cpage=2#comments" in first
    last = page_of(client.get(f"{url}?cpage=2"))
    assert "Top 4" in last and "Top 0" not in last
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
    assert len(anonymous) == 1 and len(writer) == 1, counts
    assert writer.pop() == anonymous.pop() + 1  # one query for the browser's held comments
