"""The two links in reply-notification e-mails (web layer of
:mod:`advice.comments.notify`).

- ``/comments/confirm/<token>/``: double opt-in. GET shows what would be
  confirmed and a "Yes, e-mail me" button; only the POST confirms. A GET
  must change nothing because mail scanners and link previews open links
  in messages on their own: a confirming GET would opt an address in
  without its owner. The POST carries the CSRF token, as any form here.
- ``/comments/unsubscribe/<token>/``: one-click unsubscribe (RFC 8058). A
  mail client POSTs ``List-Unsubscribe=One-Click`` to it with no cookie and
  no CSRF token, so the view is exempt from the CSRF check: the signed token
  in the address is what authenticates it, and ending a subscription is all
  it can do. GET shows a page with the same button for readers who follow
  the link in the text. Unsubscribing twice, or after the comment was
  removed or the subscription ended, answers the same.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from advice.comments.notify import (
    confirm_token_key,
    subscription_end,
    subscriptions_confirm,
    subscriptions_waiting,
    unsubscribe_token_key,
)
from config.methods import allow_methods
from config.origin import cross_origin_allowed

MSG_BAD_CONFIRM = (
    "This confirmation link is not valid or has expired. Nothing was changed: "
    "tick “E-mail me when someone replies” on your next comment to get a new one."
)
MSG_NOTHING_TO_CONFIRM = "There is nothing to confirm: the request was withdrawn or has expired."
MSG_BAD_UNSUBSCRIBE = (
    "This unsubscribe link is not valid. Use the link from the most recent e-mail "
    "you received from us."
)


@never_cache
@allow_methods("GET", "HEAD", "POST")
def subscription_confirm(request, token: str):
    """Confirm an address for reply notifications: GET shows the articles
    waiting for it (200) and a button, or says the address is confirmed
    already when none waits (a link opened again); POST confirms them (200,
    "done"). A forged or expired token: 400; a subscription that is gone:
    404. Nothing is changed except by the POST."""
    key = confirm_token_key(token)
    if key is None:
        return _confirm_page(request, message=MSG_BAD_CONFIRM, status=400)
    waiting = subscriptions_waiting(key)
    if waiting is None:
        return _confirm_page(request, message=MSG_NOTHING_TO_CONFIRM, status=404)
    if request.method == "POST":
        subscriptions_confirm(key=key, now=timezone.now())
        return _confirm_page(request, done=True)
    articles = list(dict.fromkeys(s.article for s in waiting))
    if not articles:  # every subscription of the address is confirmed
        return _confirm_page(request, already=True)
    return _confirm_page(request, articles=articles)


def _confirm_page(request, *, message="", status=200, done=False, already=False, articles=()):
    return render(
        request,
        "advice/comments/subscription_confirm.html",
        {"message": message, "done": done, "already": already, "articles": articles},
        status=status,
    )


@cross_origin_allowed  # RFC 8058 one-click, from a mail client (config.origin)
@csrf_exempt  # RFC 8058 one-click: the signed token authenticates the POST (module docstring)
@never_cache
@allow_methods("GET", "HEAD", "POST")
def subscription_unsubscribe(request, token: str):
    """Stop reply notifications of one subscription. POST (a mail client's
    one-click ``List-Unsubscribe=One-Click``, or the page's button) ends it
    and answers 200 whether or not it still existed; GET shows the button.
    A forged token: 400, nothing changed."""
    key = unsubscribe_token_key(token)
    if key is None:
        return _unsubscribe_page(request, message=MSG_BAD_UNSUBSCRIBE, status=400)
    if request.method == "POST":
        subscription_end(key=key)
        return _unsubscribe_page(request, done=True)
    return _unsubscribe_page(request)


def _unsubscribe_page(request, *, message="", status=200, done=False):
    return render(
        request,
        "advice/comments/subscription_unsubscribe.html",
        {"message": message, "done": done},
        status=status,
    )
