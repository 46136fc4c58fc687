"""Reader questions in the admin: a draft article made from a question,
linked both ways, and publishing it answers the question."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from advice.models import Article, ReaderQuestion
from advice.questions.services import reader_question_make_article


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
