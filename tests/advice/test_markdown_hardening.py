"""Bounded scans for Python-Markdown (advice/markdown_hardening.py), no database."""

import markdown

from advice.markdown import EXTENSION_CONFIGS, EXTENSIONS
from advice.markdown_hardening import MAX_UNCLOSED_ANGLES, harden, limit_unclosed_angles


def _instance(hardened: bool) -> markdown.Markdown:
    instance = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    if hardened:
        harden(instance)
    return instance


def test_a_few_unclosed_angles_are_left_alone():
    text = "a <b c " * MAX_UNCLOSED_ANGLES
    assert limit_unclosed_angles(text) == text
    assert limit_unclosed_angles("1 < 2 and 3 << 4 and <em>x</em>") == (
        "1 < 2 and 3 << 4 and <em>x</em>"
    )


def test_many_unclosed_angles_are_escaped_and_tags_kept():
    text = "<a " * (MAX_UNCLOSED_ANGLES + 1) + "<em>kept</em>"
    limited = limit_unclosed_angles(text)
    assert limited.count("&lt;") == MAX_UNCLOSED_ANGLES + 1
    assert limited.endswith("<em>kept</em>")


def test_hardened_instance_renders_links_footnotes_and_nesting_as_stock():
    source = (
        '[![img](/a.png)](https://a.example/Foo_(bar)) and [b](https://b.example "T")\n\n'
        "Note[^1] again[^1].\n\n[^1]: The note."
    )
    assert _instance(True).convert(source) == _instance(False).convert(source)


def test_hardened_instance_shows_unclosed_brackets_and_parentheses_as_text():
    """Speed is measured in the closing notes (no timing asserted here);
    what is asserted is that the bounded scans give up into plain text."""
    instance = _instance(True)
    assert instance.convert("[a](" * 3000).count("[a](") == 3000
    assert instance.reset().convert("[" * 5000 + "x").endswith("[" * 10 + "x</p>")


def test_harden_changes_only_the_instance_it_is_given():
    from markdown.inlinepatterns import LinkInlineProcessor

    original = LinkInlineProcessor.getText
    harden(_instance(False))
    assert LinkInlineProcessor.getText is original


def test_abbreviation_definitions_beyond_the_cap_show_as_text():
    from advice.markdown import render_markdown
    from advice.markdown_hardening import MAX_ABBREVIATIONS, limit_abbreviations

    lines = [f"*[A{i}]: Meaning {i}" for i in range(MAX_ABBREVIATIONS + 1)]
    limited = limit_abbreviations("\n".join(lines)).split("\n")
    assert limited[:MAX_ABBREVIATIONS] == lines[:MAX_ABBREVIATIONS]
    assert limited[MAX_ABBREVIATIONS] == "\\" + lines[MAX_ABBREVIATIONS]
    html = render_markdown("\n".join(lines) + f"\n\nA0 and A{MAX_ABBREVIATIONS}.")
    assert '<abbr title="Meaning 0">A0</abbr>' in html
    assert f"*[A{MAX_ABBREVIATIONS}]: Meaning {MAX_ABBREVIATIONS}" in html
    assert '<abbr title="Meaning 50">' not in html


def test_normal_abbreviations_still_work():
    from advice.markdown import render_markdown

    html = render_markdown("The HTML spec.\n\n*[HTML]: Hyper Text Markup Language")
    assert html == '<p>The <abbr title="Hyper Text Markup Language">HTML</abbr> spec.</p>'


def test_many_abbreviation_definitions_and_footnote_references_are_bounded():
    from advice.markdown import render_markdown
    from advice.markdown_hardening import MAX_ABBREVIATIONS, MAX_FOOTNOTE_REFERENCES

    assert render_markdown("*[a]: b\n" * 2500).count("]: b") == 2500 - MAX_ABBREVIATIONS
    assert "<abbr" not in render_markdown("*[a]\n" * 4000)
    html = render_markdown("[^a]\n\n[^a]: " + "[^a] " * 3990)
    assert html.count('<a href="#user-content-fn:a">') == MAX_FOOTNOTE_REFERENCES
    assert "[^a]" in html  # further references read as written
    assert len(html) < 60_000


def test_footnote_reference_cap_is_per_document():
    from advice.markdown import render_markdown
    from advice.markdown_hardening import MAX_FOOTNOTE_REFERENCES

    source = "x[^1]\n\n[^1]: note"
    first = render_markdown(source + " [^1]" * 300)
    assert first.count('<a href="#user-content-fn:1">') == MAX_FOOTNOTE_REFERENCES
    assert render_markdown(source).count('<a href="#user-content-fn:1">') == 1


def test_table_test_reads_only_the_rows_it_needs():
    """Python-Markdown's table test split and stripped the whole block each
    time a heading peeled one line off it (``"# a\\n" * 5000`` took about a
    second); it now reads the header, the separator and the bordered rows
    after them, and tables render as before."""
    import re

    from advice.markdown import render_markdown
    from advice.markdown_hardening import _table_head

    border = re.compile(r"(?<!\\)(?:\\\\)*\|$")
    assert _table_head("# a\n# b\n# c\n" * 1000, border) == "# a\n# b"
    assert _table_head("|a|\n|b|\n# c\n# d", border) == "|a|\n|b|\n# c"
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html
    assert render_markdown("## a\n" * 3).count("<h2>") == 3


def test_abbreviations_render_as_stock_python_markdown():
    """The linear abbreviation pass gives the same HTML as the stock one."""
    samples = [
        "The HTML spec and *HTML* and HTML.\n\n*[HTML]: Hyper Text\n*[spec]: Specification",
        "*[A]: x\n*[B]: y\n\nA B *A* B **A B** [A](http://a) B A\n\n- A\n- B `A`",
        "> HTML in a quote, HTML\n\n*[HTML]: H",
    ]
    for source in samples:
        assert _instance(True).convert(source) == _instance(False).convert(source)
