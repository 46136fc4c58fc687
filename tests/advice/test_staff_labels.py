"""Names and labels as staff expect: the admin shows the site's name, and a
draft with comments set open says they open on publication."""

from __future__ import annotations

from advice.models import Article


def test_admin_header_and_title_show_the_site_name(staff_client, settings):
    settings.SITE_NAME = "Dear Columnist"
    page = staff_client.get("/admin/").content.decode()
    assert '<a href="/admin/">Dear Columnist</a>' in page
    assert "<title>Site administration | Dear Columnist</title>" in page
    assert "Django administration" not in page


def test_draft_with_comments_open_says_they_open_on_publication(staff_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, comment_status="open")
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "Comments open on publication." in page
    assert "Comments are closed." not in page


def test_draft_with_comments_closed_says_closed(staff_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, comment_status="closed")
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "Comments are closed." in page
