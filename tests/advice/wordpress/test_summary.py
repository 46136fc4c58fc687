"""The import summary's text (advice/wordpress/summary.py)."""

from advice.wordpress.summary import ImportSummary


def test_summary_lines_count_what_happened():
    summary = ImportSummary(path="site.xml", site="https://small.example", wxr_version="1.2")
    summary.articles_imported, summary.articles_updated, summary.published = 3, 1, 4
    summary.items_skipped.update({"page": 2, "attachment": 1})
    summary.truncated["article title"] += 1
    lines = summary.lines()
    assert lines[0] == "WordPress export site.xml (WXR 1.2, site https://small.example)"
    assert "Items skipped: 3 (1 attachment, 2 page)" in lines
    assert "Cut to the field's length: 1 article title" in lines
    assert summary.articles == 4
    assert "Dry run: nothing was written." not in lines


def test_dry_run_summary_says_nothing_was_written():
    assert ImportSummary(path="x.xml", dry_run=True).lines()[-1] == "Dry run: nothing was written."
