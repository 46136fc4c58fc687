"""Ranked search: what matches (own text and approved comments, published
articles only, every word), and the same top hits on SQLite (FTS5) and
PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from advice.demo import demo_load
from advice.models import Article
from advice.search.queries import search_article_ids, search_page
from tests.conftest import corpus_path


def seed_article(make_article, make_topic) -> Article:
    """The seed post (``corpus/seed/*.txt``) as an article: title, asker
    Bianca, the question, and the answer up to the share links."""
    text = corpus_path("seed", "post-interview-thank-you-note.txt").read_text(encoding="utf-8")
    title = text.splitlines()[0].strip()
    body = text.split("Bianca asks:", 1)[1].split("Share on facebook", 1)[0]
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return make_article(
        title=title,
        slug="post-interview-thank-you-note",
        asker="Bianca",
        question=paragraphs[0],
        answer="\n\n".join(paragraphs[1:]),
        topics=[make_topic(name="interviews", slug="interviews-tag")],
    )


def test_search_finds_by_title_question_answer_and_topic(make_article, make_topic):
    topic = make_topic(name="Negotiation")
    by_title = make_article(title="Salary talk")
    by_question = make_article(question="How do I ask for a *raise*?")
    by_answer = make_article(answer="Bring numbers to the **meeting**.")
    by_topic = make_article(topics=[topic])
    assert search_article_ids("salary") == [by_title.pk]
    assert search_article_ids("raise") == [by_question.pk]
    assert search_article_ids("meeting") == [by_answer.pk]
    assert search_article_ids("negotiation") == [by_topic.pk]


def test_search_finds_only_published_articles(make_article):
    visible = make_article(title="Gardening leave explained")
    make_article(title="Gardening draft", status=Article.Status.DRAFT)
    make_article(title="Gardening later", published_at=timezone.now() + timedelta(days=3))
    assert search_article_ids("gardening") == [visible.pk]


def test_all_words_must_match(make_article):
    both = make_article(title="Thank-you note after a call")
    make_article(title="A note about nothing")
    assert search_article_ids("thank note") == [both.pk]


def test_title_outranks_answer(make_article):
    in_answer = make_article(title="Odd question", answer="Mention the portfolio once.")
    in_title = make_article(title="Your portfolio", answer="Keep it short.")
    assert search_article_ids("portfolio") == [in_title.pk, in_answer.pk]


@pytest.fixture
def column(db, make_article, make_topic):
    """The seed post and the demo articles, plus unrelated fillers."""
    seed = seed_article(make_article, make_topic)
    demo_load()
    for n in range(5):
        make_article(title=f"Commuting question {n}", answer="Take the early train.")
    return {"seed": seed}


@pytest.mark.parametrize(
    ("query", "top_slug"),
    [
        ("thank you note", "thank-you-note-after-a-phone-screen"),
        ("post-interview thank-you note", "post-interview-thank-you-note"),
        ("follow-up", "how-long-to-wait-before-following-up"),
        ("following up on my resume", "how-long-to-wait-before-following-up"),
        ("interview", "post-interview-thank-you-note"),
        ("coin toss", "post-interview-thank-you-note"),
        ("boss takes credit", "my-boss-takes-credit-for-my-coverage"),
        ("phone screen", "thank-you-note-after-a-phone-screen"),
    ],
)
def test_same_top_hit_on_every_backend(column, query, top_slug):
    """The expected top hit is pinned, and this test runs on SQLite and on
    PostgreSQL, so both backends agree."""
    ids = search_article_ids(query)
    assert ids, query
    assert Article.objects.get(pk=ids[0]).slug == top_slug


def test_seed_article_is_found_for_thank_you_note(column):
    ids = search_article_ids("thank you note")
    assert column["seed"].pk in ids[:2]


def test_seed_article_is_the_top_hit_for_follow_up(seed):
    assert "follow" not in (seed.title + seed.question + seed.answer).lower()
    assert search_article_ids("follow-up") == [seed.pk]


def test_imported_seed_article_is_the_top_hit_for_thank_you_note(seed):
    assert search_article_ids("thank you note")[0] == seed.pk


def test_every_word_may_come_from_the_article_or_its_comments(make_article, make_comment):
    article = make_article(title="Thank-you note length")
    make_comment(article, body="I always use a fountain pen.")
    assert search_article_ids("thank fountain") == [article.pk]


def test_article_text_outranks_comments(make_article, make_comment):
    in_comment = make_article(title="Odd question", answer="Keep it short.")
    make_comment(in_comment, body="My portfolio helped, portfolio portfolio.")
    in_answer = make_article(title="Another question", answer="Mention the portfolio once.")
    in_title = make_article(title="Your portfolio", answer="Keep it short.")
    assert search_article_ids("portfolio") == [in_title.pk, in_answer.pk, in_comment.pk]


def test_search_page_query_count_does_not_grow_with_results(make_article, make_topic):
    topic = make_topic()
    for n in range(25):
        make_article(title=f"Overtime pay {n}", topics=[topic])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        outcome = search_page("overtime pay")
    assert outcome.count == 25
    assert len(outcome.results) == 10
    # The ranked ids, the note templates (first page), then the page's articles.
    assert len(queries) == 3
