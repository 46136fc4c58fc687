"""Every answer says who may keep it (config.cache_headers): public only for
the page cache's stateless pages, never with a cookie; the rest private."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.cache_headers import CacheHeadersMiddleware


@pytest.mark.parametrize("path", ["/no-such-page/", "/search/", "/search/?q=thanks", "/ask/"])
@pytest.mark.django_db
def test_pages_no_view_marked_are_private(client, path):
    cache_control = client.get(path)["Cache-Control"]
    assert "private" in cache_control
    assert "public" not in cache_control


def test_a_normal_form_redirect_is_private(client, db):
    response = client.get("/?page=0")
    assert response.status_code == 301
    assert "private" in response["Cache-Control"]


def test_a_public_answer_that_sets_a_cookie_becomes_private_and_unstored():
    def view(request):
        response = HttpResponse("page")
        response["Cache-Control"] = "public, max-age=0, s-maxage=10"
        response.set_cookie("csrftoken", "renewed")
        return response

    response = CacheHeadersMiddleware(view)(RequestFactory().get("/"))
    assert "public" not in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_view_that_chose_its_own_header_keeps_it():
    def view(request):
        response = HttpResponse("robots")
        response["Cache-Control"] = "max-age=86400"
        return response

    response = CacheHeadersMiddleware(view)(RequestFactory().get("/robots.txt"))
    assert response["Cache-Control"] == "max-age=86400"
