"""The admin app, with :class:`advice.staff.site.StaffAdminSite` as its
default site (``INSTALLED_APPS`` lists this instead of
``django.contrib.admin``); axes's failed-login admin is swapped for one whose
action works once every app has registered."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the staff door's site, and the
    receiver that starts a staff session's idle clock at login."""

    default_site = "advice.staff.site.StaffAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin

        from advice.staff.throttle import replace_axes_attempt_admin

        replace_axes_attempt_admin(admin.site)
        from django.contrib.auth.signals import user_logged_in

        from advice.staff.middleware import staff_activity_record

        user_logged_in.connect(staff_activity_record, dispatch_uid="staff_activity_record")
