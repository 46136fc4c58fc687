"""Helpers for tests that post the comment form as a reader would."""

import html
import itertools
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from advice.comments.forms import form_token
from advice.models import Comment

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


def assert_refused(response, status, *, text, says):
    assert response.status_code == status
    page = page_of(response)
    assert text in page, "the reader's text must be kept in the form"
    assert says in page, "the page must say why"
    return page
