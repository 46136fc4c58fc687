"""The signed-form guard shared by the comment form and the Ask form.

This module owns the guard and its messages (docs/architecture.md,
``signed_forms.py``): :class:`SignedForm`, the base form both reader-facing
forms build on, in the shape of django-contrib-comments'
``CommentSecurityForm``, and the one table of refusal messages.

A form carries a token signed with ``SECRET_KEY`` under a salt of the form's
own (``django.core.signing``): the time it was made, rounded down to a
window of :func:`token_window` seconds, and, for a comment form, the article
id. Everyone who loads a form within one window gets the same token, so a
page holding the form is the same bytes for every reader without state of
their own and can be served whole from a cache (issue 14, SECURITY.md
"Cross-site requests"). A bot that posts without loading the page, or posts
a page kept for hours (older than ``COMMENTS_SIGNATURE_MAX_AGE`` seconds,
counted from the window's start, so a form lasts at least that age minus one
window), is refused.

"Too fast" can no longer come from the token, which is shared. It comes from
the reader's browser instead: ``static/js/form_opened.js`` measures how long
the form was open (from its first focus or input, or from the page load when
the form comes back with the reader's text) and sends it in the hidden
``open_ms`` field. Sent in under ``COMMENTS_SIGNATURE_MIN_AGE`` seconds, the
form is refused; without that field (no JavaScript, or a client that leaves
it out) there is no too-fast check. It is a speed bump against scripted
browsers, not a defence: anything can send any number. Both ages are checked
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


def token_window() -> int:
    """Seconds in one token window: everyone who loads a form within one
    window gets the same token (module docs). An eighth of
    ``COMMENTS_SIGNATURE_MAX_AGE`` (15 minutes of the default 2 hours), at
    least 1: a form then lasts at least seven eighths of that age."""
    return max(1, int(settings.COMMENTS_SIGNATURE_MAX_AGE or 0) // 8)


def token_window_start(now: datetime, window: int | None = None) -> int:
    """The start (whole seconds since the epoch) of the ``window``-second
    token window (default :func:`token_window`) holding ``now``."""
    size = window or token_window()
    return int(now.timestamp()) // size * size


def token_window_end(now: datetime, window: int | None = None) -> int:
    """When (whole seconds since the epoch) the token made at ``now`` gives
    way to the next window's: a page holding it may be kept until then
    without handing out a token older than one window."""
    return token_window_start(now, window) + (window or token_window())


def form_token_make(
    *, salt: str, now: datetime, scope: int | None = None, window: int | None = None
) -> str:
    """The signed token of the ``window``-second window (default
    :func:`token_window`) holding ``now``: the same string for every call
    within one window. ``scope`` (e.g. an article id) ties it to one object,
    so it cannot be moved to another."""
    payload = {"t": token_window_start(now, window)}
    if scope is not None:
        payload["a"] = int(scope)
    return signing.dumps(payload, salt=salt)


def open_seconds(raw: object) -> float | None:
    """How long the form was open before it was sent (seconds), from the
    ``open_ms`` field the page's script fills in (milliseconds, a whole
    number); ``None`` when it is missing, empty, not a number or negative:
    then there is no too-fast check."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 15:
        return None
    return int(text) / 1000


def form_token_problem(
    token: str | None,
    *,
    salt: str,
    now: datetime,
    min_age: int,
    max_age: int,
    timing: bool = True,
    scope: int | None = None,
    opened: float | None = None,
) -> TokenProblem | None:
    """Check a token from :func:`form_token_make` with the same ``salt`` and
    ``scope``. Returns ``None`` when it is good, else the
    :class:`TokenProblem`. A bad signature or scope is always refused; with
    ``timing`` on, so is a token whose window started more than ``max_age``
    seconds before ``now``, and a form the browser says was open for
    ``opened`` seconds, fewer than ``min_age`` (``None``: not reported, no
    such check)."""
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
        if now.timestamp() - made > max_age:
            return TokenProblem.OLD
        if opened is not None and opened < min_age:
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
    # Filled in by static/js/form_opened.js: milliseconds the form was open.
    open_ms = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["token"].required = self.token_required
        self.fields["token"].initial = self.token_for(self.now, scope=self.token_scope())

    @classmethod
    def token_for(cls, now: datetime, *, scope: int | None = None) -> str:
        """The token for this form in the window holding ``now``
        (:func:`form_token_make`), tied to ``scope`` (an object id) when
        given."""
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
        opened: float | None = None,
    ) -> str | None:
        """Check a token from :meth:`token_for`, and ``opened`` (seconds the
        browser says the form was open, :func:`open_seconds`): ``None`` when
        good, else the reader-facing reason (:func:`token_message`). Ages in
        seconds; with ``timing`` off only the signature and scope are
        checked."""
        problem = form_token_problem(
            token, salt=cls.token_salt, now=now, min_age=min_age, max_age=max_age,
            timing=timing, scope=scope, opened=opened,
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
            opened=open_seconds(self.data.get(self.add_prefix("open_ms"))),
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
        """Give a bound form (shown again after a refusal) a fresh token, an
        empty honeypot and no ``open_ms`` (the page's script measures
        again), so the reader can send it again; the other fields keep the
        reader's text. Does nothing to an unbound form."""
        if self.is_bound:
            data = self.data.copy()
            data["token"] = self.token_for(self.now, scope=self.token_scope())
            data["honeypot"] = ""
            data["open_ms"] = ""
            self.data = data
