from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from advice import editor, errors
from advice.seo import robots_txt
from advice.sitemaps import sitemap_index, sitemap_section

handler404 = "advice.errors.page_not_found"
handler500 = "advice.errors.server_error"

urlpatterns = [
    # Staff: export or erase a reader's data (advice.privacy), before the admin.
    path("admin/personal-data/", include("advice.privacy.urls")),
    # Staff password reset by e-mail, before the admin's own catch-all.
    path("admin/", include("advice.staff.urls")),
    path("admin/", admin.site.urls),
    # The markdownx widget posts here; these are our own staff-only views.
    path(
        settings.MARKDOWNX_URLS_PATH.lstrip("/"), editor.markdownify, name="markdownx_markdownify"
    ),
    path(settings.MARKDOWNX_UPLOAD_URLS_PATH.lstrip("/"), editor.upload, name="markdownx_upload"),
    path("healthz", errors.healthz, name="healthz"),
    # A sitemap index of cached sections (advice.sitemaps).
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("notes/", include("notes.urls")),
    # Development only (static() adds nothing when DEBUG is off): uploaded
    # images. In production the proxy or object storage serves MEDIA_URL.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
    path("", include("advice.urls")),
]
