"""The search page: any query gives a page, results highlighted and
escaped, the any-word fallback, paging, the comment quote, the way to Ask."""

from __future__ import annotations

import pytest

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


def test_search_page_quotes_the_comment_only_when_the_article_text_does_not_match(client, seed):
    page = client.get("/search/", {"q": "follow-up"}).content.decode()
    assert "1 answer for" in page
    assert "From a reader’s comment:" in page
    assert "sending <mark>follow</mark>-up emails" in page

    page = client.get("/search/", {"q": "thank you note"}).content.decode()
    assert "From a reader’s comment:" not in page
    assert "<mark>note</mark>" in page


def test_nothing_found_offers_the_ask_form(client, make_article):
    make_article(title="Something else")
    page = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "No published answer matches" in page
    assert 'href="/ask/"' in page
