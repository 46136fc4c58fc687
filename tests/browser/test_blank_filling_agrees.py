"""The page's blank filler and the server's agree (docs/architecture.md:
``notes/`` owns the blanks syntax; ``static/js/drafter.js`` only fills the
pieces the server parsed).

The server fills a note with :func:`notes.blanks.fill_lines`; the drafter's
script fills the same parsed pieces (the page's JSON data block) as the
reader types, with ``window.notesDrafter.fillLines``. For every case below —
note templates crossed with lists of blank values: optional blanks left
empty so their lines drop, repeated and differently written blank names,
markup-like, empty, odd Unicode and long values — the script's lines of
``{text, state}`` must equal the server's, and so must the plain text. All
cases run in one ``page.evaluate`` on the drafter page in Chromium.

Values go to the script as the page gives them (``oneLine``: a pasted line
break becomes a space, as ``values()`` does before filling) and to the
server's filler as they are (it makes its own one line of each).
"""

from __future__ import annotations

import pytest

from notes.blanks import fill, fill_lines, parse
from notes.models import NoteTemplate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

THANKS = "Hi, [name]!\n\nThanks for the [role] interview.\n\nBig fan of [show?].\n\n[your name]"

TEMPLATES = {
    "thank-you note": THANKS,
    "optional first and last lines, no gaps": "[Show?] first\nmiddle [x]\nlast [other?]",
    "optional lines between gaps": "Intro [x]\n\n[a?]\n[b?] and [c?]\n\nOutro",
    "optional paragraph first": "[a?]\n\nText [x]",
    "optional paragraph last": "Text [x]\n\n[a?]",
    "optional and required on one line": "Dear [name?] [title],\nSee you [when?].",
    "blank lines of spaces": "  \n[a?]\n\t\n[b]\n   ",
    "repeated names in any case": "Hi [Name], [NAME] and [ name ]; [Your  Name] is [your name?].",
    "Unicode names": "[Straße] [STRASSE] [naïve] [ÉCOLE] [École?] [שם]",
    "links and escapes stay text": (
        "See [the guide](https://example.com/a_(b)) and [ref][] and \\[not a blank\\] "
        "and [ref].\n\n[ref]: https://example.com/\n[blank]"
    ),
    "Windows line endings": "Hi [x],\r\n\r\n[y?]\r\n\r\nBye [z]\r\n",
    "names like object properties": "[constructor] [toString] [valueOf?] [hasOwnProperty]",
    "side by side": "[a?][b?]\n[c?] text [c]\n[a]",
    "no blanks": "Just text.\n\nNo blanks at all.",
    "empty": "",
}

VALUE_LISTS = {
    "plain": ["Dana", "writers’ PA & co", "Night Shift", "Bianca"],
    "all empty": [""],
    "white space only": ["   ", "\u3000", "\t", "\u00a0"],
    "some empty": ["Dana", "", "Sam", "  "],
    "markup": [
        "<script>alert(1)</script>",
        "{{ x }}",
        "{% now 'Y' %}",
        "[name]",
        "$& $1 $$",
        "&amp; &lt;",
        "</textarea>",
        "\\[x\\]",
    ],
    "Unicode": [
        "שלום",
        "e\u0301",
        "👋🏽",
        "👨\u200d👩\u200d👧",
        "\u00a0Dana\u00a0",
        "\u200b",
        "İstanbul",
        "ǅ",
        "\u202eevil",
    ],
    "line breaks": ["a\nb", "a\r\nb", "\n", "a\n", "\rb", " \r\n "],
    "long": ["x" * 5000, "ü" * 1000 + " end", " ".join(["word"] * 2000)],
    "white space both sides agree on": ["\u2028Dana\u2029", "Dana\u2028", "\u205f", "\u180e"],
}

# Characters that Python's str.splitlines() / str.strip() and the script's
# /\r\n|\r|\n/ / String.prototype.trim() treat differently. Each is tried
# alone, at the ends and inside a value.
PYTHON_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # a space inside a blank
PYTHON_ONLY_WHITE_SPACE = "\x1c\x1d\x1e\x1f\x85"  # Python strips them, JavaScript trim() keeps them
SCRIPT_ONLY_WHITE_SPACE = "\ufeff"  # JavaScript trim() strips it, Python keeps it
ODD_WHITE_SPACE = sorted(
    set(PYTHON_LINE_BREAKS + PYTHON_ONLY_WHITE_SPACE + SCRIPT_ONLY_WHITE_SPACE + "\t\u00a0\u3000")
)
ODD_VALUES = [v for c in ODD_WHITE_SPACE for v in (c, f"{c}Dana", f"Dana{c}", f"Da{c}na")]


