"""The Ask form, its guards, answer suggestions, and the path from a reader's
question to a published article in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from advice.models import Article, ReaderQuestion
from advice.questions.views import (
    MSG_FLOOD,
    MSG_HONEYPOT,
    MSG_TOKEN_BAD,
    MSG_TOKEN_FAST,
    MSG_TOKEN_OLD,
    ask_token,
    check_ask_token,
    question_title,
    reader_question_make_article,
    reader_questions_mark_answered,
    unique_article_slug,
)


@pytest.fixture(autouse=True)
def managers(db, settings):
    settings.MANAGERS = [("Editors", "editors@example.com")]
    settings.COMMENTS_FLOOD_SECONDS = 15


def ask_data(**fields) -> dict:
    """A valid POST for /ask/, its token made 10 seconds ago."""
    data = {
        "name": "Bianca",
        "email": "bianca@example.com",
        "question": "Should I send a thank-you note after a phone screen?",
        "consent_to_publish": "on",
        "honeypot": "",
        "token": ask_token(timezone.now() - timedelta(seconds=10)),
    }
    data.update(fields)
    return data


# --- Pure rules -------------------------------------------------------------------


def test_token_is_checked_for_signature_and_age():
    now = timezone.now()
    made = ask_token(now - timedelta(seconds=30))
    rules = {"min_age": 2, "max_age": 7200}
    assert check_ask_token(made, now=now, **rules) is None
    assert check_ask_token(made + "x", now=now, **rules) == MSG_TOKEN_BAD
    assert check_ask_token("", now=now, **rules) == MSG_TOKEN_BAD
    assert check_ask_token(ask_token(now), now=now, **rules) == MSG_TOKEN_FAST
    old = ask_token(now - timedelta(hours=3))
    assert check_ask_token(old, now=now, **rules) == MSG_TOKEN_OLD
    assert check_ask_token(old, now=now, timing=False, **rules) is None


def test_question_title_is_the_first_sentence_on_one_line():
    assert question_title("Should I write?\nI had an interview.") == "Should I write?"
    assert question_title("   ") == "Reader question"
    assert len(question_title("word " * 100)) <= 80


def test_unique_slug_counts_up(make_article):
    make_article(slug="should-i-write")
    make_article(slug="should-i-write-2")
    assert unique_article_slug("Should I write?") == "should-i-write-3"
    assert unique_article_slug("?!") == "reader-question"
    assert unique_article_slug("Пишу ли я?") == "пишу-ли-я"


# --- The form ---------------------------------------------------------------------


def test_ask_page_has_the_form_and_progressive_suggestions(client):
    page = client.get("/ask/").content.decode()
    for name in ("name", "email", "question", "consent_to_publish", "honeypot", "token"):
        assert f'name="{name}"' in page
    assert 'class="hp-field"' in page
    assert 'data-suggest-url="/ask/suggest/"' in page
    assert "js/ask.js" in page
    assert "<script>" not in page  # no inline script


def test_question_is_stored_managers_told_and_reader_confirmed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ask/", ask_data())
    assert response.status_code == 303
    assert response["Location"] == "/ask/thanks/"
    question = ReaderQuestion.objects.get()
    assert question.name == "Bianca"
    assert question.consent_to_publish is True
    assert question.status == ReaderQuestion.Status.NEW
    assert question.ip_address == "127.0.0.1"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editors@example.com"]
    assert "Bianca asks" in mail.outbox[0].body
    assert f"/admin/advice/readerquestion/{question.pk}/change/" in mail.outbox[0].body
    assert "Thank you for your question" in client.get("/ask/thanks/").content.decode()


def test_blank_name_is_anonymous(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ask/", ask_data(name=""))
    assert ReaderQuestion.objects.get().display_name == "Anonymous"
    assert "Anonymous" in mail.outbox[0].subject


def test_name_cannot_inject_mail_headers(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ask/", ask_data(name="Eve\r\nBcc: all@example.com"))
    assert response.status_code == 303
    assert "\n" not in mail.outbox[0].subject


def test_question_longer_than_5000_characters_is_refused_and_kept(client):
    text = "Why? " * 1001
    response = client.post("/ask/", ask_data(question=text))
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0
    assert "Why? Why?" in response.content.decode()


def test_question_of_exactly_5000_characters_is_accepted(client):
    response = client.post("/ask/", ask_data(question="x" * 5000))
    assert response.status_code == 303


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"honeypot": "http://spam.example"}, MSG_HONEYPOT),
        ({"token": "forged"}, MSG_TOKEN_BAD),
        ({"token": None}, MSG_TOKEN_BAD),
        ({"token": ask_token(timezone.now() - timedelta(hours=3))}, MSG_TOKEN_OLD),
    ],
)
def test_bots_are_refused_and_text_kept(client, fields, message):
    data = {k: v for k, v in ask_data(**fields).items() if v is not None}
    response = client.post("/ask/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0
    assert message.replace("'", "&#x27;") in page
    assert "thank-you note after a phone screen" in page


def test_form_sent_too_fast_is_refused(client):
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now())))
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0


def test_timing_rules_can_be_turned_off(client, settings):
    settings.COMMENTS_TIMING_RULES = False
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now())))
    assert response.status_code == 303


def test_signature_min_age_setting_is_honoured(client, settings):
    settings.COMMENTS_SIGNATURE_MIN_AGE = 0
    response = client.post("/ask/", ask_data(token=ask_token(timezone.now())))
    assert response.status_code == 303


def test_second_question_too_soon_is_refused_with_429_and_text_kept(client):
    assert client.post("/ask/", ask_data()).status_code == 303
    response = client.post("/ask/", ask_data(question="And another thing about cover letters?"))
    assert response.status_code == 429
    page = response.content.decode()
    assert MSG_FLOOD.format(seconds=15).replace("'", "&#x27;") in page
    assert "And another thing about cover letters?" in page
    assert ReaderQuestion.objects.count() == 1


def test_flood_limit_reads_ip_and_email_from_the_table(client):
    ReaderQuestion.objects.create(
        email="other@example.com", question="Earlier", ip_address="127.0.0.1"
    )
    assert client.post("/ask/", ask_data()).status_code == 429  # same IP
    ReaderQuestion.objects.all().delete()
    ReaderQuestion.objects.create(
        email="BIANCA@example.com", question="Earlier", ip_address="10.0.0.9"
    )
    assert client.post("/ask/", ask_data()).status_code == 429  # same e-mail, any case
    ReaderQuestion.objects.update(created_at=timezone.now() - timedelta(seconds=16))
    assert client.post("/ask/", ask_data()).status_code == 303  # window over


def test_trusted_proxy_address_is_used_for_the_flood_limit(client, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    client.post("/ask/", ask_data(), HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert ReaderQuestion.objects.get().ip_address == "198.51.100.7"


# --- Suggestions ------------------------------------------------------------------


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


# --- From question to article -------------------------------------------------------


def test_admin_makes_a_draft_article_linked_both_ways(staff_client):
    question = ReaderQuestion.objects.create(
        name="", email="a@example.com", question="Is it odd to follow up twice? I waited."
    )
    response = staff_client.post(
        "/admin/advice/readerquestion/",
        {"action": "make_draft_article", "_selected_action": [question.pk]},
    )
    question.refresh_from_db()
    article = question.article
    assert response.status_code == 302
    assert response["Location"] == f"/admin/advice/article/{article.pk}/change/"
    assert article.status == Article.Status.DRAFT
    assert article.asker == "Anonymous"
    assert article.question == question.question
    assert article.title == "Is it odd to follow up twice?"
    assert article.author == staff_client.user
    assert list(article.reader_questions.all()) == [question]
    # Both admin pages link to the other.
    article_page = staff_client.get(f"/admin/advice/article/{article.pk}/change/")
    assert f"/admin/advice/readerquestion/{question.pk}/change/" in article_page.content.decode()
    question_page = staff_client.get(f"/admin/advice/readerquestion/{question.pk}/change/")
    assert f"/admin/advice/article/{article.pk}/change/" in question_page.content.decode()
    # Running the action again makes nothing new.
    staff_client.post(
        "/admin/advice/readerquestion/",
        {"action": "make_draft_article", "_selected_action": [question.pk]},
    )
    assert Article.objects.count() == 1


def _article_form(article: Article, **changes) -> dict:
    now = timezone.localtime(article.published_at)
    data = {
        "title": article.title,
        "slug": article.slug,
        "asker": article.asker,
        "question": article.question,
        "answer": article.answer or "Yes: briefly.",
        "status": article.status,
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "author": article.author_id or "",
        "comment_status": article.comment_status,
        "comments_close_at_0": "",
        "comments_close_at_1": "",
        "reader_questions-TOTAL_FORMS": "1",
        "reader_questions-INITIAL_FORMS": "1",
        "reader_questions-MIN_NUM_FORMS": "0",
        "reader_questions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_publishing_in_the_admin_answers_the_question_and_mails_the_asker(
    staff_client, django_capture_on_commit_callbacks
):
    question = ReaderQuestion.objects.create(
        name="Noor", email="noor@example.com", question="When to follow up?",
        consent_to_publish=True,
    )  # fmt: skip
    article = reader_question_make_article(question=question, author=staff_client.user)
    data = _article_form(article)
    data["reader_questions-0-id"] = question.pk
    data["reader_questions-0-article"] = article.pk
    response = staff_client.post(f"/admin/advice/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.status == ReaderQuestion.Status.NEW  # still a draft
    assert mail.outbox == []

    data["status"] = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/admin/advice/article/{article.pk}/change/", data)
    question.refresh_from_db()
    assert question.status == ReaderQuestion.Status.ANSWERED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["noor@example.com"]
    assert f"/articles/{article.slug}/" in mail.outbox[0].body


def test_mark_answered_mails_only_consenting_askers_once(
    make_article, django_capture_on_commit_callbacks
):
    article = make_article()
    consented = ReaderQuestion.objects.create(
        email="yes@example.com", question="Q1", consent_to_publish=True, article=article
    )
    private = ReaderQuestion.objects.create(
        email="no@example.com", question="Q2", consent_to_publish=False, article=article
    )
    declined = ReaderQuestion.objects.create(
        email="d@example.com", question="Q3", article=article,
        status=ReaderQuestion.Status.DECLINED, consent_to_publish=True,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert reader_questions_mark_answered(articles=Article.objects.all()) == 2
        assert reader_questions_mark_answered(articles=[article]) == 0
    assert [m.to for m in mail.outbox] == [["yes@example.com"]]
    assert "http://127.0.0.1:8000/articles/" in mail.outbox[0].body
    for q in (consented, private, declined):
        q.refresh_from_db()
    assert consented.status == private.status == ReaderQuestion.Status.ANSWERED
    assert declined.status == ReaderQuestion.Status.DECLINED


def test_scheduled_article_does_not_answer_yet(make_article):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    ReaderQuestion.objects.create(email="s@example.com", question="Q", article=article)
    assert reader_questions_mark_answered(articles=[article]) == 0


@pytest.mark.parametrize("field", ["name", "email", "question"])
def test_nul_character_is_a_form_error_not_a_crash(client, field):
    response = client.post("/ask/", ask_data(**{field: "Hi\x00there"}))
    assert response.status_code == 400
    assert ReaderQuestion.objects.count() == 0


def test_bulk_publish_action_answers_the_question(staff_client, django_capture_on_commit_callbacks):
    question = ReaderQuestion.objects.create(
        name="Ana", email="ana@example.com", question="How soon?", consent_to_publish=True
    )
    article = reader_question_make_article(question=question, author=staff_client.user)
    article.answer = "Give it a week."
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/advice/article/",
            {"action": "publish_articles", "_selected_action": [article.pk]},
        )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == ReaderQuestion.Status.ANSWERED
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_publishing_an_answer_to_a_private_question_warns_the_editor(staff_client):
    question = ReaderQuestion.objects.create(
        email="quiet@example.com", question="Please keep this private?", consent_to_publish=False
    )
    article = reader_question_make_article(question=question, author=staff_client.user)
    data = _article_form(article)
    data.update(
        {
            "status": Article.Status.PUBLISHED,
            "answer": "An answer in our own words.",
            "reader_questions-0-id": question.pk,
            "reader_questions-0-article": article.pk,
        }
    )
    response = staff_client.post(f"/admin/advice/article/{article.pk}/change/", data, follow=True)
    assert "did not consent to publication" in response.content.decode()
