"""The signed-form guard shared by the comment form and the Ask form.

This module owns the guard and its messages (docs/architecture.md,
``signed_forms.py``): :class:`SignedForm`, the base form both reader-facing
forms build on, in the shape of django-contrib-comments'
``CommentSecurityForm``, and the one table of refusal messages.

A form carries a token made when the page was rendered: the time (whole
seconds) and, for a comment form, the article id, signed with ``SECRET_KEY``
under a salt of the form's own (``django.core.signing``). A bot that posts
without loading the page, posts a page kept for hours
(``COMMENTS_SIGNATURE_MAX_AGE`` seconds) or posts faster than a person types
(``COMMENTS_SIGNATURE_MIN_AGE`` seconds) is refused; the two ages are checked
only while ``COMMENTS_TIMING_RULES`` is on. A hidden ``honeypot`` field that
people leave empty catches form-filling bots. Every refusal keeps the
reader's text: the view shows the form again with :meth:`SignedForm.refresh_token`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import ClassVar

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone


class TokenProblem(Enum):
    """Why a form token is refused."""

    BAD = "bad"  # not signed by us, for another form or article, or unreadable
    OLD = "old"  # older than the maximum age
    FAST = "fast"  # younger than the minimum age


# The one table of the guard's reader-facing refusals. Each says why, and that
# the text is kept. ``{thing}`` is what the form sends ("comment",
# "question"); ``{how}`` says how a token goes bad (a token tied to one
# article may also come from another page).
MSG_HONEYPOT = (
    "Your {thing} could not be accepted: a field that people leave empty was filled in. "
    "Your text is kept below."
)
TOKEN_MESSAGES = {
    TokenProblem.BAD: (
        "This form could not be checked (it may {how}). Your text is kept below; "
        "please send it again."
    ),
    TokenProblem.OLD: (
        "This form was open for too long and has expired. Your text is kept below; "
        "please send it again."
    ),
    TokenProblem.FAST: (
        "That was sent faster than a person can type. Your text is kept below; please "
        "wait a moment and send it again."
    ),
}
_HOW_BAD = {
    False: "have been changed",
    True: "belong to another page or have been changed",
}


def honeypot_message(thing: str) -> str:
    """The refusal shown when the honeypot was filled in, for a form that
    sends a ``thing`` ("comment", "question")."""
    return MSG_HONEYPOT.format(thing=thing)


def token_message(problem: TokenProblem, *, scoped: bool) -> str:
    """The refusal shown for a token ``problem``. ``scoped``: the token is
    tied to one object (an article), so a bad one may come from another
    page."""
    return TOKEN_MESSAGES[problem].format(how=_HOW_BAD[scoped])


def form_token_make(*, salt: str, now: datetime, scope: int | None = None) -> str:
    """A signed token made at ``now``; ``scope`` (e.g. an article id) ties it
    to one object, so it cannot be moved to another."""
    payload = {"t": int(now.timestamp())}
    if scope is not None:
        payload["a"] = int(scope)
    return signing.dumps(payload, salt=salt)


def form_token_problem(
    token: str | None,
    *,
    salt: str,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
    scope: int | None = None,
) -> TokenProblem | None:
    """Check a token from :func:`form_token_make` with the same ``salt`` and
    ``scope``. Returns ``None`` when it is good, else the
    :class:`TokenProblem`. A bad signature or scope is always refused; with
    ``timing`` on, so is a token older than ``max_age`` or younger than
    ``min_age`` seconds."""
    try:
        payload = signing.loads(token or "", salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return TokenProblem.BAD
    if not isinstance(payload, dict):
        return TokenProblem.BAD
    made = payload.get("t")
    if not isinstance(made, int) or payload.get("a") != scope:
        return TokenProblem.BAD
    if timing:
        age = now.timestamp() - made
        if age > max_age:
            return TokenProblem.OLD
        if age < min_age:
            return TokenProblem.FAST
    return None


class SignedForm(forms.Form):
    """A reader-facing form guarded by a honeypot and a signed time token.

    Subclasses set ``token_salt`` (their own, so one form's token does not
    pass another), ``refused_thing`` (what the form sends, for the honeypot
    message) and ``fields_message`` (the refusal when an ordinary field is
    wrong); a form tied to one object returns its id from
    :meth:`token_scope`. ``token_required``: a missing token is Django's
    "This field is required." rather than the bad-token refusal (the comment
    form's behaviour).

    Construct with ``now`` (the request time; default: now). After
    ``is_valid()``, :meth:`refusal_message` says why the form was refused;
    :meth:`refresh_token` prepares a refused form to be shown again.
    """

    token_salt: ClassVar[str]
    refused_thing: ClassVar[str]
    fields_message: ClassVar[str]
    token_required: ClassVar[bool] = False

    honeypot = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["token"].required = self.token_required
        self.fields["token"].initial = self.token_for(self.now, scope=self.token_scope())

    @classmethod
    def token_for(cls, now: datetime, *, scope: int | None = None) -> str:
        """A token for this form made at ``now``, tied to ``scope`` (an
        object id) when given."""
        return form_token_make(salt=cls.token_salt, now=now, scope=scope)

    @classmethod
    def token_refusal(
        cls,
        token: str | None,
        *,
        now: datetime,
        min_age: int,
        max_age: int,
        timing: bool = True,
        scope: int | None = None,
    ) -> str | None:
        """Check a token from :meth:`token_for`: ``None`` when good, else the
        reader-facing reason (:func:`token_message`). Ages in seconds; with
        ``timing`` off only the signature and scope are checked."""
        problem = form_token_problem(
            token, salt=cls.token_salt, now=now, min_age=min_age, max_age=max_age,
            timing=timing, scope=scope,
        )  # fmt: skip
        return token_message(problem, scoped=scope is not None) if problem else None

    def token_scope(self) -> int | None:
        """The id the token is tied to; ``None`` (not tied) by default."""
        return None

    def clean_honeypot(self) -> str:
        if self.cleaned_data.get("honeypot"):
            raise ValidationError(honeypot_message(self.refused_thing))
        return ""

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "")
        problem = self.token_refusal(
            token,
            now=self.now,
            min_age=settings.COMMENTS_SIGNATURE_MIN_AGE,
            max_age=settings.COMMENTS_SIGNATURE_MAX_AGE,
            timing=settings.COMMENTS_TIMING_RULES,
            scope=self.token_scope(),
        )
        if problem:
            raise ValidationError(problem)
        return token

    def refusal_message(self) -> str:
        """Why the form was refused, for the message above it: the honeypot's
        or the token's reason when one failed, else :meth:`fields_refusal`.
        "" when it was not refused (unbound or valid)."""
        if not self.is_bound or not self.errors:
            return ""
        for name in ("honeypot", "token"):
            if name in self.errors:
                return self.errors[name][0]
        return self.fields_refusal()

    def fields_refusal(self) -> str:
        """The refusal when only ordinary fields are wrong:
        ``fields_message`` unless a subclass knows better."""
        return self.fields_message

    def refresh_token(self) -> None:
        """Give a bound form (shown again after a refusal) a fresh token and
        an empty honeypot, so the reader can send it again; the other fields
        keep the reader's text. Does nothing to an unbound form."""
        if self.is_bound:
            data = self.data.copy()
            data["token"] = self.token_for(self.now, scope=self.token_scope())
            data["honeypot"] = ""
            self.data = data
