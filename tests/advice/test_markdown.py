"""The render-and-sanitise pipeline: what an answer may and may not contain.

Every check of the output parses it with the standard library's HTML parser
(which decodes entities in attribute values, as a browser does) and reads
URLs the way a browser does, so a payload cannot pass by being spelled
differently from what a substring search expects.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from advice.markdown import is_external_url, render_markdown, sanitize_html, url_scheme
from tests.conftest import corpus_path

# --- An independent auditor of the output ---------------------------------

DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "form", "input", "button", "textarea", "select", "link", "meta", "base",
    "body", "html", "head", "template", "noscript", "xmp", "details", "video", "audio",
    "source", "marquee", "isindex",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcset", "background", "poster",
    "data", "codebase", "cite", "dynsrc", "lowsrc", "ping",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}
_SCHEME_AS_BROWSER_READS = re.compile(r"([a-z][a-z0-9+.\-]*):")


def browser_scheme(url: str) -> str:
    """The scheme a browser finds: tab/LF/CR removed anywhere, C0 controls and
    spaces trimmed at both ends (WHATWG URL standard)."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(chr(c) for c in range(0x21)))
    match = _SCHEME_AS_BROWSER_READS.match(cleaned.lower())
    return match.group(1) if match else ""


class Auditor(HTMLParser):
    """Collects every way a fragment could run script or load a bad URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = browser_scheme(value)
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{scheme}: URL in <{tag} {name}>")

    handle_startendtag = handle_starttag


def audit(fragment: str) -> Auditor:
    auditor = Auditor()
    auditor.feed(fragment)
    auditor.close()
    return auditor


def assert_safe(source: str) -> str:
    rendered = render_markdown(source)
    problems = audit(rendered).problems
    assert not problems, f"{source!r} rendered as {rendered!r}: {problems}"
    # Text may say "javascript:" (escaped, harmless); markup may not open a script.
    assert "<script" not in rendered.lower(), f"{source!r} rendered as {rendered!r}"
    return rendered


# --- The markdown-it XSS fixture (corpus) -----------------------------------

_FIXTURE_CASE = re.compile(r"^\.\n(.*?)\n\.\n(.*?)\n\.$", re.S | re.M)


def xss_fixture_inputs(path: Path) -> list[str]:
    """The Markdown inputs of a markdown-it fixture file: each case is
    ``.`` / input / ``.`` / expected HTML / ``.``; the expected HTML is
    markdown-it's and is ignored."""
    return [source for source, _expected in _FIXTURE_CASE.findall(path.read_text("utf-8"))]


def test_xss_fixture_is_parsed_into_all_its_cases():
    inputs = xss_fixture_inputs(corpus_path("xss", "xss.txt"))
    assert len(inputs) == 13
    assert inputs[1].startswith("[xss link](javascript:alert(1))")
    assert inputs[-1].startswith("```js&#32;custom-class")


def test_every_xss_fixture_input_renders_safely():
    inputs = xss_fixture_inputs(corpus_path("xss", "xss.txt"))
    for source in inputs:
        assert_safe(source)
    # Each paragraph on its own, too, and a reference definition put to use.
    for source in inputs:
        for paragraph in source.split("\n\n"):
            assert_safe(paragraph)
    assert_safe("[test]\n\n[test]: javascript:alert(1)")


def test_xss_fixture_links_with_bad_schemes_lose_their_href():
    rendered = assert_safe("[xss link](javascript:alert(1))\n\n[xss link](vbscript:alert(1))")
    hrefs = [attrs.get("href") for tag, attrs in audit(rendered).tags if tag == "a"]
    assert hrefs == [None, None]
    assert "xss link" in rendered


# --- Our own raw-HTML and Markdown filter-evasion vectors ------------------

EVASION_VECTORS = [
    # script in every spelling
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<script/xss src=//evil.example/x.js></script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img """><script>alert(1)</script>">',
    "<![CDATA[<script>alert(1)</script>]]>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    '<a href="/ok" onmouseover\n=alert(1)>x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>x</details>",
    '<p title="x" onpointerenter="alert(1)">hover</p>',
    "<img src=x onerror=alert(1)//",
    "<img src=x onerror='alert(1)'",
    # javascript: hidden with case, entities, whitespace, controls
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<img src="jav&#x09;ascript:alert(1)">',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="&#1;javascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    # SVG and MathML, including namespace-confusion (mXSS) shapes
    "<svg onload=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # frames, objects, forms, document-level elements
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<button formaction=javascript:alert(1)>go</button>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<img src="/ok.png" srcset="javascript:alert(1) 2x">',
    "<video poster=javascript:alert(1)></video>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # styles
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<span style="width: expression(alert(1))">x</span>',
    "<style>@import 'http://evil.example/x.css';</style>",
    # attribute break-outs
    '<a href="https://ok.example/" title=\'"><script>alert(1)</script>\'>x</a>',
    '<a href="https://ok.example/"onclick="alert(1)">x</a>',
    # Markdown links and images
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](jav\tascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <vbscript:msgbox(1)>",
    "![x](javascript:alert(1))",
    '![x]("onerror="alert(1))',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "<javascript:alert(1)>",
    # Python-Markdown extensions that add attributes or pass HTML through
    '[x](https://ok.example/){: onclick="alert(1)" }',
    'A paragraph.\n{: onclick="alert(1)" style="color:red" }',
    '<div markdown="1" onclick="alert(1)">*x*</div>',
    "<p>[x](javascript:alert(1))</p>",
    "Text[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "Term\n:   <script>alert(1)</script>",
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
]


