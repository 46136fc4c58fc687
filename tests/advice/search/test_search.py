"""Search: query quoting, highlighting, the index kept by the database, and
the same top hits on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from advice.demo import demo_load
from advice.models import Article, Topic
from advice.search.queries import (
    MAX_TERMS,
    fts5_match_expression,
    highlight,
    query_terms,
    search_article_ids,
    search_index_ensure,
    search_page,
    snippet,
    tsquery_expression,
)
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


# --- Pure query handling ---------------------------------------------------------


def test_query_terms_keep_words_and_drop_punctuation_operators_and_stop_words():
    assert query_terms("thank you note") == ["thank", "note"]
    assert query_terms("Follow-up?") == ["follow"]
    # AND, OR and NOT are stop words; the rest are plain words.
    assert query_terms('"note" AND title:(résumé OR cover) NOT -boss* ^x NEAR/2') == [
        "note",
        "title",
        "resume",
        "cover",
        "boss",
        "x",
        "near",
        "2",
    ]
    assert query_terms("Résumé RESUME resume") == ["resume"]


@pytest.mark.parametrize("text", [None, "", "   ", "?!", '"""', "the and of", "_-_"])
def test_query_terms_of_nothing_searchable_is_empty(text):
    assert query_terms(text) == []


def test_query_terms_are_capped_for_long_input():
    words = " ".join(f"word{n}" for n in range(500))
    terms = query_terms(words)
    assert len(terms) == MAX_TERMS
    assert all(len(t) <= 60 for t in query_terms("x" * 5000))


def test_match_expressions_quote_every_term():
    terms = ["thank", "note"]
    assert fts5_match_expression(terms) == '"thank" "note"'
    assert fts5_match_expression(terms, any_term=True, prefix=True) == '"thank" OR "note"*'
    assert tsquery_expression(terms) == "'thank' & 'note'"
    assert tsquery_expression(terms, any_term=True, prefix=True) == "'thank' | 'note':*"
    # A too-short last word is not a prefix (it would match half the index).
    assert fts5_match_expression(["no"], prefix=True) == '"no"'


def test_highlight_escapes_text_before_marking():
    marked = highlight('<b>Note</b> & "notes" <script>', ["note"])
    assert marked == (
        "&lt;b&gt;<mark>Note</mark>&lt;/b&gt; &amp; &quot;<mark>notes</mark>&quot; &lt;script&gt;"
    )


def test_highlight_marks_word_forms_and_accents():
    marked = highlight("Following up on my résumé", query_terms("follow-up resume"))
    assert marked == "<mark>Following</mark> up on my <mark>résumé</mark>"


def test_snippet_shows_the_part_with_the_words():
    text = " ".join(["filler"] * 100) + " send a thank you note today " + " ".join(["x"] * 100)
    cut = snippet(text, ["thank", "note"], words=12)
    assert "<mark>thank</mark> you <mark>note</mark>" in cut
    assert cut.startswith("… ") and cut.endswith(" …")
    assert len(cut) < 200


def test_snippet_without_matches_is_the_start():
    assert snippet("Short text here.", ["zebra"]) == "Short text here."


# --- Through the database -----------------------------------------------------------

