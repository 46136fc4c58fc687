"""Fuzzing every public form and query parameter: whatever a stranger sends,
the answer is never a 500.

Hypothesis makes the values: any Unicode text (control characters, NUL,
right-to-left marks, lone surrogates), raw bytes and very long strings. Text
that cannot be encoded as UTF-8 (lone surrogates) is sent the way a broken
client sends it: its code units as bytes (``surrogatepass``), percent-encoded,
so the server receives invalid UTF-8. Requests go through Django's test
client with ``raise_request_exception=False``, so a crash shows as the 500 a
reader would get (the exception is in the failure message).

Each form gets ``settings.FUZZ_EXAMPLES`` examples (2,000 by default, from
the ``FUZZ_EXAMPLES`` environment variable; ``make fuzz`` runs 20,000). The
comment and question forms get a valid signed token in most examples, so the
values reach the rules that read and write the database, not only the
form's first check.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings as django_settings
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from advice.comments.submit import form_token
from advice.questions.views import ask_token
from notes.models import NoteTemplate

pytestmark = pytest.mark.django_db

EXAMPLES = django_settings.FUZZ_EXAMPLES

fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- What a stranger can send ---------------------------------------------------

ODD_CHARACTERS = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r", "\r\n", "\t",
    "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202e", "\u2066", "\u2069",
    "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\U000e0001",
    "\ud800", "\udbff", "\udc00", "\udfff",  # lone surrogates
    "ש", "ع", "\u0301", "ǅ", "ß", "İ", "%", "%00", "&", "=", "+", ";", "#", "?", "/",
    "\\", "..", "'", '"', "<", ">", "{{", "}}", "{%", "[", "]", "@", ":", "\u3000",
]  # fmt: skip

pieces = st.one_of(
    st.characters(codec=None, exclude_categories=()),  # anything, surrogates included
    st.sampled_from(ODD_CHARACTERS),
)
short_text = st.lists(pieces, max_size=40).map("".join)
# Long values: repeated pieces of up to 70,000 characters (the comment body
# limit is 65,525), drawn rarely so the run stays quick.
long_text = st.builds(
    lambda piece, times: (piece * times)[:70_000],
    st.lists(pieces, min_size=1, max_size=8).map("".join),
    st.integers(min_value=200, max_value=70_000),
)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
# Number look-alikes that str.isdigit() accepts but int() does not ("²" gave
# 500s on /?p= and ?replytocom= before), and other odd numbers.
KNOWN_BAD_NUMBERS = ["²", "①", "١٢", "৩", "𝟗", "0" * 40, "9" * 40, "-1", "1e9", " 1", "1\x00"]
clean_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60
)


def _wire(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# A value as bytes on the wire: text (invalid UTF-8 where it holds lone
# surrogates), a clean value that passes the form, a number, raw bytes, and
# now and then a very long value.
wire_value = st.one_of(
    short_text.map(_wire),
    clean_text.map(_wire),
    numbers.map(str.encode),
    st.binary(max_size=60),
    st.integers(0, 59).flatmap(lambda n: long_text if n == 0 else short_text).map(_wire),
)


def encode_pairs(pairs: list[tuple[str, bytes]]) -> str:
    """``application/x-www-form-urlencoded`` of ``pairs`` (name, raw bytes),
    every byte kept as sent (no re-encoding by the client)."""
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs)


def fields_of(names: list[str]):
    """A strategy of form data: a wire value for some of ``names``, plus a
    few unknown fields now and then."""
    return st.tuples(
        st.dictionaries(st.sampled_from(names), wire_value, max_size=len(names)),
        st.lists(st.tuples(st.text(max_size=8), wire_value), max_size=2),
    ).map(lambda t: list(t[0].items()) + [(k, v) for k, v in t[1]])


# --- Checking -----------------------------------------------------------------


class Tally:
    """Counts examples and statuses per form, printed at the end of each test
    (``pytest -s`` or ``-rP`` shows them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.statuses: dict[str, int] = {}
        self.started = time.monotonic()

    def check(self, response, what: str) -> None:
        self.count += 1
        kind = response.get("Content-Type", "").split(";")[0]
        key = f"{response.status_code} {kind}"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        assert response.status_code < 500, (
            f"{self.name}: {response.status_code} for {what!r}: {response.exc_info!r}"
        )

    def report(self) -> None:
        seconds = time.monotonic() - self.started
        print(
            f"\nfuzz {self.name}: {self.count} examples, 0 server errors, "
            f"{seconds:.1f} s, statuses {dict(sorted(self.statuses.items()))}"
        )


@pytest.fixture
def web():
    """A test client that answers a crash with the 500 page, as in production."""
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def production_template_rendering(monkeypatch):
    """Render templates as production does: the test environment's
    instrumented render (which sends a signal and copies the context for
    every template and widget, for ``response.context``) is put back to
    Django's own, so the fuzz spends its time in the site's code."""
    original = getattr(_TestState, "saved_data", None)
    if original is not None and hasattr(original, "template_render"):
        monkeypatch.setattr(Template, "_render", original.template_render)


@pytest.fixture(autouse=True)
def quiet_and_permissive(settings):
    """Timing rules off so a valid token is accepted at once and the flood
    check does not refuse every second example (it stays on for the
    examples that reach it by other ways); 4xx warnings are not logged."""
    settings.COMMENTS_TIMING_RULES = False
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def article(make_article, make_comment, make_topic):
    topic = make_topic(slug="work")
    article = make_article(slug="fuzzed", topics=[topic], answer="Thank you notes work.")
    for _ in range(3):
        make_comment(article)
    return article


NOTE_BODY = "Hi, [name]!\n\nThanks for the [role] interview.\n\nBig fan of [show?].\n\n[your name]"


@pytest.fixture
def note(db):
    return NoteTemplate.objects.create(
        title="Thanks",
        slug="thanks",
        subject="Thank you: [role]",
        body=NOTE_BODY,
    )


def get_with(client, path: str, pairs: list[tuple[str, bytes]]):
    return client.generic("GET", f"{path}?{encode_pairs(pairs)}")


def post_with(client, path: str, pairs: list[tuple[str, bytes]]):
    return client.generic(
        "POST", path, encode_pairs(pairs), content_type="application/x-www-form-urlencoded"
    )


# --- Forms ---------------------------------------------------------------------

COMMENT_FIELDS = ["name", "email", "url", "body", "parent", "honeypot", "token", "remember"]
good_email = st.emails().map(str.encode)


def test_comment_form(web, article):
    tally = Tally("comment form")
    path = reverse("advice:comment_post", args=[article.slug])

    @fuzz
    @given(
        pairs=st.one_of(st.just([]), fields_of(COMMENT_FIELDS)),  # half clean, half messy
        name=st.one_of(clean_text.map(_wire), wire_value),
        email=st.one_of(good_email, wire_value),
        body=st.one_of(clean_text.map(_wire), wire_value),
        signed=st.booleans() | st.just(True),
    )
    def run(pairs, name, email, body, signed):
        data = dict(pairs)
        data.update(name=name, email=email, body=body)
        if signed:
            data["token"] = form_token(article.pk, timezone.now()).encode()
            data.pop("honeypot", None)
        tally.check(post_with(web, path, list(data.items())), data)

    for value in KNOWN_BAD_NUMBERS:  # a reply to "comment ²" once gave a 500
        fields = {"name": b"Ana", "email": b"ana@example.com", "body": b"Hi", "parent": value}
        tally.check(
            post_with(
                web, path, [(k, v.encode() if isinstance(v, str) else v) for k, v in fields.items()]
            ),
            value,
        )
    run()
    tally.report()


ASK_FIELDS = ["name", "email", "question", "consent_to_publish", "honeypot", "token"]


def test_ask_form(web, db):
    tally = Tally("ask form")
    path = reverse("advice:ask")

    @fuzz
    @given(
        pairs=fields_of(ASK_FIELDS),
        email=st.one_of(good_email, wire_value),
        question=st.one_of(clean_text.map(_wire), wire_value),
        signed=st.booleans() | st.just(True),
    )
    def run(pairs, email, question, signed):
        data = dict(pairs)
        data.update(email=email, question=question)
        if signed:
            data["token"] = ask_token(timezone.now()).encode()
            data.pop("honeypot", None)
        tally.check(post_with(web, path, list(data.items())), data)

    run()
    tally.report()


DRAFTER_FIELDS = [
    "blank_1", "blank_2", "blank_3", "blank_4", "blank_0", "blank_99",
    "ended_date", "ended_time", "tz", "back", "action",
]  # fmt: skip
# Mostly clean blanks, so the note is filled and the download path is reached.
drafter_blanks = st.fixed_dictionaries(
    {f"blank_{n}": st.one_of(clean_text.map(_wire), wire_value) for n in (1, 2, 4)},
    optional={"blank_3": wire_value},
)
drafter_extras = st.fixed_dictionaries(
    {},
    optional={
        "tz": st.sampled_from(["Europe/Berlin", "UTC", "Asia/Kolkata", "Etc/GMT+14"]).map(
            str.encode
        ),
        "ended_date": st.dates().map(lambda d: d.isoformat().encode()),
        "ended_time": st.times().map(lambda t: t.strftime("%H:%M").encode()),
        "back": st.sampled_from([b"/articles/x/", b"//evil.example/", b"javascript:alert(1)"]),
    },
)


@pytest.mark.parametrize("action", ["preview", "download"])
def test_note_drafter_post(web, note, action):
    tally = Tally(f"note drafter POST ({action})")
    path = reverse("notes:detail", args=[note.slug])

    @fuzz
    @given(
        pairs=fields_of(DRAFTER_FIELDS),
        blanks=drafter_blanks,
        extras=drafter_extras,
        messy=st.booleans(),
    )
    def run(pairs, blanks, extras, messy):
        data = blanks | extras | (dict(pairs) if messy else {})
        if action == "download":
            data["action"] = b"download"
        tally.check(post_with(web, path, list(data.items())), data)

    run()
    tally.report()


def test_reminder_ics_query(web, note):
    tally = Tally("reminder.ics query")
    path = reverse("notes:reminder", args=[note.slug])
    at = st.one_of(
        wire_value,
        st.datetimes(datetime(1800, 1, 1), datetime(2300, 1, 1)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M").encode()
        ),
    )
    tz = st.one_of(
        wire_value,
        st.timezone_keys().map(str.encode),
        st.sampled_from([b"../../etc/passwd", b"Europe/Berlin\x00", b"/UTC", b"localtime"]),
    )

    good_at = st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M").encode()
    )
    good_tz = st.sampled_from([b"UTC", b"Europe/Berlin", b"Asia/Tokyo", b"America/St_Johns"])

    @fuzz
    @given(
        at=at,
        tz=tz,
        extra=fields_of(["at", "tz", "x"]),
        messy=st.booleans(),
        good=st.tuples(good_at, good_tz, st.booleans()),
    )
    def run(at, tz, extra, messy, good):
        if good[2]:
            at, tz = good[0], good[1]
        pairs = [*(extra if messy else []), ("at", at), ("tz", tz)]
        tally.check(get_with(web, path, pairs), pairs)

    run()
    tally.report()


