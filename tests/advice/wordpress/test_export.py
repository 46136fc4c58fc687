"""``manage.py export_wxr``: content written here goes out with its statuses,
threads, dates, comment state and kept IP addresses, comes back the same
through the importer, carries no reply-subscription data, and is streamed in
bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import CommandError, call_command
from django.utils import timezone

from advice.comments.models import CommentSubscription
from advice.models import Article, Comment, Topic
from advice.wordpress.export import wxr_export
from advice.wordpress.importer import wxr_import

pytestmark = pytest.mark.django_db

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def exported() -> str:
    out = io.StringIO()
    wxr_export(out)
    return out.getvalue()


def items_by_slug(text: str) -> dict:
    channel = fromstring(text).find("channel")
    return {item.findtext(f"{WP}post_name"): item for item in channel.iter("item")}


@pytest.fixture
def column(make_article, make_comment, make_topic):
    """Articles written here: published (open), draft, scheduled (closed);
    comments of every status, a reply, a cleared IP address."""
    topic = make_topic(name="Money <and> work", slug="money-work", description="About pay.")
    published = make_article(
        slug="raise-review",
        title="Asking for a raise",
        asker="Pat O'Reader",
        question="How do I ask\nfor a raise?",
        answer="Ask *early*.\n\n> Dear [name],\n>\n> Thanks.",
        published_at=datetime(2024, 3, 1, 9, 30, 15, tzinfo=UTC),
        topics=[topic],
    )
    make_article(slug="still-a-draft", status=Article.Status.DRAFT)
    make_article(
        slug="next-week",
        published_at=timezone.now() + timedelta(days=7),
        comment_status=Article.CommentStatus.CLOSED,
    )
    first = make_comment(
        published,
        author_name="Ann & Bo",
        body="I <b>tried</b> this & it worked.\r\nReally.",
        ip_address="192.0.2.7",
        author_url="https://ann.example/",
        created_at=datetime(2024, 3, 2, 10, 0, 0, tzinfo=UTC),
    )
    make_comment(
        published,
        parent=first,
        status=Comment.Status.PENDING,
        ip_address=None,
        created_at=datetime(2024, 3, 3, 10, 0, 0, tzinfo=UTC),
    )
    make_comment(published, status=Comment.Status.SPAM, ip_address="2001:db8::1")
    make_comment(published, status=Comment.Status.REMOVED)
    return published


def test_articles_go_out_with_status_dates_comment_state_topics_and_asker(column):
    items = items_by_slug(exported())
    assert set(items) == {"raise-review", "still-a-draft", "next-week"}
    assert [items[s].findtext(f"{WP}status") for s in ("raise-review", "still-a-draft")] == [
        "publish",
        "draft",
    ]
    assert items["next-week"].findtext(f"{WP}status") == "future"
    assert items["next-week"].findtext(f"{WP}comment_status") == "closed"
    item = items["raise-review"]
    assert item.findtext(f"{WP}comment_status") == "open"
    assert item.findtext("title") == "Asking for a raise"
    assert item.findtext("pubDate") == "Fri, 01 Mar 2024 09:30:15 +0000"
    assert item.findtext(f"{WP}post_date_gmt") == "2024-03-01 09:30:15"
    assert item.findtext(f"{WP}post_type") == "post"
    content = item.findtext(f"{CONTENT}encoded")
    assert content.startswith(
        "<strong>Pat O'Reader asks:</strong>\n\n<em>How do I ask for a raise?"
    )
    assert "<blockquote>" in content
    tag = item.find("category")
    assert (tag.get("domain"), tag.get("nicename"), tag.text) == (
        "post_tag",
        "money-work",
        "Money &lt;and&gt; work",
    )


def test_comments_go_out_with_statuses_threads_and_only_kept_ip_addresses(column):
    comments = items_by_slug(exported())["raise-review"].findall(f"{WP}comment")
    values = [
        {
            name: c.findtext(f"{WP}comment_{name}")
            for name in ("id", "author", "author_IP", "approved", "parent", "content", "date_gmt")
        }
        for c in comments
    ]
    assert [v["approved"] for v in values] == ["1", "0", "spam", "trash"]
    first, reply, spam, _ = values
    assert reply["parent"] == first["id"]
    assert first["parent"] == "0"
    assert first["author"] == "Ann &amp; Bo"
    assert first["author_IP"] == "192.0.2.7"
    assert reply["author_IP"] == ""
    assert spam["author_IP"] == "2001:db8::1"
    assert first["date_gmt"] == "2024-03-02 10:00:00"
    # Plain text written here goes out as HTML showing the same text.
    assert first["content"] == "I &lt;b&gt;tried&lt;/b&gt; this &amp; it worked.\r\nReally."


def test_written_content_comes_back_the_same_through_the_importer(column, tmp_path):
    path = tmp_path / "out.xml"
    path.write_text(exported(), encoding="utf-8")
    before = {
        a.slug: (a.status, a.published_at.replace(microsecond=0), a.comment_status, a.asker)
        for a in Article.objects.all()
    }
    answer_html = column.answer_html
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()

    wxr_import(path)

    after = {
        a.slug: (a.status, a.published_at, a.comment_status, a.asker) for a in Article.objects.all()
    }
    assert after == before
    article = Article.objects.get(slug="raise-review")
    assert article.question_html == "<p>How do I ask for a raise?</p>"
    assert article.answer_html.replace("\n", "") == answer_html.replace("\n", "")
    assert list(article.topics.values_list("slug", "description")) == [("money-work", "")]
    comments = list(article.comments.order_by("created_at", "id"))
    assert [c.status for c in comments] == ["approved", "pending", "spam", "removed"]
    assert comments[1].parent == comments[0]
    assert [c.ip_address for c in comments[:3]] == ["192.0.2.7", None, "2001:db8::1"]
    assert comments[0].author_url == "https://ann.example/"


def test_no_reply_subscription_user_agent_or_browser_token_goes_out(column):
    comment = column.comments.first()
    subscription = CommentSubscription.objects.create(
        comment=comment, article=column, email="only-subscribed@example.org"
    )
    Comment.objects.filter(pk=comment.pk).update(user_agent="SecretAgent/1.0", browser_key="b" * 64)
    text = exported()
    for private in ("only-subscribed@example.org", subscription.key, "SecretAgent", "b" * 64):
        assert private not in text


def test_memory_stays_bounded_as_comments_grow_tenfold(make_article):
    """2,000 comments, then 20,000: the peak of Python allocations while
    exporting must not grow with the number of comments (under twice the
    small run's, where holding them all would make it ten times), and stays
    under 16 MB. (Measured: about 0.8 MB for both, and for 50,000; the sizes
    are kept small because tracing every allocation is slow.)"""

    class Sink:
        size = 0

        def write(self, text: str) -> None:
            self.size += len(text)

    def peak_for(total: int) -> tuple[int, int]:
        Comment.objects.all().delete()
        Article.objects.all().delete()
        articles = [make_article() for _ in range(5)]
        now = timezone.now()
        Comment.objects.bulk_create(
            Comment(
                article=articles[n % 5],
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.com",
                body="A comment of some length, as readers write them.",
                status=Comment.Status.APPROVED,
                created_at=now - timedelta(seconds=n),
                ip_address="192.0.2.1",
            )
            for n in range(total)
        )
        sink = Sink()
        tracemalloc.start()
        try:
            summary = wxr_export(sink)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert summary.comments == total
        return peak, sink.size

    small_peak, small_size = peak_for(2_000)
    large_peak, large_size = peak_for(20_000)
    assert large_size > 9 * small_size  # the output did grow tenfold
    assert large_peak < 16 * 1024 * 1024
    assert large_peak < 2 * small_peak


def test_command_writes_a_file_or_standard_output(column, tmp_path):
    path = tmp_path / "site.xml"
    err = io.StringIO()
    call_command("export_wxr", str(path), stderr=err)
    assert "Exported 3 articles, 4 comments, 1 topics and 0 authors." in err.getvalue()
    assert set(items_by_slug(path.read_text(encoding="utf-8"))) == {
        "raise-review",
        "still-a-draft",
        "next-week",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["site.xml"]  # no partial file left

    out = io.StringIO()
    call_command("export_wxr", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!--')
    assert set(items_by_slug(out.getvalue())) == {"raise-review", "still-a-draft", "next-week"}


def test_command_refuses_a_folder_it_cannot_write_and_keeps_an_earlier_export(tmp_path):
    with pytest.raises(CommandError, match="cannot write there"):
        call_command("export_wxr", str(tmp_path / "missing" / "site.xml"))
    earlier = tmp_path / "site.xml"
    earlier.write_text("earlier export", encoding="utf-8")
    target = tmp_path / "site.xml" / "inside-a-file.xml"
    with pytest.raises(CommandError):
        call_command("export_wxr", str(target))
    assert earlier.read_text(encoding="utf-8") == "earlier export"


def test_this_sites_own_export_is_refused_where_it_would_copy_everything(tmp_path):
    """Imported from WordPress, then exported: importing that export back
    into the same site is refused (nothing written); into an empty site it
    imports, and importing it there again adds nothing."""
    from advice.wordpress.wxr import WXRError
    from tests.advice.wordpress.test_import import seed_path, table_counts

    wxr_import(seed_path())
    path = tmp_path / "out.xml"
    path.write_text(exported(), encoding="utf-8")
    counts = table_counts()
    with pytest.raises(WXRError, match="own export"):
        wxr_import(path)
    assert table_counts() == counts
    with pytest.raises(CommandError, match="own export"):
        call_command("import_wxr", str(path), stdout=io.StringIO())

    Comment.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()
    wxr_import(path)
    moved = table_counts()
    assert moved[:2] == counts[:2]
    wxr_import(path)
    assert table_counts() == moved
