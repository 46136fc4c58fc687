"""Reader-facing forms: the comment form and its signed timestamp
(:func:`form_token`, :func:`check_form_token`).

The form checks what can be checked from the request alone (field lengths,
the website's scheme, the honeypot and the signed timestamp); the rules that
read the comments table run in :func:`advice.comments.submit.comment_submit`.
See docs/architecture.md ("``comments/``").
"""

from __future__ import annotations

from datetime import datetime

from django import forms

from advice.comments.submit import CommentData
from advice.form_renderer import DIRECT_RENDERER
from advice.models import CommentSubscription, acts_as_columnist
from advice.reader_fields import EmailAddressField, PlainTextField, WebsiteField
from advice.reader_refusals import ReaderRefusals
from advice.signed_forms import SignedForm


def form_token(article_id: int, now: datetime) -> str:
    """A signed token for the comment form of ``article_id``, made at ``now``
    (see :mod:`advice.signed_forms`): it cannot be forged or moved to another
    article."""
    return CommentForm.token_for(now, scope=article_id)


def check_form_token(
    token: str | None,
    *,
    article_id: int,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
    opened: float | None = None,
) -> str | None:
    """Check a token from :func:`form_token`. Returns ``None`` when it is good,
    otherwise the reader-facing reason it is refused
    (:data:`advice.signed_forms.TOKEN_MESSAGES`): a bad signature, or a token
    for another article; and, when ``timing`` is on, one whose window began
    more than ``max_age`` seconds ago (default 2 hours), or a form the
    browser says was ``opened`` fewer than ``min_age`` seconds before it was
    sent (default 2 s: no person types that fast; ``None``: not said)."""
    return CommentForm.token_refusal(
        token, now=now, min_age=min_age, max_age=max_age, timing=timing, scope=article_id,
        opened=opened,
    )  # fmt: skip


class CommentForm(ReaderRefusals, SignedForm):
    """A comment or a reply on one article.

    Field limits are WordPress's (name 245, e-mail 100, website 200, comment
    65,525 characters). ``honeypot`` and ``token`` come from
    :class:`advice.signed_forms.SignedForm`: the honeypot must stay empty;
    the token is :func:`form_token` for this article, checked on submit (a
    missing one is "This field is required."). A logged-in staff user comments as themselves: name
    and e-mail are taken from the account and need not be filled in.

    Construct with ``article`` (the article commented on), ``user`` (the
    request's user) and ``now`` (the request time). After ``is_valid()``,
    :meth:`refusal_message` says why it was refused and
    :meth:`comment_data` gives the cleaned values.
    """

    name = PlainTextField(
        label="Name",
        max_length=245,
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = EmailAddressField(help_text="Never shown.")
    url = WebsiteField(
        label="Website",
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = PlainTextField(
        label="Comment",
        max_length=65525,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    remember = forms.BooleanField(
        label="Remember my name, e-mail and website in this browser for next time",
        required=False,
    )
    notify_replies = forms.BooleanField(label="E-mail me when someone replies", required=False)
    notify_article = forms.BooleanField(
        label="E-mail me about all new comments on this article", required=False
    )

    # Its inputs and labels written out in Python, the same characters as
    # Django's widget templates (advice.form_renderer): the form is on every
    # article page.
    default_renderer = DIRECT_RENDERER
    token_salt = "advice.comments.form-token"
    refused_thing = "comment"
    fields_message = "Your comment was not posted: please correct the fields marked below."
    token_required = True
    # Refusals in the site's voice, focus on the field at fault (advice.reader_refusals).
    field_nouns = {
        "name": "name", "email": "e-mail address", "url": "website address", "body": "comment",
    }  # fmt: skip
    focus_field = "body"

    def __init__(self, *args, article, user=None, now: datetime | None = None, **kwargs):
        self.article = article
        self.user = user
        super().__init__(*args, now=now, **kwargs)
        if self.is_staff:
            for field in ("name", "email", "url", "remember"):
                self.fields[field].required = False

    @property
    def is_staff(self) -> bool:
        """True when the user comments as the columnist
        (:func:`advice.models.acts_as_columnist`)."""
        return acts_as_columnist(self.user)

    def token_scope(self) -> int:
        """The comment form's token is tied to its article."""
        return self.article.pk

    def fields_refusal(self) -> str:
        """A reply to a comment that is not there, else the marked fields."""
        if "parent" in self.errors:
            return "The comment you replied to could not be found. Your text is kept below."
        return self.fields_message

    def comment_data(self) -> CommentData:
        """The cleaned values as :class:`advice.comments.submit.CommentData`.
        Call only after ``is_valid()`` returned True."""
        cleaned = self.cleaned_data
        return CommentData(
            name=cleaned.get("name") or "",
            email=cleaned.get("email") or "",
            url=cleaned.get("url") or "",
            body=cleaned["body"],
            parent_id=cleaned.get("parent"),
            notify=(
                CommentSubscription.Scope.ARTICLE
                if cleaned.get("notify_article")
                else CommentSubscription.Scope.REPLIES
                if cleaned.get("notify_replies")
                else ""
            ),
        )
