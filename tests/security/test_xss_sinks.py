"""Every XSS input through every sink: what strangers and editors type is
shown as text, never run.

The inputs are the Markdown XSS fixture of the corpus (``xss/xss.txt``),
the raw-HTML and Markdown evasion vectors of ``tests/advice/test_markdown.py``
and the context break-outs below (``</textarea>``, ``</title>``,
``</script>``, attribute quotes, URL schemes for the website field). Each is
sent the way a person would send it: an editor through the admin, a reader
through the public forms. Every page served back is then checked twice:

1. parsed with ``html.parser`` (:class:`PageAudit`): no script element but
   our own (``src`` under ``/static/``, or a JSON data block), no ``on*``
   attribute, no ``javascript:``, ``vbscript:`` or ``data:`` URL, no frame,
   object, embed, base, SVG or MathML element;
2. loaded in Chromium *without* the site's Content Security Policy, so a
   hole in escaping cannot hide behind CSP, with a trap set before any page
   script runs (``alert``, ``confirm``, ``prompt``, ``print`` and
   ``console.*`` recorded; dialogs recorded too): nothing may fire. Pages are
   batched (many served pages concatenated into one document) to keep the
   browser part fast; :func:`test_the_trap_catches_a_known_payload` shows
   the trap works.

The drafter's live preview and the Ask form's suggestions are JavaScript
sinks: they are typed into on the live server with CSP bypassed.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.comments.forms import form_token
from advice.models import Article, Comment, ReaderQuestion, Topic
from advice.questions.forms import ask_token
from notes.models import NoteTemplate
from tests.advice.test_admin import inline_management_data
from tests.advice.test_markdown import EVASION_VECTORS, xss_fixture_inputs
from tests.conftest import corpus_path

# --- Inputs -------------------------------------------------------------------

# Break-outs of the places plain text lands in a page: text areas, the
# title, JSON data blocks, attribute values, and URL attributes.
CONTEXT_BREAKOUTS = [
    "</textarea><script>alert(1)</script>",
    "</textarea><img src=x onerror=alert(1)>",
    "</TEXTAREA ><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</title><img src=x onerror=print()>",
    "</script><script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "</SCRIPT/x><img src=x onerror=alert(1)>",
    "<!--</script><img src=x onerror=alert(1)>-->",
    "\u2028</script>\u2029<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus x='",
    '" autofocus onfocus=alert(1) x="',
    "`><img src=x onerror=alert(1)>",
    'x" style="background:url(javascript:alert(1))',
    "</option></select><img src=x onerror=alert(1)>",
    "</noscript><img src=x onerror=alert(1)>",
    "</style><img src=x onerror=alert(1)>",
    "</mark></span><img src=x onerror=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=onload to=alert(1)>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    '<math href="javascript:alert(1)">click</math>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<img src=x onerror=alert&#40;1&#41;>",
    "<img src=`x`onerror=alert(1)>",
    '<img/src="x"/onerror="print()">',
    "<img src=x onerror=console.log(1)>",
    "<details open ontoggle=print()>x</details>",
    "<x contenteditable autofocus onfocus=alert(1)>x",
    "<template><img src=x onerror=alert(1)></template>",
    '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<a href="&#x20;&#x09;javascript:alert(1)">x</a>',
    "\u202e<script>alert(1)</script>",
    "{{ 7|add:7 }} {% debug %} ${alert(1)} #{alert(1)}",
    "[name] [your name]</textarea><script>alert(1)</script>",
    "mailto:x@example.com?body=</textarea><script>alert(1)</script>",
    # website-field shapes: refused unless http(s), and escaped in href
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/'><script>alert(1)</script>",
    "https://example.com/?q=<svg/onload=alert(1)>",
    'http://example.com/#"><img src=x onerror=alert(1)>',
    "https://javascript:alert(1)@example.com/",
]


@pytest.fixture(scope="module")
def vectors() -> list[str]:
    """Every input, once, in order: the corpus fixture (each case whole),
    the Markdown evasion vectors, the context break-outs."""
    seen: dict[str, None] = {}
    for source in [
        *xss_fixture_inputs(corpus_path("xss", "xss.txt")),
        *EVASION_VECTORS,
        *CONTEXT_BREAKOUTS,
    ]:
        seen.setdefault(source, None)
    return list(seen)


# --- The HTML audit -------------------------------------------------------------------

JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg",
                      "math", "xmp", "noembed", "portal"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "background",
                  "poster", "data", "codebase", "cite", "ping", "lowsrc", "dynsrc"}  # fmt: skip
BAD_SCHEMES = {"javascript", "vbscript", "data", "livescript", "mocha"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def browser_scheme(url: str) -> str:
    """The scheme a browser reads from ``url``: tab, LF and CR removed
    anywhere, C0 controls and spaces trimmed at both ends (WHATWG URL)."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else ""


