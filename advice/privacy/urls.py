"""The staff "Personal data" pages, mounted at ``admin/personal-data/``
(before the admin's own URLs) in ``config/urls.py``; the admin's
``admin_view`` wraps them (login page for non-staff, no caching, CSRF)."""

from django.contrib import admin
from django.urls import path

from advice.privacy import views

app_name = "privacy_admin"

urlpatterns = [
    path("", admin.site.admin_view(views.personal_data), name="personal_data"),
    path("erase/", admin.site.admin_view(views.personal_data_erase), name="erase"),
]
