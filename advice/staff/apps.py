"""The admin app, with :class:`advice.staff.site.StaffAdminSite` as its
default site (``INSTALLED_APPS`` lists this instead of
``django.contrib.admin``)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the staff door's site, and the
    receiver that starts a staff session's idle clock at login."""

    default_site = "advice.staff.site.StaffAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.contrib.auth.signals import user_logged_in

        from advice.staff.middleware import staff_activity_record

        user_logged_in.connect(staff_activity_record, dispatch_uid="staff_activity_record")