# --- Query parameters -------------------------------------------------------------

QUERY_CASES = {
    "search q and page": ("advice:search", [], ["q", "page"]),
    "home page and p": ("advice:home", [], ["page", "p"]),
    "topic page": ("advice:topic_detail", ["work"], ["page"]),
    "ask suggest q": ("advice:ask_suggest", [], ["q"]),
    "article cpage and replytocom": ("advice:article_detail", ["fuzzed"], ["cpage", "replytocom"]),
}


@pytest.mark.parametrize("case", QUERY_CASES)
def test_query_parameters(web, article, case):
    name, args, params = QUERY_CASES[case]
    tally = Tally(case)
    path = reverse(name, args=args)

    # Values hypothesis found before: digits that str.isdigit() accepts but
    # int() does not ("²" gave a 500 on /?p=), and other number look-alikes.
    for value in KNOWN_BAD_NUMBERS:
        for param in params:
            tally.check(get_with(web, path, [(param, value.encode())]), value)

    @fuzz
    @given(pairs=fields_of(params))
    def run(pairs):
        tally.check(get_with(web, path, pairs), pairs)

    run()
    tally.report()


def test_topic_and_article_paths(web, article):
    """Any bytes as the slug of a topic, an article, a note or an old
    WordPress path: 404 or a redirect, never a 500. (Beyond the forms, so a
    quarter of the examples.)"""
    tally = Tally("topic / article / note / old paths")
    # NUL in a slug reached PostgreSQL as a DataError (500) before.
    for path in ["/topics/%00/", "/topics/work/%00/", "/articles/a%00b/", "/notes/%00/", "/%00/"]:
        tally.check(web.generic("GET", path), path)

    @hypothesis_settings(fuzz, max_examples=max(EXAMPLES // 4, 1))
    @given(
        prefix=st.sampled_from(["/topics/", "/articles/", "/notes/", "/", "/topics/work/"]),
        raw=wire_value,
    )
    def run(prefix, raw):
        path = prefix + quote_from_bytes(raw[:2000], safe="/") + "/"
        tally.check(web.generic("GET", path), path)

    run()
    tally.report()
