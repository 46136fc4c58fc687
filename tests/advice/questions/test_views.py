"""The Ask pages: the form, sending again too soon, the client's address, and
answer suggestions while the reader types."""

from __future__ import annotations

from advice.models import Article, ReaderQuestion
from advice.questions.views import MSG_FLOOD


def test_ask_page_has_the_form_and_progressive_suggestions(client):
    page = client.get("/ask/").content.decode()
    for name in ("name", "email", "question", "consent_to_publish", "honeypot", "token"):
        assert f'name="{name}"' in page
    assert 'class="hp-field"' in page
    assert 'data-suggest-url="/ask/suggest/"' in page
    assert "js/ask.js" in page
    assert "<script>" not in page  # no inline script


def test_second_question_too_soon_is_refused_with_429_and_text_kept(client, ask_data):
    assert client.post("/ask/", ask_data()).status_code == 303
    response = client.post("/ask/", ask_data(question="And another thing about cover letters?"))
    assert response.status_code == 429
    page = response.content.decode()
    assert MSG_FLOOD.format(seconds=15).replace("'", "&#x27;") in page
    assert "And another thing about cover letters?" in page
    assert ReaderQuestion.objects.count() == 1


def test_trusted_proxy_address_is_used_for_the_flood_limit(client, settings, ask_data):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    client.post("/ask/", ask_data(), HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert ReaderQuestion.objects.get().ip_address == "198.51.100.7"


def test_suggest_returns_up_to_five_published_articles(client, make_article):
    for n in range(7):
        make_article(title=f"Thank-you note {n}")
    make_article(title="Thank-you note draft", status=Article.Status.DRAFT)
    results = client.get("/ask/suggest/", {"q": "should I send a thank"}).json()["results"]
    assert len(results) == 5
    assert all(set(r) == {"title", "url"} for r in results)
    assert all("draft" not in r["title"] for r in results)
    assert results[0]["url"].startswith("/articles/")


def test_suggest_matches_an_unfinished_last_word(client, make_article):
    article = make_article(title="Negotiating salary")
    results = client.get("/ask/suggest/", {"q": "negoti"}).json()["results"]
    assert results == [{"title": "Negotiating salary", "url": article.get_absolute_url()}]


def test_suggest_with_nothing_to_search_is_empty(client):
    assert client.get("/ask/suggest/").json() == {"results": []}
