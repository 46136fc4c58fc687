"""A bounded load on the site while a fault is injected, and the figures
it leaves.

:class:`Load` runs a few threads over urllib: readers on the article, the
home page and search; writers posting comments (each a distinct text, from
its own client address and e-mail, so no refusal rule applies); one asker
posting questions. Every answer is recorded as an :class:`Outcome`. A
comment counts as *acknowledged* when the site answered 303 (stored); a
request that got no HTTP answer at all (connection refused or reset, time
out) counts as *refused*.

The friendly 503 (:func:`is_friendly_503`) is the one
``advice.middleware.DatabaseUnavailableMiddleware`` gives: ``Retry-After``,
"We're back in a moment", and, for a post, the reader's text shown back.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from http.cookies import SimpleCookie

from tests.faults.site import ARTICLE, SEARCH_WORD
from tests.live_http import FormInputs, NoRedirect

REQUEST_TIMEOUT = 30  # seconds; longer than any busy timeout a fault test sets
FRIENDLY_503_TEXT = "back in a moment"
READ_PATHS = (f"/articles/{ARTICLE}/", "/", f"/search/?q={SEARCH_WORD}")


@dataclass(frozen=True)
class Outcome:
    """One request: when it ended (``time.monotonic()``), its kind
    ("read", "comment", "question"), the HTTP status (``None``: no
    answer), whether a 503 was the friendly one, and the comment text
    posted (comments only)."""

    at: float
    kind: str
    status: int | None
    friendly: bool = False
    body: str = ""


def is_friendly_503(status: int | None, headers, page: str, kept: str = "") -> bool:
    """Whether an answer is the site's friendly 503: ``Retry-After`` set,
    its page's words, and ``kept`` (the text the reader posted) shown back."""
    return (
        status == 503
        and bool(headers.get("Retry-After"))
        and FRIENDLY_503_TEXT in page
        and kept in page
    )


_opener = urllib.request.build_opener(NoRedirect)
_addresses = itertools.count(1)


def request(url: str, path: str, data: dict | None = None, *, ip: str = "198.51.100.1",
            headers: dict | None = None, body: bytes | None = None):  # fmt: skip
    """GET ``path`` (or POST ``data`` form-encoded, or raw ``body``) as a
    browser behind the TLS proxy would; returns ``(status, headers, page)``,
    status ``None`` when no HTTP answer came."""
    origin = "https://127.0.0.1"
    sent = {"X-Forwarded-Proto": "https", "X-Forwarded-For": ip, "Host": "127.0.0.1",
            "Origin": origin, "Referer": origin + path, **(headers or {})}  # fmt: skip
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
    req = urllib.request.Request(url + path, data=body, headers=sent)
    try:
        response = _opener.open(req, timeout=REQUEST_TIMEOUT)
    except urllib.error.HTTPError as error:
        response = error
    except (OSError, http.client.HTTPException):  # refused, reset, timed out, cut short
        return None, {}, ""
    try:
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):  # cut short (IncompleteRead)
        return None, {}, ""


def form_fields(url: str, path: str, form_id: str) -> tuple[dict, dict]:
    """The inputs of form ``form_id`` on ``path`` (its signed token, its
    CSRF token) and the headers that send the cookies the page set."""
    status, headers, page = request(url, path)
    assert status == 200, (status, page[:300])
    parser = FormInputs(form_id)
    parser.feed(page)
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    return parser.values, ({"Cookie": cookie} if cookie else {})


def ip_new() -> str:
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


class Load:
    """The load: ``readers`` reader threads, ``writers`` comment writers and
    one asker against the server at ``url``; comment texts start with
    ``prefix``. A context manager: started on entry, stopped on exit."""

    def __init__(self, url: str, prefix: str, *, readers: int = 3, writers: int = 2,
                 pause: float = 0.05):  # fmt: skip
        self.url, self.prefix, self.pause = url, prefix, pause
        self.outcomes: list[Outcome] = []
        self.stop_event = threading.Event()
        self.comment_form, self.comment_cookie = form_fields(
            url, f"/articles/{ARTICLE}/", "commentform"
        )
        self.ask_form, self.ask_cookie = form_fields(url, "/ask/", "ask-form")
        jobs = [self._reader] * readers + [self._writer] * writers + [self._asker]
        self.threads = [
            threading.Thread(target=job, args=(n,), daemon=True) for n, job in enumerate(jobs)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(REQUEST_TIMEOUT + 5)

    def _record(self, kind, status, friendly=False, body=""):
        self.outcomes.append(Outcome(time.monotonic(), kind, status, friendly, body))

    def _reader(self, n: int) -> None:
        for path in itertools.cycle(READ_PATHS[n % 3 :] + READ_PATHS[: n % 3]):
            if self.stop_event.is_set():
                return
            status, headers, page = request(self.url, path, ip=ip_new())
            self._record("read", status, is_friendly_503(status, headers, page))
            time.sleep(self.pause)

    def _writer(self, n: int) -> None:
        for count in itertools.count():
            if self.stop_event.is_set():
                return
            text = f"{self.prefix} comment {n}-{count}"
            data = {**self.comment_form, "name": f"Writer {n}", "url": "", "honeypot": "",
                    "email": f"w{n}-{count}-{self.prefix}@faults.test", "body": text}  # fmt: skip
            status, headers, page = self.post(
                f"/articles/{ARTICLE}/comments/", data, self.comment_cookie
            )
            self._record("comment", status, is_friendly_503(status, headers, page, text), text)
            time.sleep(self.pause)

    def _asker(self, n: int) -> None:
        for count in itertools.count():
            if self.stop_event.is_set():
                return
            text = f"{self.prefix} question {count}: how soon should I write?"
            data = {**self.ask_form, "name": "Asker", "honeypot": "", "question": text,
                    "email": f"a{count}-{self.prefix}@faults.test"}  # fmt: skip
            status, headers, page = self.post("/ask/", data, self.ask_cookie)
            self._record("question", status, is_friendly_503(status, headers, page, text))
            time.sleep(self.pause * 4)

    def post(self, path: str, data: dict, cookie: dict):
        """POST ``data`` to ``path`` from a new client address, sending the
        form page's cookies; ``(status, headers, page)``."""
        return request(self.url, path, data, ip=ip_new(), headers=cookie)

    def acknowledged(self) -> list[str]:
        """Texts of the comments the site answered 303 (stored)."""
        return [o.body for o in self.outcomes if o.kind == "comment" and o.status == 303]

    def wait_for(self, kind: str, status: int, after: float, timeout: float = 60) -> float:
        """Seconds from ``after`` to the first ``kind`` answered ``status``
        after it; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [o.at for o in list(self.outcomes) if o.at > after and o.kind == kind
                    and o.status == status]  # fmt: skip
            if done:
                return min(done) - after
            time.sleep(0.1)
        raise AssertionError(f"no {kind} answered {status} within {timeout} s: {self.summary()}")

    def summary(self) -> dict:
        return dict(Counter((o.kind, o.status) for o in self.outcomes))
