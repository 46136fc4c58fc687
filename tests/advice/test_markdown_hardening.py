"""Bounded scans for Python-Markdown (advice/markdown_hardening.py), no database."""

import time

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


def test_hardened_instance_is_fast_on_unclosed_brackets_and_parentheses():
    instance = _instance(True)
    start = time.perf_counter()
    instance.convert("[a](" * 3000)
    instance.reset().convert("[" * 5000 + "x")
    assert time.perf_counter() - start < 2


def test_harden_changes_only_the_instance_it_is_given():
    from markdown.inlinepatterns import LinkInlineProcessor

    original = LinkInlineProcessor.getText
    harden(_instance(False))
    assert LinkInlineProcessor.getText is original