def values_for(keys: list[str], values: list[str], shift: int) -> dict[str, str]:
    """Blank key → value, going round ``values`` from ``shift``."""
    return {key: values[(index + shift) % len(values)] for index, key in enumerate(keys)}


def cases(templates: dict[str, str], value_lists: dict[str, list[str]]) -> list[dict]:
    """Every template crossed with every value list (twice, so a value meets
    different blanks), with the server's pieces, blank keys and result."""
    out = []
    for template_name, template in templates.items():
        parsed = parse(template)
        keys = [blank.key for blank in parsed.blanks]
        for values_name, values in value_lists.items():
            for shift in range(min(2, len(values))):
                given = values_for(keys, values, shift)
                out.append(
                    {
                        "id": f"{template_name} / {values_name} / {shift}",
                        "pieces": parsed.to_json(),
                        "values": given,
                        "pairs": list(given.items()),  # no object keys on the way in
                        "lines": [
                            [{"text": s.text, "state": s.state} for s in line]
                            for line in fill_lines(parsed, given)
                        ],
                        "plain": fill(parsed, given),
                    }
                )
    return out


# The values are built by the page's own valuesFrom(), as values() does.
FILL_ALL = """(cases) => cases.map((c) => {
  const d = window.notesDrafter;
  try {
    const values = d.valuesFrom(c.pairs);
    const lines = d.fillLines(c.pieces, values);
    return {lines: lines, plain: d.plain(lines)};
  } catch (error) {
    return {error: String(error)};
  }
})"""


def script_results(page, all_cases: list[dict]) -> dict[str, tuple]:
    """Run the script's filler over ``all_cases`` in one ``page.evaluate``;
    return the cases where it disagrees with the server, by id, as
    ``(values, server's result, script's result)``."""
    results = page.evaluate(FILL_ALL, all_cases)
    assert len(results) == len(all_cases)
    disagree = {}
    for case, got in zip(all_cases, results, strict=True):
        want = {"lines": case["lines"], "plain": case["plain"]}
        if got != want:
            disagree[case["id"]] = (case["values"], want, got)
    return disagree


@pytest.fixture
def drafter_page(transactional_db, browser_page_factory):
    """The standalone drafter page, its script loaded."""
    NoteTemplate.objects.create(
        title="Thanks", slug="thanks", subject="Thanks: [role]", body=THANKS
    )
    page = browser_page_factory()
    page.goto("/notes/thanks/")
    page.wait_for_function("() => window.notesDrafter !== undefined")
    return page


def test_page_data_block_holds_the_servers_pieces(drafter_page):
    data = drafter_page.evaluate(
        "() => JSON.parse(document.getElementById('drafter-thanks-data').textContent)"
    )
    assert data["body"] == parse(THANKS).to_json()
    assert data["subject"] == parse("Thanks: [role]").to_json()


def test_script_and_server_fill_blanks_alike(drafter_page):
    all_cases = cases(TEMPLATES, VALUE_LISTS)
    disagree = script_results(drafter_page, all_cases)
    assert not disagree, f"{len(disagree)} of {len(all_cases)} cases disagree: {disagree}"


def test_odd_white_space_fills_alike(drafter_page):
    """Each odd white-space character alone, at the ends and inside a value,
    in a required and in an optional blank: the script reads white space and
    line breaks as Python does (``str.isspace()``, ``str.splitlines()``), so
    a value counts as empty, and is trimmed, alike on both sides."""
    template = "<[x]>\n\n[y?] ends the line\n\nBye"
    all_cases = cases({"odd": template}, {repr(v): [v] for v in ODD_VALUES})
    disagree = script_results(drafter_page, all_cases)
    assert not disagree, disagree


def test_blank_named_proto_fills_alike(drafter_page):
    """A blank named like an object's prototype is just a name (the values
    are a map without a prototype)."""
    template = "[__proto__] and [x]"
    all_cases = cases({"proto": template}, {"plain": ["Dana", "Sam"], "empty": [""]})
    disagree = script_results(drafter_page, all_cases)
    assert not disagree, disagree
