"""The admin site: Django's, plus the two-factor pages and a permission check
that refuses staff who still owe the second factor.

Installed as the default site by :class:`advice.staff.apps.StaffAdminConfig`
(``default_site``), so ``admin.site`` and every ``@admin.register`` keep
working unchanged.
"""

from __future__ import annotations

from functools import partial, update_wrapper

from django.conf import settings
from django.contrib import admin
from django.urls import path

from advice.staff import twofactor, twofactor_views


class StaffAdminSite(admin.AdminSite):
    """Django's admin site with two-factor sign-in.

    ``has_permission`` adds one condition to Django's (active staff): no
    second factor owed (:func:`advice.staff.twofactor.second_factor_pending`).
    ``advice.staff.middleware.SecondFactorMiddleware`` sends such a staff
    member to ``admin:two_factor_verify`` before any admin view runs; this
    check is the second lock on the same door."""

    # No navigation sidebar: at 1280 px it took a quarter of the width and
    # pushed the comment list into sideways scrolling; the breadcrumbs and
    # the index lead everywhere it did.
    enable_nav_sidebar = False

    # The site's own name (SITE_NAME) in the admin's header and window
    # title, read per request so a test's or deployment's value shows.
    @property
    def site_header(self) -> str:
        return settings.SITE_NAME

    @property
    def site_title(self) -> str:
        return settings.SITE_NAME

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and not twofactor.second_factor_pending(request.user)

    def _bound(self, view):
        return update_wrapper(partial(view, site=self), view)

    def get_urls(self):
        return [
            path("two-factor/", self._bound(twofactor_views.overview), name="two_factor"),
            path(
                "two-factor/verify/",
                self._bound(twofactor_views.verify),
                name="two_factor_verify",
            ),
            path("two-factor/enrol/", self._bound(twofactor_views.enrol), name="two_factor_enrol"),
            # Django's own logout is behind has_permission, which a staff
            # member owing the second factor lacks; this one lets them out.
            path("two-factor/logout/", self.logout, name="two_factor_logout"),
            *super().get_urls(),
        ]
