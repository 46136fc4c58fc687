from django.core.management import call_command

from advice.models import Article, Comment, Topic


def test_demo_content_loads_once_and_meets_the_brief(db, client):
    call_command("load_demo")
    counts = (Article.objects.count(), Topic.objects.count(), Comment.objects.count())
    call_command("load_demo")
    assert (Article.objects.count(), Topic.objects.count(), Comment.objects.count()) == counts

    assert Article.objects.published().count() >= 3
    assert Topic.objects.filter(articles__isnull=False).distinct().count() >= 2
    closed = Article.objects.filter(comment_status=Article.CommentStatus.CLOSED).first()
    assert closed is not None
    assert closed.comments.visible().count() >= 2
    assert closed.comments.visible().filter(parent__isnull=False).exists()
    assert any(a.comments_open() for a in Article.objects.all())
    page = client.get(closed.get_absolute_url()).content.decode()
    assert "Comments are closed." in page


def test_ensure_admin_uses_the_environment_password(db, monkeypatch, django_user_model):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password")
    call_command("ensure_admin")
    call_command("ensure_admin")
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("a-long-test-password")
    assert django_user_model.objects.count() == 1


def test_demo_content_an_editor_deleted_stays_deleted(db):
    call_command("load_demo")
    Article.objects.filter(slug="my-boss-takes-credit-for-my-coverage").delete()
    call_command("load_demo")
    assert not Article.objects.filter(slug="my-boss-takes-credit-for-my-coverage").exists()
    call_command("load_demo", "--force")
    assert Article.objects.filter(slug="my-boss-takes-credit-for-my-coverage").exists()
