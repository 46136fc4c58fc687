from django.test import Client

from advice.comments.cookies import REMEMBER_COOKIE


def test_comment_posted_without_csrf_token_keeps_the_readers_text(make_article):
    """A reader with state (here the remember-me cookie) needs the token."""
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    client.cookies[REMEMBER_COOKIE] = "x"
    response = client.post(
        f"/articles/{article.slug}/comments/",
        {"name": "Zoë", "email": "z@example.com", "body": "My long thoughts <b>here</b>"},
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in page
    assert "My long thoughts &lt;b&gt;here&lt;/b&gt;" in page
    assert "Zoë" in page
    assert article.comments.count() == 0


def test_healthz_answers_head(client, db):
    assert client.head("/healthz").status_code == 200
