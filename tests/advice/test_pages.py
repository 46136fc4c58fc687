from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advice.models import Article, Comment


def test_home_lists_published_articles_with_asker_and_comment_count(
    client, make_article, make_comment
):
    article = make_article(title="Waiting to Hear Back", asker="Noor")
    make_comment(article)
    make_comment(article, status=Comment.Status.PENDING)
    make_article(title="Secret draft", status=Article.Status.DRAFT)
    make_article(title="Next week", published_at=timezone.now() + timedelta(days=7))

    page = client.get("/").content.decode()

    assert "Waiting to Hear Back" in page
    assert "Noor" in page
    assert "1 Response" in page
    assert "1 Responses" not in page
    assert "Secret draft" not in page
    assert "Next week" not in page


def test_home_paginates(client, make_article):
    for n in range(12):
        make_article(title=f"Numbered {n:02d}")
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    assert "Numbered 11" in first
    assert "Numbered 00" not in first
    assert "Numbered 00" in second


def test_the_list_excerpt_is_the_questions_text_and_follows_an_edit(client, make_article):
    # Excerpts are kept per process under the question's HTML: an edited
    # question shows its new words at once; markup is text, escaped once.
    words = " ".join(f"w{n}" for n in range(60))
    article = make_article(title="Excerpted", question=f"**Bold** <b>&</b> {words}")
    page = client.get("/").content.decode()
    assert '<p class="excerpt">Bold &amp; w0 w1' in page
    assert "w37 …</p>" in page  # 40 words: Django's truncatewords
    assert "w38" not in page

    article.question = "Now a different question entirely."
    article.save()
    page = client.get("/").content.decode()
    assert "Now a different question entirely." in page
    assert "Bold" not in page


def test_article_page_sets_question_apart_from_answer(client, make_article):
    article = make_article(asker="Bianca", question="Should I *write*?", answer="Yes, **briefly**.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<strong dir="auto">Bianca</strong> asks:' in page
    assert '<section class="question"' in page
    assert "<em>write</em>" in page
    assert "<strong>briefly</strong>" in page
    assert page.index("Should I") < page.index("briefly")


def test_article_page_has_plain_share_links_and_no_third_party_script(client, make_article):
    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    for target in ("facebook.com/sharer", "x.com/intent", "linkedin.com/sharing", "mailto:?"):
        assert target in page
    assert '<script src="http' not in page


def test_closed_article_shows_comments_and_says_comments_are_closed(
    client, make_article, make_comment
):
    article = make_article(comment_status=Article.CommentStatus.CLOSED)
    make_comment(article, body="An old thought.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "An old thought." in page
    assert "Comments are closed." in page
    assert "1 Response" in page


def test_only_approved_comments_are_shown(client, make_article, make_comment):
    article = make_article()
    make_comment(article, body="Approved words")
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        make_comment(article, body=f"unseen {status}", status=status)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Approved words" in page
    assert "unseen" not in page
    assert "1 Response" in page


def test_replies_nest_and_depth_is_capped_for_display(client, make_article, make_comment, settings):
    settings.COMMENTS_MAX_DEPTH = 3
    article = make_article()
    parent = None
    for _ in range(6):
        parent = make_comment(article, parent=parent)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("comment depth-1") == 1
    assert page.count("comment depth-2") == 1
    assert page.count("comment depth-3") == 4
    assert "depth-4" not in page


def test_comment_body_is_escaped_and_links_are_nofollow_ugc(client, make_article, make_comment):
    article = make_article()
    make_comment(article, body="<b>hi</b> see https://example.org/x", author_name="<i>Eve</i>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;b&gt;hi&lt;/b&gt;" in page
    assert "&lt;i&gt;Eve&lt;/i&gt;" in page
    assert 'rel="nofollow ugc" href="https://example.org/x"' in page


def test_comment_email_is_never_shown(client, make_article, make_comment):
    article = make_article()
    make_comment(article, author_email="private.person@example.com")
    assert "private.person" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=3)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_article_is_404_for_public_and_shown_to_staff(
    client, staff_client, make_article, fields
):
    article = make_article(**fields)
    from django.test import Client

    assert Client().get(article.get_absolute_url()).status_code == 404
    response = staff_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "not visible to readers" in response.content.decode()


def test_topic_page_lists_its_published_articles(client, make_article, make_topic):
    topic = make_topic(name="Résumés", slug="résumés")
    make_article(title="In topic", topics=[topic])
    make_article(title="Elsewhere")
    make_article(title="Draft in topic", topics=[topic], status=Article.Status.DRAFT)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "In topic" in page
    assert "Elsewhere" not in page
    assert "Draft in topic" not in page


def test_topic_index_counts_published_articles(client, make_article, make_topic):
    topic = make_topic(name="Interviews")
    make_article(topics=[topic])
    make_article(topics=[topic])
    make_article(topics=[topic], status=Article.Status.DRAFT)
    page = client.get("/topics/").content.decode()
    assert 'Interviews</a> <span class="count">(2)</span>' in page


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_article_page_query_count_does_not_grow_with_comments(client, make_article):
    counts = {}
    for n in (0, 5, 50, 500):
        article = make_article()
        comments = [
            Comment(
                article=article,
                author_name=f"R{i}",
                author_email=f"r{i}@example.com",
                body="x",
                status=Comment.Status.APPROVED,
            )
            for i in range(n)
        ]
        Comment.objects.bulk_create(comments)
        # Make half of them replies, to exercise the thread.
        saved = list(article.comments.order_by("id"))
        for i, comment in enumerate(saved[1::2]):
            comment.parent = saved[i * 2]
        Comment.objects.bulk_update(saved, ["parent"])
        counts[n] = _queries_for(client, article.get_absolute_url())
    # A thread longer than one comment page costs two queries more at most
    # (its shape from light rows, the shown page's comments not loaded with
    # the first page's worth), whatever its length.
    assert counts[0] == counts[5] == counts[50], counts
    assert counts[500] <= counts[5] + 2, counts
    # The site version (page cache), the article with the fragments' version,
    # its topics, its stored related list, the comment tree.
    assert counts[0] <= 5


def test_home_query_count_is_the_same_for_1_and_50_articles(client, make_article, make_topic):
    topic = make_topic()
    make_article(topics=[topic])
    one = _queries_for(client, "/")
    for _ in range(49):
        make_article(topics=[topic])
    fifty = _queries_for(client, "/")
    assert one == fifty


@pytest.mark.parametrize(
    "which",
    [
        "home",
        "article",
        "topic_list",
        "topic",
        "robots",
        "healthz",
        "search",
        "ask_thanks",
        "ask_suggest",
        "notes",
    ],
)
def test_read_only_pages_answer_head(client, make_article, make_topic, which):
    """HEAD is GET without the body (RFC 9110): every read-only page answers
    it (``require_safe``), never 405."""
    topic = make_topic()
    article = make_article(topics=[topic])
    url = {
        "home": "/",
        "article": article.get_absolute_url(),
        "topic_list": "/topics/",
        "topic": topic.get_absolute_url(),
        "robots": "/robots.txt",
        "healthz": "/healthz",
        "search": "/search/?q=word",
        "ask_thanks": "/ask/thanks/",
        "ask_suggest": "/ask/suggest/?q=word",
        "notes": "/notes/",
    }[which]
    assert client.get(url).status_code == 200
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""
