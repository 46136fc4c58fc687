"""Slug changes redirect (issue 13, item 3; advice/slug_history.py): a
renamed article's old address answers 301 to the new one, in one hop; a slug
taken by another article stops redirecting; WordPress's ``_wp_old_slug``
values are kept the same way."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from advice.models import Article, Comment
from advice.slug_history import ArticleOldSlug, article_old_slugs_record
from advice.wordpress.importer import wxr_import
from tests.advice.comments.posting import token_for
from tests.advice.test_admin import inline_management_data
from tests.advice.wordpress.test_import import post_xml, small_wxr


def rename(article: Article, slug: str) -> Article:
    article.slug = slug
    article.save()
    return article


@pytest.mark.parametrize("method", ["get", "head"])
def test_renamed_article_old_address_answers_301_to_the_new_one(client, make_article, method):
    article = rename(make_article(slug="thank-you-notes"), "thank-you-notes-after-interviews")
    response = getattr(client, method)("/articles/thank-you-notes/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/thank-you-notes-after-interviews/"
    assert client.get(response["Location"]).status_code == 200
    assert article.old_slugs.get().slug == "thank-you-notes"


def test_the_old_address_keeps_its_query(client, make_article):
    rename(make_article(slug="old"), "new")
    response = client.get("/articles/old/?cpage=2")
    assert response["Location"] == "/articles/new/?cpage=2"


def test_renaming_in_the_admin_records_the_old_slug(staff_client, client, make_article):
    article = make_article(slug="before", title="Asking for a raise")
    url = reverse("admin:advice_article_change", args=[article.pk])
    response = staff_client.post(
        url,
        {
            **inline_management_data(staff_client, url),
            "title": article.title,
            "slug": "after",
            "asker": article.asker,
            "question": article.question,
            "answer": article.answer,
            "status": "published",
            "published_at_0": "2024-05-01",
            "published_at_1": "09:00:00",
            "comment_status": "open",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    response = client.get("/articles/before/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/after/"


def test_a_chain_of_renames_resolves_in_one_hop(client, make_article):
    article = make_article(slug="a")
    rename(article, "b")
    rename(article, "c")
    for old in ("a", "b"):
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/c/"


def test_renaming_back_and_forth_keeps_one_record_per_old_slug(client, make_article):
    article = make_article(slug="a")
    rename(article, "b")
    rename(article, "a")  # back: "a" is live again, "b" is old
    assert client.get("/articles/a/").status_code == 200
    assert client.get("/articles/b/")["Location"] == "/articles/a/"
    rename(article, "b")
    assert client.get("/articles/b/").status_code == 200
    assert client.get("/articles/a/")["Location"] == "/articles/b/"
    assert sorted(article.old_slugs.values_list("slug", flat=True)) == ["a"]


def test_a_slug_taken_by_a_new_article_stops_redirecting(client, make_article):
    rename(make_article(slug="shared"), "moved")
    newcomer = make_article(slug="shared", title="A new article")
    response = client.get("/articles/shared/")
    assert response.status_code == 200
    assert response.context["article"] == newcomer
    assert not ArticleOldSlug.objects.filter(slug="shared").exists()  # the stale record is dropped


def test_a_slug_taken_by_renaming_another_article_stops_redirecting(client, make_article):
    rename(make_article(slug="shared"), "moved")
    other = rename(make_article(slug="other"), "shared")
    assert client.get("/articles/shared/").context["article"] == other
    assert client.get("/articles/other/")["Location"] == "/articles/shared/"


def test_an_old_slug_given_up_twice_follows_the_latest_owner(client, make_article):
    first = rename(make_article(slug="x"), "first")
    second = rename(make_article(slug="x"), "second")
    assert client.get("/articles/x/")["Location"] == second.get_absolute_url()
    assert first.old_slugs.count() == 0


def test_the_old_address_of_a_draft_is_404_to_readers(staff_client, make_article):
    rename(make_article(slug="draft-a", status=Article.Status.DRAFT), "draft-b")
    assert Client().get("/articles/draft-a/").status_code == 404
    staff = staff_client.get("/articles/draft-a/")  # staff see drafts
    assert staff.status_code == 301


def test_an_unknown_slug_is_still_404(client, make_article):
    make_article(slug="known")
    response = client.get("/articles/unknown/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_an_old_slug_in_another_letter_case_redirects(client, make_article):
    rename(make_article(slug="old-name"), "new-name")
    assert client.get("/articles/Old-Name/")["Location"] == "/articles/new-name/"


def test_saving_without_a_rename_records_nothing(make_article):
    article = make_article(slug="same")
    article.title = "Another title"
    article.save()
    article.save(update_fields=["title"])
    assert not ArticleOldSlug.objects.exists()


def test_deleting_the_article_deletes_its_old_slugs(client, make_article):
    article = rename(make_article(slug="gone"), "gone-too")
    article.delete()
    assert not ArticleOldSlug.objects.exists()
    assert client.get("/articles/gone/").status_code == 404


def test_wordpress_old_slugs_are_kept_for_the_article(client, make_article):
    """The importer hands ``_wp_old_slug`` values over as they are in the
    export (percent-encoded for non-Latin names)."""
    article = make_article(slug="thank-you-notes")
    make_article(slug="live-elsewhere")
    recorded = article_old_slugs_record(
        article,
        ["thanks", "%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82", "", "thank-you-notes", "live-elsewhere"],
    )
    assert recorded == 2
    assert client.get("/articles/thanks/")["Location"] == "/articles/thank-you-notes/"
    assert client.get("/articles/привет/")["Location"] == "/articles/thank-you-notes/"
    assert client.get("/articles/live-elsewhere/").status_code == 200


def test_recording_wordpress_old_slugs_drops_a_stale_record_of_the_live_slug(client, make_article):
    """Imported articles are bulk-created (no save signal): recording their
    old slugs also drops any record of the slug they took."""
    rename(make_article(slug="taken"), "elsewhere")
    newcomer = Article.objects.bulk_create([Article(title="New", slug="taken", answer="A.")])[0]
    article_old_slugs_record(newcomer, [])
    assert not ArticleOldSlug.objects.filter(slug="taken").exists()


@pytest.mark.django_db
def test_an_imported_posts_wp_old_slug_answers_301(client, tmp_path):
    """A WXR post's ``_wp_old_slug`` postmeta, read by the importer, keeps the
    post's earlier address working after the move."""
    meta = """<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key>
      <wp:meta_value><![CDATA[old-name]]></wp:meta_value></wp:postmeta>
    <wp:postmeta><wp:meta_key>_edit_last</wp:meta_key>
      <wp:meta_value><![CDATA[1]]></wp:meta_value></wp:postmeta>"""
    wxr_import(small_wxr(tmp_path, post_xml(1, name="new-name", extra=meta)))
    article = Article.objects.get(wp_id=1)
    response = client.get("/articles/old-name/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert client.get("/articles/1/").status_code == 404  # the other meta value is no slug


# Every address under an old slug follows the article (the comment permalinks
# in reply e-mails already sent, the comment feed): one rule for all of them,
# advice.wordpress.redirects.old_slug_address_redirect.


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_comment_permalink_under_the_old_slug_answers_301_then_302(
    client, make_article, make_comment, method
):
    article = make_article(slug="old")
    comment = make_comment(article)
    rename(article, "new")
    response = getattr(client, method)(f"/articles/old/comments/{comment.pk}/?utm_source=mail")
    assert response.status_code == 301
    assert response["Location"] == f"/articles/new/comments/{comment.pk}/?utm_source=mail"
    followed = getattr(client, method)(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"] == f"/articles/new/#comment-{comment.pk}"


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_comment_feed_under_the_old_slug_answers_301(
    client, make_article, make_comment, method
):
    article = make_article(slug="old")
    make_comment(article, body="Still here.")
    rename(article, "new")
    response = getattr(client, method)("/articles/old/comments/feed/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/new/comments/feed/"
    followed = client.get(response["Location"])
    assert followed.status_code == 200
    assert b"Still here." in followed.content


def test_a_non_latin_old_slug_redirects_its_comment_permalink(client, make_article, make_comment):
    article = make_article(slug="привет")
    comment = make_comment(article)
    rename(article, "hello")
    response = client.get(f"/articles/привет/comments/{comment.pk}/")
    assert response["Location"] == f"/articles/hello/comments/{comment.pk}/"
    rename(article, "здравствуйте")
    response = client.get(f"/articles/hello/comments/{comment.pk}/")
    assert response["Location"] == (
        "/articles/%D0%B7%D0%B4%D1%80%D0%B0%D0%B2%D1%81%D1%82%D0%B2%D1%83%D0%B9%D1%82%D0%B5"
        f"/comments/{comment.pk}/"
    )


def test_any_address_under_the_old_slug_follows_the_article(client, make_article):
    rename(make_article(slug="old"), "new")
    response = client.get("/articles/old/no-such-page/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/new/no-such-page/"


def test_addresses_under_an_unknown_slug_are_still_404(client, make_article, make_comment):
    comment = make_comment(make_article(slug="known"))
    assert client.get(f"/articles/unknown/comments/{comment.pk}/").status_code == 404
    assert client.get("/articles/unknown/comments/feed/").status_code == 404
    assert client.head("/articles/unknown/comments/feed/").status_code == 404


def test_a_missing_comment_under_the_live_slug_is_404_not_a_redirect(client, make_article):
    rename(make_article(slug="old"), "new")
    assert client.get("/articles/new/comments/999999/").status_code == 404


def test_a_live_article_with_the_old_slug_keeps_its_addresses(client, make_article):
    """A record left behind by a write that sends no signal never sends the
    live article's addresses elsewhere, even a draft's (404 to readers)."""
    rename(make_article(slug="taken"), "elsewhere")
    Article.objects.bulk_create(
        [Article(title="New", slug="taken", answer="A.", status=Article.Status.DRAFT)]
    )
    assert ArticleOldSlug.objects.filter(slug="taken").exists()
    assert client.get("/articles/taken/comments/feed/").status_code == 404


def test_a_post_under_the_old_slug_is_never_redirected(client, make_article, make_comment):
    article = make_article(slug="old")
    comment = make_comment(article)
    rename(article, "new")
    data = {"name": "Ana", "email": "ana@example.com", "body": "Hi", "honeypot": ""}
    response = client.post("/articles/old/comments/", {**data, "token": token_for(article)})
    assert response.status_code == 404
    assert Comment.objects.count() == 1
    assert client.post(f"/articles/old/comments/{comment.pk}/edit/").status_code == 404