@pytest.mark.parametrize("source", EVASION_VECTORS)
def test_evasion_vector_renders_safely(source):
    assert_safe(source)


@pytest.mark.parametrize(
    "fragment",
    [
        '<a href="jav\tascript:alert(1)">x</a>',
        '<a href="jav\nascript:alert(1)">x</a>',
        '<img src="\x01javascript:alert(1)">',
        '<img src="mailto:someone@example.com">',
    ],
)
def test_sanitize_html_reads_urls_as_a_browser_does(fragment):
    # Markdown turns tabs into spaces, so the raw sanitiser is checked too.
    cleaned = sanitize_html(fragment)
    assert not audit(cleaned).problems
    assert "href" not in cleaned
    assert "src" not in cleaned


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://example.com/", "https"),
        ("JavaScript:alert(1)", "javascript"),
        ("jav\tas\ncript:alert(1)", "javascript"),
        ("\x00 \x1f javascript:alert(1)", "javascript"),
        ("/articles/x/", ""),
        ("./a:b", ""),
        ("#comment-3", ""),
    ],
)
def test_url_scheme_matches_the_browser(url, scheme):
    assert url_scheme(url) == scheme


def test_code_shows_markup_as_text():
    rendered = assert_safe("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


# --- Links: external get rel, internal do not ------------------------------


@pytest.fixture
def own_site(settings):
    settings.ALLOWED_HOSTS = ["advice.example", ".columnist.example", "*"]
    settings.SITE_URL = "https://advice.example"
    return settings


def _link_rels(rendered: str) -> list[str | None]:
    return [attrs.get("rel") for tag, attrs in audit(rendered).tags if tag == "a"]


@pytest.mark.parametrize(
    "source",
    [
        "[x](https://other.example/page)",
        "[x](http://other.example)",
        "[x](//other.example/page)",
        "<https://other.example/?a=1&b=2>",
        '<a title="a>b" href="https://other.example/">x</a>',
        "[x](http:\\\\other.example/)",
        "[x](https://advice.example.other.example/)",
    ],
)
def test_external_link_gets_nofollow_noopener(own_site, source):
    assert _link_rels(render_markdown(source)) == ["nofollow noopener"]


@pytest.mark.parametrize(
    "source",
    [
        "[x](/articles/some-article/)",
        "[x](#comment-3)",
        "[x](some-article/)",
        "[x](https://advice.example/articles/x/)",
        "[x](https://ADVICE.example:443/)",
        "[x](https://www.columnist.example/)",
        "[x](mailto:editor@advice.example)",
    ],
)
def test_internal_link_has_no_rel(own_site, source):
    rendered = render_markdown(source)
    assert _link_rels(rendered) == [None]
    assert "rel=" not in rendered


def test_is_external_url_ignores_wildcard_allowed_host(own_site):
    # "*" in ALLOWED_HOSTS must not make every site "ours".
    assert is_external_url("https://anything.example/")
    assert not is_external_url("/relative")


# --- Allowed formatting survives -------------------------------------------


def _tags(rendered: str) -> list[str]:
    return [tag for tag, _attrs in audit(rendered).tags]


def test_emphasis_and_inline_code_survive():
    rendered = assert_safe("Be *brief*, be **kind**, send `today`, ~~never~~ <del>late</del>.")
    assert "<em>brief</em>" in rendered
    assert "<strong>kind</strong>" in rendered
    assert "<code>today</code>" in rendered
    assert "<del>late</del>" in rendered


def test_lists_survive_with_their_start_number():
    rendered = assert_safe("- one\n- two\n\n3. three\n4. four")
    assert _tags(rendered).count("li") == 4
    assert "<ul>" in rendered
    assert '<ol start="3">' in rendered


def test_blockquote_of_several_paragraphs_survives():
    rendered = assert_safe("> Dear Ms. Lee,\n>\n> Thank you.\n>\n> Bianca")
    assert rendered.count("<blockquote>") == 1
    assert rendered.count("<p>") == 3


def test_fenced_code_survives():
    rendered = assert_safe("```python\nprint('hi')\n```")
    assert rendered.startswith("<pre><code")
    assert "print(&#x27;hi&#x27;)" in rendered or "print('hi')" in rendered


def test_tables_survive_with_alignment_as_attribute():
    rendered = assert_safe("| left | right |\n|:-----|------:|\n| a | b |")
    tags = audit(rendered).tags
    assert [t for t, _ in tags].count("th") == 2
    assert ("td", {"align": "right"}) in tags
    assert "style" not in rendered


def test_links_and_https_images_survive():
    rendered = assert_safe(
        '[our guide](/articles/guide/ "Guide") ![A note](https://img.example/n.png "Note")'
        " ![upload](/media/uploads/2024/01/a.png)"
    )
    tags = audit(rendered).tags
    assert ("a", {"href": "/articles/guide/", "title": "Guide"}) in tags
    assert ("img", {"alt": "A note", "src": "https://img.example/n.png", "title": "Note"}) in tags
    assert ("img", {"alt": "upload", "src": "/media/uploads/2024/01/a.png"}) in tags


def test_images_with_data_urls_lose_their_src():
    gif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    rendered = assert_safe(f"![](data:image/gif;base64,{gif})")
    assert ("img", {"alt": ""}) in audit(rendered).tags


def test_headings_and_rules_survive_below_the_page_title():
    rendered = assert_safe("## Before the interview\n\n---\n\n### After")
    assert "<h2>Before the interview</h2>" in rendered
    assert "<hr>" in rendered
    assert "<h3>After</h3>" in rendered


def test_empty_answer_renders_empty():
    assert render_markdown("") == ""
