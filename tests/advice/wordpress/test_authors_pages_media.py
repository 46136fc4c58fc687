"""WordPress authors become bylines, pages become flat pages at their old
paths, and the articles' images come along with --media-dir (issue 13, item 8)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from PIL import Image

from advice.models import Article
from tests.advice.wordpress.test_import import import_command, post_xml, small_wxr

pytestmark = pytest.mark.django_db

AUTHORS = """
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[jane]]></wp:author_login>
<wp:author_email><![CDATA[jane@small.example]]></wp:author_email>
<wp:author_display_name><![CDATA[Jane &amp; Co]]></wp:author_display_name>
<wp:author_first_name><![CDATA[Jane]]></wp:author_first_name>
<wp:author_last_name><![CDATA[Doe]]></wp:author_last_name></wp:author>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[bob]]></wp:author_login>
<wp:author_email><![CDATA[bob@small.example]]></wp:author_email>
<wp:author_display_name><![CDATA[Bob Writer]]></wp:author_display_name>
<wp:author_first_name></wp:author_first_name><wp:author_last_name></wp:author_last_name></wp:author>
"""
DC = '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '


def wxr_with_authors(tmp_path, body: str):
    path = small_wxr(tmp_path, AUTHORS + body)
    path.write_bytes(path.read_bytes().replace(b'<rss version="2.0" ', DC.encode(), 1))
    return path


def by(login: str) -> str:
    return f"<dc:creator><![CDATA[{login}]]></dc:creator>"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_authors_become_bylines_without_staff_and_reimport_adds_no_user(tmp_path, client):
    path = wxr_with_authors(
        tmp_path,
        post_xml(1, name="first", extra=by("jane")) + post_xml(2, name="second", extra=by("bob")),
    )
    import_command(path)
    users = get_user_model().objects.all()
    assert sorted(users.values_list("username", flat=True)) == ["wp-bob", "wp-jane"]
    assert not users.filter(is_staff=True).exists()
    assert not any(user.has_usable_password() for user in users)
    page = client.get(Article.objects.get(wp_id=1).get_absolute_url()).content.decode()
    assert "by Jane &amp; Co" in page
    page = client.get(Article.objects.get(wp_id=2).get_absolute_url()).content.decode()
    assert "by Bob Writer" in page

    output = import_command(path)
    assert get_user_model().objects.count() == 2
    assert "Authors: 0 accounts created, 2 reused" in output


def test_a_staff_account_with_the_username_is_never_taken_over(tmp_path):
    get_user_model().objects.create_user("wp-jane", password="pw-secret-1", is_staff=True)
    import_command(wxr_with_authors(tmp_path, post_xml(1, extra=by("jane"))))
    assert Article.objects.get(wp_id=1).author is None
    assert get_user_model().objects.count() == 1


def test_published_page_answers_at_its_old_path_and_a_draft_page_does_not(tmp_path, client):
    path = small_wxr(
        tmp_path,
        post_xml(
            7,
            title="About &amp; us",
            post_type="page",
            link="https://small.example/about/",
            content="We answer <em>your</em> questions.\n\nSecond paragraph.",
        )
        + post_xml(
            8, post_type="page", status="draft", link="https://small.example/?page_id=8", name="x"
        ),
    )
    output = import_command(path)
    assert "Pages: 1 imported" in output
    response = client.get("/about/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "About &amp; us" in page
    assert "<em>your</em> questions." in page
    assert client.head("/about/").status_code == 200
    assert client.get("/x/").status_code == 404

    import_command(path)
    assert FlatPage.objects.filter(url="/about/").count() == 1


def test_media_dir_brings_images_and_rewrites_links(tmp_path, client, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    uploads = tmp_path / "uploads" / "2020" / "01"
    uploads.mkdir(parents=True)
    (uploads / "photo.png").write_bytes(png_bytes())
    (uploads / "fake.png").write_bytes(b"<html><script>alert(1)</script></html>")
    content = (
        'Look: <img src="https://small.example/wp-content/uploads/2020/01/photo.png" />\n\n'
        'And <img src="https://small.example/wp-content/uploads/2020/01/fake.png" />'
    )
    path = small_wxr(tmp_path, post_xml(1, name="pics", content=content))
    output = import_command(path, "--media-dir", str(tmp_path / "uploads"))
    new_url = f"{settings.MEDIA_URL}uploads/wordpress/2020/01/photo.png"
    assert (settings.MEDIA_ROOT / "uploads/wordpress/2020/01/photo.png").is_file()
    assert "Images: 1 stored, 1 not brought" in output
    assert "2020/01/fake.png: This file is not an image" in output
    article = Article.objects.get(wp_id=1)
    assert new_url in article.answer
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'src="{new_url}"' in page
    assert "https://small.example/wp-content/uploads/2020/01/fake.png" in article.answer

    output = import_command(path, "--media-dir", str(tmp_path / "uploads"))
    assert "Articles: 0 imported, 0 updated, 1 unchanged" in output


def test_without_media_dir_the_summary_lists_the_old_site_links(tmp_path):
    content = '<img src="https://small.example/wp-content/uploads/2021/05/a.jpg" />'
    output = import_command(small_wxr(tmp_path, post_xml(1, content=content)))
    assert "Links to the old site's uploads: 1" in output
    assert "  https://small.example/wp-content/uploads/2021/05/a.jpg" in output
    assert "https://small.example/wp-content/uploads/2021/05/a.jpg" in (
        Article.objects.get(wp_id=1).answer
    )
    assert settings.MEDIA_URL not in Article.objects.get(wp_id=1).answer
