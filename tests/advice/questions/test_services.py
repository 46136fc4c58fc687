"""Reader-question services: storing a question (flood limit, the managers'
e-mail), making a draft article of it, marking it answered."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from advice.models import Article, ReaderQuestion
from advice.questions.services import (
    question_title,
    reader_questions_mark_answered,
    unique_article_slug,
)


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


def test_question_is_stored_managers_told_and_reader_confirmed(
    client, ask_data, django_capture_on_commit_callbacks
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


def test_blank_name_is_anonymous(client, ask_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ask/", ask_data(name=""))
    assert ReaderQuestion.objects.get().display_name == "Anonymous"
    assert "Anonymous" in mail.outbox[0].subject


def test_name_cannot_inject_mail_headers(client, ask_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ask/", ask_data(name="Eve\r\nBcc: all@example.com"))
    assert response.status_code == 303
    assert "\n" not in mail.outbox[0].subject


def test_flood_limit_reads_ip_and_email_from_the_table(client, ask_data):
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
