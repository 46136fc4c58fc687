"""The privacy page (``/privacy/``): the default text with the figures the
settings enforce, or the staff's Markdown flat page, safely rendered; and
the ``django.contrib.sites`` row that flatpages brings in, kept on
``SITE_URL``'s host so the admin's "View on site" never leads elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from config.site import site_origin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_cache_dropped():
    """Site.objects caches rows per process; a row changed in a test (and
    rolled back) must not outlive it."""
    yield
    Site.objects.clear_cache()


def make_flatpage(content: str, *, url: str = "/privacy/", site: Site | None = None, **fields):
    """A flat page at ``url`` on ``site`` (this site by default)."""
    fields.setdefault("title", "Our privacy")
    page = FlatPage.objects.create(url=url, content=content, **fields)
    page.sites.add(site or Site.objects.get(pk=settings.SITE_ID))
    return page


def test_the_default_text_gives_the_figures_the_settings_enforce(client, settings):
    settings.COMMENTS_NOTIFY_RETENTION_DAYS = 200
    settings.COMMENTS_EDIT_MINUTES = 15
    settings.COMMENTS_IP_RETENTION_DAYS = 90

    response = client.get(reverse("advice:privacy"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "When you ask to be e-mailed about replies" in html
    assert "your e-mail address and which comment (and article) you asked about" in html
    assert "nothing else" in html
    assert "after 200 days without a reply" in html
    assert "when your comment is marked as spam" in html
    assert "For 15 minutes after posting you may edit or remove your comment" in html
    assert "deleted after 90 days" in html


def test_a_flatpage_at_privacy_replaces_the_default_text_rendered_from_markdown(client):
    make_flatpage("We keep **very little**.\n\n<script>alert('x')</script>\n\n[Ask](/ask/)")

    response = client.get(reverse("advice:privacy"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Our privacy</h1>" in html
    assert "<title>Our privacy — " in html
    assert "We keep <strong>very little</strong>." in html
    assert '<a href="/ask/">Ask</a>' in html
    assert "<script>alert" not in html
    assert "When you ask to be e-mailed about replies" not in html


def test_a_flatpage_title_is_escaped(client):
    make_flatpage("Text.", title="<b>Privacy</b>")

    html = client.get(reverse("advice:privacy")).content.decode()

    assert "<h1>&lt;b&gt;Privacy&lt;/b&gt;</h1>" in html


def test_a_flatpage_of_another_site_or_path_is_not_shown(client):
    other = Site.objects.create(domain="other.example", name="Other")
    make_flatpage("Another site's text.", site=other)
    make_flatpage("Another path's text.", url="/about/")

    html = client.get(reverse("advice:privacy")).content.decode()

    assert "another" not in html.lower()
    assert "When you ask to be e-mailed about replies" in html


def test_a_flatpage_requiring_registration_sends_visitors_to_log_in(client, django_user_model):
    make_flatpage("Staff only for now.", registration_required=True)
    url = reverse("advice:privacy")

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"

    client.force_login(django_user_model.objects.create_user(username="staff", is_staff=True))
    assert "Staff only for now." in client.get(url).content.decode()


@pytest.mark.parametrize("with_flatpage", [False, True])
def test_head_answers_like_get_without_a_body(client, with_flatpage):
    if with_flatpage:
        make_flatpage("Text.")

    response = client.head(reverse("advice:privacy"))

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Type"].startswith("text/html")


def test_a_post_is_refused(client):
    assert client.post(reverse("advice:privacy")).status_code == 405


# --- the sites row ------------------------------------------------------------


def view_on_site(client, obj):
    ct = ContentType.objects.get_for_model(obj)
    return client.get(reverse("admin:view_on_site", args=[ct.pk, obj.pk]))


def test_migrate_left_the_site_on_site_urls_host_not_example_com():
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.domain == site_origin()[1]
    assert site.name == settings.SITE_NAME[:50]


def test_the_site_follows_site_url_after_migrate(settings):
    settings.SITE_URL = "https://advice.example:8443/ignored/path"
    settings.SITE_NAME = "Ask Bianca"

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("advice.example:8443", "Ask Bianca")


def test_admin_view_on_site_goes_to_site_url_host(staff_client, make_article, settings):
    article = make_article()
    settings.SITE_URL = "https://advice.example"
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    response = view_on_site(staff_client, article)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "advice.example"
    assert location.path == article.get_absolute_url()
    assert "example.com" not in response["Location"]


def test_admin_view_on_site_ignores_a_forged_host(staff_client, make_article, settings):
    settings.ALLOWED_HOSTS = ["*"]
    article = make_article()
    ct = ContentType.objects.get_for_model(article)
    url = reverse("admin:view_on_site", args=[ct.pk, article.pk])

    response = staff_client.get(url, HTTP_HOST="evil.example")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == site_origin()[1]
