"""Password reset URLs, mounted under ``admin/`` (config/urls.py) before the
admin site. No ``app_name``: Django's admin login template and its reset
views and mail find these by their plain names (``admin_password_reset``,
``password_reset_done``, ``password_reset_confirm``,
``password_reset_complete``)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from advice.staff.reset import StaffPasswordResetView

urlpatterns = [
    path("password_reset/", StaffPasswordResetView.as_view(), name="admin_password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
