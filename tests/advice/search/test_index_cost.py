"""Index work per comment change is proportional to that comment: approving,
editing or removing one comment writes that comment's index row alone,
never the article's other comments (which once made the 101st approval on
a long thread take over a second). On SQLite the index's writes are logged
by temporary triggers on the FTS5 content tables; on PostgreSQL each index
row's ``xmin`` (the transaction that last wrote it) shows which rows were
rewritten. Timings live in bench/search_bench.py, not here."""

from __future__ import annotations

import pytest
from django.db import connection

from advice.comments.moderation import comment_approve, comment_remove
from advice.models import Comment
from advice.search.queries import search_article_ids, search_page

BIG = "A long reflection on interviews. " * 300  # ~10,000 characters


@pytest.fixture
def written():
    """A function returning what the index wrote since the fixture started:
    ``{"article": n rows, "comment": {comment ids}, "chars": text written}``."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE index_log (tbl TEXT, row_id INTEGER, chars INTEGER)")
            for table, text in (
                ("advice_article_fts_content", "coalesce(length(new.c0), 0) + "
                 "coalesce(length(new.c1), 0) + coalesce(length(new.c2), 0)"),
                ("advice_comment_fts_content", "coalesce(length(new.c1), 0)"),
            ):  # fmt: skip
                cursor.execute(
                    f"CREATE TEMP TRIGGER log_{table} AFTER INSERT ON main.{table} BEGIN "
                    f"INSERT INTO index_log VALUES ('{table}', new.id, {text}); END"
                )

        def read():
            with connection.cursor() as cursor:
                cursor.execute("SELECT tbl, row_id, chars FROM index_log")
                rows = cursor.fetchall()
            return {
                "article": sum(1 for t, _, _ in rows if t.startswith("advice_article")),
                "comment": {r for t, r, _ in rows if t.startswith("advice_comment")},
                "chars": sum(c for _, _, c in rows),
            }

        yield read
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS temp.index_log")
            for table in ("advice_article_fts_content", "advice_comment_fts_content"):
                cursor.execute(f"DROP TRIGGER IF EXISTS temp.log_{table}")
    else:

        def versions():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 'a' || article_id, xmin::text FROM advice_article_search")
                rows = dict(cursor.fetchall())
                cursor.execute(
                    "SELECT comment_id, xmin::text, length(body::text) FROM advice_comment_search"
                )
                for comment_id, xmin, chars in cursor.fetchall():
                    rows[comment_id] = (xmin, chars)
            return rows

        before = versions()

        def read():
            after = versions()
            changed = {k for k, v in after.items() if before.get(k) != v}
            comments = {k for k in changed if isinstance(k, int)}
            return {
                "article": len(changed - comments),
                "comment": comments,
                "chars": sum(after[k][1] for k in comments),
            }

        yield read


@pytest.fixture
def long_thread(make_article, make_comment):
    article = make_article(title="Long thread", answer="Short answer.")
    comments = [make_comment(article, body=f"{BIG} quokka{n}") for n in range(20)]
    return article, comments


def test_approving_a_comment_indexes_that_comment_alone(long_thread, make_comment, written):
    article, others = long_thread
    log = written  # started after the long thread was stored
    held = make_comment(article, body="Short and sweet wombat.", status="pending")
    assert log() == {"article": 0, "comment": set(), "chars": 0}  # held: nothing indexed
    assert comment_approve(comments=[held]) == 1
    result = log()
    assert result["article"] == 0
    assert result["comment"] == {held.pk}
    assert result["chars"] < 200  # that comment's text, not the thread's ~200,000
    assert search_article_ids("wombat") == [article.pk]


def test_editing_and_removing_a_comment_touch_that_comment_alone(long_thread, written):
    article, others = long_thread
    log = written
    Comment.objects.filter(pk=others[3].pk).update(body="Rewritten: a capybara.")
    assert log()["comment"] == {others[3].pk}
    assert log()["article"] == 0
    comment_remove(comments=[others[5]])
    assert log()["comment"] <= {others[3].pk, others[5].pk}
    assert log()["article"] == 0
    # Writes that change no approved comment's text, status or article index nothing.
    Comment.objects.filter(article=article).update(ip_address=None)
    assert log()["comment"] <= {others[3].pk, others[5].pk}
    assert search_article_ids("capybara") == [article.pk]
    assert search_article_ids("quokka5") == []
    assert search_article_ids("quokka6") == [article.pk]


def test_comment_snippet_reads_only_the_best_comments(long_thread, make_comment):
    """The search page quotes the best-matching comment, picked by the index:
    it reads a few comment bodies, not every comment of the thread."""
    from django.test.utils import CaptureQueriesContext

    article, others = long_thread
    make_comment(article, body="The quokka7 and the wombat met.")
    with CaptureQueriesContext(connection) as queries:
        outcome = search_page("quokka7 wombat")
    assert [r.article.pk for r in outcome.results] == [article.pk]
    assert outcome.results[0].from_comment
    assert "<mark>wombat</mark>" in outcome.results[0].snippet
    # ranked ids, the note templates, the page's articles, the best comments
    assert len(queries) == 4