NASTY_QUERIES = [
    "",
    " ",
    '"',
    "'",
    '"unclosed',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(note thank)",
    "note AND",
    "OR note",
    "NOT note",
    "*",
    "note*",
    "^note",
    "title:note",
    ":",
    "-",
    "-note",
    "note -",
    "(((",
    ")",
    "{note}",
    "\\",
    "%",
    "_",
    "&",
    "|",
    "!",
    "<->",
    "note <-> thank",
    "'; DROP TABLE advice_article; --",
    "<script>alert(1)</script>",
    "\x00note",
    "日本語のメモ",
    "🙂 note",
    "a" * 1000,
    "note " * 200,
    ("x" * 999) + '"',
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_query_gives_a_page_not_an_error(client, make_article, query):
    make_article(title="A thank you note", answer="Write the note.")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_query_gives_suggestions_not_an_error(client, make_article, query):
    make_article(title="A thank you note", answer="Write the note.")
    response = client.get("/ask/suggest/", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


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


def test_index_follows_queryset_update_topic_changes_and_delete(make_article, make_topic):
    """The index is kept by database triggers, so writes that skip save()
    (bulk updates in the admin, queryset.update(), M2M changes, a renamed
    topic) keep it current."""
    topic = make_topic(name="Etiquette")
    article = make_article(title="Original wording")
    Article.objects.filter(pk=article.pk).update(title="Rewritten heading")
    assert search_article_ids("original") == []
    assert search_article_ids("rewritten") == [article.pk]

    article.topics.add(topic)
    assert search_article_ids("etiquette") == [article.pk]
    Topic.objects.filter(pk=topic.pk).update(name="Manners")
    assert search_article_ids("etiquette") == []
    assert search_article_ids("manners") == [article.pk]
    article.topics.remove(topic)
    assert search_article_ids("manners") == []

    draft = make_article(title="Unpublished rewrite", status=Article.Status.DRAFT)
    assert search_article_ids("unpublished") == []
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    assert search_article_ids("unpublished") == [draft.pk]

    Article.objects.filter(pk=article.pk).delete()
    assert search_article_ids("rewritten") == []


def test_a_lost_index_is_repaired(make_article):
    """Django rebuilds a SQLite table for many ALTERs, which drops its
    triggers; search_index_ensure (run after migrate) puts them back and
    refills the index. On PostgreSQL it recreates a missing index table."""
    article = make_article(title="Probation period")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER advice_article_fts_update")
        else:
            cursor.execute("DROP TABLE advice_article_search")
    assert search_index_ensure(connection) is True
    Article.objects.filter(pk=article.pk).update(title="Trial period")
    assert search_article_ids("trial") == [article.pk]
    assert search_index_ensure(connection) is False


@pytest.fixture
def column(db, make_article, make_topic):
    """The seed post and the demo articles, plus unrelated fillers."""
    seed = seed_article(make_article, make_topic)
    demo_load()
    for n in range(5):
        make_article(title=f"Commuting question {n}", answer="Take the early train.")
    return {"seed": seed}


@pytest.mark.parametrize(
    "query, top_slug",
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


def test_search_page_highlights_and_escapes(client, make_article):
    make_article(
        title="Note <b>bold</b> ideas",
        question="Is a <em>thank-you</em> note <script>alert(1)</script> too much?",
        answer="A short note is fine.",
    )
    page = client.get("/search/", {"q": "note <script>"}).content.decode()
    assert "<mark>Note</mark> &lt;b&gt;bold&lt;/b&gt; ideas" in page
    assert "<mark>note</mark>" in page
    assert "<script>alert" not in page
    assert "1 answer for" in page


def test_search_page_falls_back_to_any_word(client, make_article):
    make_article(title="Thank-you notes")
    page = client.get("/search/", {"q": "thank zebra"}).content.decode()
    assert "none has every word" in page
    assert "<mark>Thank</mark>-you notes" in page


def test_search_page_paginates_and_keeps_the_query(client, make_article):
    for n in range(12):
        make_article(title=f"Reference letter {n}")
    first = client.get("/search/", {"q": "reference letter"}).content.decode()
    assert "12 answers for" in first
    assert first.count('class="search-result"') == 10
    assert "?q=reference%20letter&amp;page=2" in first
    second = client.get("/search/", {"q": "reference letter", "page": "2"}).content.decode()
    assert second.count('class="search-result"') == 2
    bad = client.get("/search/", {"q": "reference letter", "page": "zz"})
    assert bad.status_code == 200


def test_search_page_query_count_does_not_grow_with_results(make_article, make_topic):
    topic = make_topic()
    for n in range(25):
        make_article(title=f"Overtime pay {n}", topics=[topic])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        outcome = search_page("overtime pay")
    assert outcome.count == 25 and len(outcome.results) == 10
    # The ranked ids, then the page's articles.
    assert len(queries) == 2


def test_nothing_found_offers_the_ask_form(client, make_article):
    make_article(title="Something else")
    page = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "No published answer matches" in page
    assert 'href="/ask/"' in page
