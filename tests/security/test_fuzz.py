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

A fuzz that only checks "no 500" passes when every example is refused, so a
broken signed token or honeypot would go unseen. Each form's test therefore
also draws *well-formed* examples (valid fields, the token the page hands
out, an empty honeypot) and counts what reached the form's goal: a comment
or reader question stored (rows counted before and after), a note
downloaded or filled in, a reminder made. The test fails unless a large
share of the well-formed examples got there (:meth:`Tally.assert_reached`).
The tallies are printed (``pytest -s`` or ``-rP``) and put in the failure
message.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date, datetime
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings as django_settings
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from advice.models import Comment, ReaderQuestion
from notes.models import NoteTemplate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

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
# Clean text with something left after trimming: what a required field takes.
filled_text = clean_text.filter(str.strip)


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
    """Counts, for one fuzz test, the examples and their answers by status
    and content type; and, for the well-formed examples, how many reached
    the form's ``goal`` ("stored", "downloaded"…) and how the others were
    answered. :meth:`report` prints it all (``pytest -s`` or ``-rP``)."""

    def __init__(self, name: str, goal: str = "") -> None:
        self.name = name
        self.goal = goal
        self.count = 0
        self.reached = 0
        self.statuses: dict[str, int] = {}
        self.well_formed = 0
        self.well_formed_reached = 0
        self.well_formed_missed: dict[str, int] = {}
        self.started = time.monotonic()

    def check(self, response, what, *, well_formed: bool = False, reached: bool = False) -> None:
        """Count ``response`` to the example ``what``: fails on a 5xx.
        ``well_formed``: the example was built valid; ``reached``: it got to
        the goal (a row stored, a file downloaded)."""
        self.count += 1
        kind = response.get("Content-Type", "").split(";")[0]
        key = f"{response.status_code} {kind}"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        assert response.status_code < 500, (
            f"{self.name}: {response.status_code} for {what!r}: {response.exc_info!r}"
        )
        self.reached += reached
        if well_formed:
            self.well_formed += 1
            self.well_formed_reached += reached
            if not reached:
                self.well_formed_missed[key] = self.well_formed_missed.get(key, 0) + 1

    def summary(self) -> str:
        """One line: examples, time, answers by status and what reached the goal."""
        seconds = time.monotonic() - self.started
        text = (
            f"fuzz {self.name}: {self.count} examples, 0 server errors, {seconds:.1f} s, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )
        if self.goal:
            text += (
                f"; {self.goal} {self.reached}; well-formed {self.well_formed}, "
                f"{self.goal} {self.well_formed_reached}, "
                f"others answered {dict(sorted(self.well_formed_missed.items()))}"
            )
        return text

    def report(self) -> None:
        """Print :meth:`summary` (shown with ``pytest -s`` or ``-rP``)."""
        print("\n" + self.summary())

    def assert_reached(self, share: float) -> None:
        """Fail unless there were well-formed examples and at least ``share``
        (0 to 1) of them reached the goal: a form that refuses everything (a
        broken token or honeypot rule) must not pass as "no 500"."""
        assert self.well_formed > 0, f"no well-formed examples: {self.summary()}"
        got = self.well_formed_reached / self.well_formed
        assert got >= share, (
            f"only {got:.0%} of well-formed examples {self.goal} (want {share:.0%}): "
            f"{self.summary()}"
        )


_TOKEN = re.compile(r'<input[^>]*name="token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def page_token(client, path: str) -> bytes:
    """The signed token of the form on the page at ``path``, as the page
    hands it to a browser (the timing rules are off, so one token serves
    every example of a test)."""
    response = client.get(path)
    assert response.status_code == 200, path
    field = _TOKEN.search(response.content.decode())
    assert field, f"no token field on {path}"
    value = _VALUE.search(field.group(0))
    assert value, f"empty token on {path}"
    assert value.group(1), f"empty token on {path}"
    return value.group(1).encode()


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
# Addresses the forms take: valid and at most 100 characters (WordPress's limit).
good_email = st.emails().filter(lambda e: len(e) <= 100).map(str.encode)


def one_in(n: int, strategy):
    """``strategy``'s value in about one example of ``n``, else ``None``."""
    return st.integers(1, n).flatmap(lambda k: strategy if k == 1 else st.none())


# Well-formed comments (one example in four: a stored comment costs more
# than a refused one): a name, a body (made unique, so the duplicate rule
# refuses none), an e-mail address and now and then a website.
good_comment = st.fixed_dictionaries(
    {"name": filled_text.map(_wire), "email": good_email, "body": filled_text.map(_wire)},
    optional={"url": st.sampled_from([b"https://example.com/", b"example.org"])},
)


def test_comment_form(web, article):
    tally = Tally("comment form", goal="stored")
    path = reverse("advice:comment_post", args=[article.slug])
    token = page_token(web, article.get_absolute_url())
    serial = iter(range(1, 10**9))

    @fuzz
    @given(
        pairs=st.one_of(st.just([]), fields_of(COMMENT_FIELDS)),  # half clean, half messy
        name=st.one_of(clean_text.map(_wire), wire_value),
        email=st.one_of(good_email, wire_value),
        body=st.one_of(clean_text.map(_wire), wire_value),
        signed=st.booleans() | st.just(True),
        good=one_in(4, good_comment),
    )
    def run(pairs, name, email, body, signed, good):
        if good is not None:
            data = good | {"token": token}
            data["body"] += f" #{next(serial)}".encode()
        else:
            data = dict(pairs)
            data.update(name=name, email=email, body=body)
            if signed:
                data["token"] = token
                data.pop("honeypot", None)
        before = Comment.objects.count()
        response = post_with(web, path, list(data.items()))
        stored = Comment.objects.count() > before
        tally.check(response, data, well_formed=good is not None, reached=stored)

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
    tally.assert_reached(0.9)


ASK_FIELDS = ["name", "email", "question", "consent_to_publish", "honeypot", "token"]


# Well-formed questions (one example in four): an e-mail address and a question; a name and the
# consent box now and then.
good_question = st.fixed_dictionaries(
    {"email": good_email, "question": filled_text.map(_wire)},
    optional={"name": clean_text.map(_wire), "consent_to_publish": st.just(b"on")},
)


def test_ask_form(web, db):
    tally = Tally("ask form", goal="stored")
    path = reverse("advice:ask")
    token = page_token(web, path)

    @fuzz
    @given(
        pairs=fields_of(ASK_FIELDS),
        email=st.one_of(good_email, wire_value),
        question=st.one_of(clean_text.map(_wire), wire_value),
        signed=st.booleans() | st.just(True),
        good=one_in(4, good_question),
    )
    def run(pairs, email, question, signed, good):
        if good is not None:
            data = good | {"token": token}
        else:
            data = dict(pairs)
            data.update(email=email, question=question)
            if signed:
                data["token"] = token
                data.pop("honeypot", None)
        before = ReaderQuestion.objects.count()
        response = post_with(web, path, list(data.items()))
        stored = ReaderQuestion.objects.count() > before
        tally.check(response, data, well_formed=good is not None, reached=stored)

    run()
    tally.report()
    tally.assert_reached(0.9)


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


# Well-formed drafts: every blank filled with clean text; a real time zone;
# the interview's day and time both given or both left out.
good_draft = st.fixed_dictionaries(
    {f"blank_{n}": filled_text.map(_wire) for n in (1, 2, 3, 4)},
    optional={
        "tz": st.sampled_from([b"Europe/Berlin", b"UTC", b"Asia/Kolkata", b"Etc/GMT-14"]),
        "when": st.tuples(
            st.dates(date(1900, 1, 1), date(2200, 12, 31)).map(lambda d: d.isoformat().encode()),
            st.times().map(lambda t: t.strftime("%H:%M").encode()),
        ),
    },
)


def reached_note(action: str, response) -> bool:
    """Whether the drafter answered with the filled note: the ``text/plain``
    attachment for a download, the page showing filled blanks for a preview."""
    if action == "download":
        return response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.status_code == 200 and b'class="blank-filled"' in response.content


@pytest.mark.parametrize("action", ["preview", "download"])
def test_note_drafter_post(web, note, action):
    tally = Tally(f"note drafter POST ({action})", goal="filled")
    path = reverse("notes:detail", args=[note.slug])

    @fuzz
    @given(
        pairs=fields_of(DRAFTER_FIELDS),
        blanks=drafter_blanks,
        extras=drafter_extras,
        messy=st.booleans(),
        good=st.none() | good_draft,
    )
    def run(pairs, blanks, extras, messy, good):
        if good is not None:
            data = dict(good)
            if "when" in data:
                data["ended_date"], data["ended_time"] = data.pop("when")
        else:
            data = blanks | extras | (dict(pairs) if messy else {})
        if action == "download":
            data["action"] = b"download"
        response = post_with(web, path, list(data.items()))
        tally.check(
            response, data, well_formed=good is not None, reached=reached_note(action, response)
        )

    run()
    tally.report()
    tally.assert_reached(0.9)


def test_reminder_ics_query(web, note):
    tally = Tally("reminder.ics query", goal="made")
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
        response = get_with(web, path, pairs)
        made = response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        tally.check(response, pairs, well_formed=good[2], reached=made)

    run()
    tally.report()
    tally.assert_reached(0.9)


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