OWN_SCRIPT_PATHS = ("/static/", "/admin/jsi18n/")
# The admin draws its theme-toggle icons as inline SVG that only point at
# symbols in the same page; nothing else in SVG is allowed there.
ADMIN_SVG_ELEMENTS = {"svg", "use", "symbol", "path", "title", "defs", "g"}


class PageAudit(HTMLParser):
    """Everything in a served page that could run script. ``problems`` is a
    list of short descriptions (empty when the page is clean). ``admin``:
    the page is a Django admin page, whose own inline SVG icons are allowed
    (:data:`ADMIN_SVG_ELEMENTS`, ``<use>`` only with ``#`` links)."""

    def __init__(self, admin: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.admin = admin
        self.problems: list[str] = []
        self.svg_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            kind = (values.get("type") or "").strip().lower()
            if not (src.startswith(OWN_SCRIPT_PATHS) or (not src and kind in JSON_SCRIPT_TYPES)):
                self.problems.append(f"script element {values!r}")
        if self.admin and tag in ADMIN_SVG_ELEMENTS:
            link = values.get("href") or values.get("xlink:href")
            if tag == "use" and not (link or "").startswith("#"):
                self.problems.append(f"<use> linking {link!r}")
        elif tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("meta refresh")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                urls = value.split(",") if name == "srcset" else [value]
                for url in urls:
                    if browser_scheme(url) in BAD_SCHEMES:
                        self.problems.append(f"{browser_scheme(url)}: URL in <{tag} {name}>")

    handle_startendtag = handle_starttag


def audit_page(html: str, *, admin: bool = False) -> list[str]:
    auditor = PageAudit(admin=admin)
    auditor.feed(html)
    auditor.close()
    return auditor.problems


# --- The browser trap -------------------------------------------------------------------

TRAP = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__trapCalls", { value: calls });
  const record = (name) => function (...args) { calls.push(name + ":" + args.join(" ")); };
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    window[name] = record(name);
  }
  for (const name of ["log", "info", "warn", "error", "debug", "trace"]) {
    console[name] = record("console." + name);
  }
})();
"""
SINK_ORIGIN = "http://sink.test"


def served(response) -> str:
    return response.content.decode("utf-8", "replace")


def fired_in_browser(browser, documents: list[str], batch: int = 40) -> list[str]:
    """Load ``documents`` (served HTML pages), ``batch`` at a time
    concatenated into one document, in a fresh Chromium page with the trap
    installed. No network: the document comes from a route, every other
    request (images, scripts, styles) is aborted, so ``onerror`` handlers
    would fire. Returns the calls and dialogs recorded (empty when nothing
    fired)."""
    fired: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(TRAP)
        page.on(
            "dialog", lambda dialog: (fired.append(f"dialog {dialog.message}"), dialog.dismiss())
        )
        current = {"html": ""}

        def handle(route):
            if route.request.url == f"{SINK_ORIGIN}/page":
                route.fulfill(status=200, content_type="text/html", body=current["html"])
            else:
                route.abort()

        page.route("**/*", handle)
        for start in range(0, len(documents), batch):
            current["html"] = "\n".join(documents[start : start + batch])
            page.goto(f"{SINK_ORIGIN}/page", wait_until="load")
            page.wait_for_timeout(150)  # let focus and toggle events run
            fired.extend(page.evaluate("window.__trapCalls.slice()"))
    finally:
        context.close()
    return fired


def storable(text: str) -> str:
    """``text`` as it could be stored: the forms refuse NUL (and PostgreSQL
    cannot hold it), so rows made directly leave it out."""
    return text.replace("\x00", "")


class Sink:
    """Tally of one sink: inputs tried, pages checked, problems found."""

    def __init__(self, name: str, inputs: int) -> None:
        self.name = name
        self.inputs = inputs
        self.pages: list[str] = []
        self.problems: list[str] = []

    def check(self, response, what: str) -> None:
        assert response.status_code < 500, (what, response.status_code)
        html = served(response)
        self.pages.append(html)
        admin = response.wsgi_request.path.startswith("/admin/")
        self.problems.extend(f"{what}: {p}" for p in audit_page(html, admin=admin))

    def finish(self, browser) -> None:
        fired = fired_in_browser(browser, self.pages)
        print(
            f"\nsink {self.name}: {self.inputs} inputs, {len(self.pages)} pages, "
            f"{len(self.problems)} audit problems, {len(fired)} calls fired"
        )
        assert not self.problems, self.problems[:20]
        assert not fired, fired[:20]


@pytest.fixture
def open_comments(settings):
    """Comments are approved at once and never timed, so every vector is
    stored and shown on one page."""
    settings.COMMENTS_TIMING_RULES = False
    settings.COMMENTS_HOLD_FIRST_TIME = False
    settings.COMMENTS_MAX_LINKS = None
    settings.COMMENTS_PER_PAGE = 10_000


pytestmark = pytest.mark.browser


# --- The trap itself --------------------------------------------------------------------


def test_the_trap_catches_a_known_payload(browser):
    pages = [
        "<p>ok</p><img src=x onerror=alert(1)>",
        "<script>print()</script>",
        "<svg onload=console.log(1)></svg>",
    ]
    fired = fired_in_browser(browser, pages, batch=1)
    assert sorted(fired) == ["alert:1", "console.log:1", "print:"]
    assert audit_page("".join(pages)) == [
        "onerror= on <img>",
        "script element {}",
        "<svg> element",
        "onload= on <svg>",
    ]


# --- Sinks ---------------------------------------------------------------------------------


def test_article_question_and_answer_written_by_an_editor(staff_client, client, browser, vectors):
    sink = Sink("article title, question and answer (admin)", len(vectors))
    add_url = reverse("admin:advice_article_add")
    management = inline_management_data(staff_client, add_url)
    now = timezone.localtime()
    for n, vector in enumerate(vectors):
        response = staff_client.post(
            add_url,
            {
                **management,
                "title": f"V{n} {vector}"[:300],
                "slug": f"v{n}",
                "asker": vector[:100],
                "question": vector,
                "answer": vector,
                "status": "published",
                "published_at_0": now.date().isoformat(),
                "published_at_1": "00:00:00",
                "comment_status": "open",
            },
        )
        if response.status_code != 302:  # refused: the admin form shows it back
            sink.check(response, f"admin form for {vector!r}")
    articles = list(Article.objects.all())
    assert len(articles) >= len(vectors) - 5  # only titles with NUL are refused
    for article in articles:
        sink.check(client.get(article.get_absolute_url()), f"article {article.slug}")
        sink.check(
            staff_client.get(reverse("admin:advice_article_change", args=[article.pk])),
            f"admin change {article.slug}",
        )
    sink.check(client.get(reverse("advice:home")), "home")
    sink.check(staff_client.get(reverse("admin:advice_article_changelist")), "changelist")
    sink.finish(browser)


def test_comment_name_website_and_body(client, make_article, open_comments, browser, vectors):
    sink = Sink("comment name, website and body", len(vectors))
    article = make_article(slug="discussed")
    url = reverse("advice:comment_post", args=[article.slug])
    token = form_token(article.pk, timezone.now())
    for n, vector in enumerate(vectors):
        as_text = client.post(
            url,
            {"name": f"{n} {vector}"[:245], "email": f"r{n}@example.com", "body": vector,
             "url": "", "token": token},
        )  # fmt: skip
        if as_text.status_code != 303:
            sink.check(as_text, f"refused text {vector!r}")
        as_website = client.post(
            url,
            {"name": f"Site {n}", "email": f"s{n}@example.com", "body": f"Website {n}",
             "url": vector[:200], "token": token},
        )  # fmt: skip
        if as_website.status_code != 303:
            sink.check(as_website, f"refused website {vector!r}")
    assert Comment.objects.filter(article=article).count() >= len(vectors)
    sink.check(client.get(article.get_absolute_url()), "article with every comment")
    sink.finish(browser)


def test_reader_question_shown_to_editors(client, staff_client, settings, browser, vectors):
    settings.COMMENTS_TIMING_RULES = False
    sink = Sink("reader question (ask form, admin)", len(vectors))
    token = ask_token(timezone.now())
    for n, vector in enumerate(vectors):
        response = client.post(
            reverse("advice:ask"),
            {"name": vector[:200], "email": f"q{n}@example.com", "question": vector,
             "token": token},
        )  # fmt: skip
        if response.status_code != 303:
            sink.check(response, f"refused question {vector!r}")
    questions = list(ReaderQuestion.objects.all())
    assert len(questions) >= len(vectors) - 5
    sink.check(staff_client.get(reverse("admin:advice_readerquestion_changelist")), "changelist")
    for question in questions:
        sink.check(
            staff_client.get(reverse("admin:advice_readerquestion_change", args=[question.pk])),
            f"change page {question.pk}",
        )
    sink.finish(browser)


@pytest.fixture
def note(db):
    return NoteTemplate.objects.create(
        title="Thanks",
        slug="thanks",
        subject="Thank you: [role]",
        body="Hi, [name]!\n\nThanks for the [role] interview.\n\n[your name]",
    )


def test_note_blanks_posted_back(client, note, browser, vectors):
    sink = Sink("note blanks (drafter POST)", len(vectors))
    url = reverse("notes:detail", args=[note.slug])
    for vector in vectors:
        data = {"blank_1": vector, "blank_2": vector[:200], "blank_3": vector[:200]}
        sink.check(client.post(url, {**data, "tz": "UTC"}), f"drafter {vector!r}")
        download = client.post(url, {**data, "action": "download"})
        if download["Content-Type"].startswith("text/plain"):
            assert download["Content-Disposition"].startswith("attachment;")
        else:
            sink.check(download, f"download {vector!r}")
    sink.finish(browser)


def test_search_query_and_highlighted_snippets(client, make_article, browser, vectors):
    sink = Sink("search query and snippets", len(vectors))
    for n, vector in enumerate(vectors):
        stored = storable(vector)
        make_article(title=f"Found {n} {stored}"[:300], question=stored, answer=stored)
    terms = ["alert", "script onerror", "javascript", "svg", "img src", "textarea"]
    for query in [*vectors, *terms]:
        sink.check(client.get(reverse("advice:search"), {"q": query}), f"search {query!r}")
    sink.finish(browser)


def test_topic_name_written_by_an_editor(staff_client, client, make_article, browser, vectors):
    sink = Sink("topic name and description (admin)", len(vectors))
    for n, vector in enumerate(vectors):
        response = staff_client.post(
            reverse("admin:advice_topic_add"),
            {"name": f"{n} {vector}"[:200], "slug": f"t{n}", "description": vector},
        )
        if response.status_code != 302:
            sink.check(response, f"admin topic form {vector!r}")
    topics = list(Topic.objects.all())
    assert len(topics) >= len(vectors) - 5
    article = make_article(slug="tagged", topics=topics)
    sink.check(client.get(reverse("advice:topic_list")), "topic list")
    sink.check(client.get(article.get_absolute_url()), "article with every topic")
    for topic in topics:
        sink.check(client.get(reverse("advice:topic_detail", args=[topic.slug])), topic.slug)
    sink.finish(browser)


# --- JavaScript sinks, on the live server --------------------------------------------------

PREVIEW_PROBLEMS = """
(root) => {
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    if (!["MARK", "SPAN", "BR"].includes(el.tagName)) found.push("<" + el.tagName + ">");
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(attr.name);
    }
  }
  return found;
}
"""


SUGGESTION_PROBLEMS = PREVIEW_PROBLEMS.replace('"MARK", "SPAN", "BR"', '"LI", "A"')


@pytest.fixture
def live_vectors(transactional_db, vectors):
    return vectors


def test_drafter_live_preview_and_ask_suggestions(browser_page_factory, live_vectors):
    """Typed into the drafter, every vector shows as text in the live
    preview; as article titles, every vector shows as text in the Ask
    form's suggestions. CSP is bypassed so escaping alone is tested."""
    vectors = live_vectors
    NoteTemplate.objects.create(
        title="Thanks", slug="thanks", subject="Thank you: [role]", body="Hi, [name]!\n\n[role]"
    )
    Article.objects.bulk_create(
        Article(
            title=f"Suggest {n} {storable(vector)}"[:300],
            slug=f"s{n}",
            question="Interview thanks?",
            answer="Send a note.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for n, vector in enumerate(vectors)
    )
    page = browser_page_factory(bypass_csp=True)
    page.add_init_script(TRAP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(reverse("notes:detail", args=["thanks"]))
    page.locator("[data-copy]").wait_for(state="visible")
    preview = page.locator("[data-preview]")
    problems = []
    for vector in vectors:
        page.locator("input[data-blank='name']").fill(vector[:200])
        page.locator("input[data-blank='role']").fill(vector[:200])
        problems.extend(preview.evaluate(PREVIEW_PROBLEMS))
    fired = page.evaluate("window.__trapCalls.slice()") + dialogs
    print(
        f"\nsink drafter live preview: {len(vectors)} inputs, "
        f"{len(problems)} elements or handlers, {len(fired)} calls fired"
    )
    assert not problems, problems[:20]
    assert not fired, fired[:20]

    page.goto(reverse("advice:ask"))
    question = page.locator("textarea[name=question]")
    suggestions = page.locator("#ask-suggestions-list")
    shown = 0
    for n in itertools.islice(range(len(vectors)), 0, None, 5):
        question.fill(f"Suggest {n}")
        suggestions.locator("a").first.wait_for()
        shown += suggestions.locator("a").count()
        problems.extend(suggestions.evaluate(SUGGESTION_PROBLEMS))
    fired = page.evaluate("window.__trapCalls.slice()") + dialogs
    print(f"sink ask suggestions: {shown} titles shown, {len(fired)} calls fired")
    assert shown >= len(vectors) // 5
    assert not problems, problems[:20]
    assert not fired, fired[:20]
