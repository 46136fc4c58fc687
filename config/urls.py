from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from advice import editor, views

handler404 = "advice.views.page_not_found"
handler500 = "advice.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The markdownx widget posts here; these are our own staff-only views.
    path(
        settings.MARKDOWNX_URLS_PATH.lstrip("/"), editor.markdownify, name="markdownx_markdownify"
    ),
    path(settings.MARKDOWNX_UPLOAD_URLS_PATH.lstrip("/"), editor.upload, name="markdownx_upload"),
    path("healthz", views.healthz, name="healthz"),
    path("notes/", include("notes.urls")),
    path("", include("advice.urls")),
]
