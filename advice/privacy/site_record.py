"""The ``django.contrib.sites`` row, kept in step with ``settings.SITE_URL``.

``django.contrib.sites`` is installed for ``django.contrib.flatpages`` (the
staff-edited privacy text, :mod:`advice.privacy.page`). Once it is, Django
builds some absolute URLs from the row ``Site(pk=SITE_ID)`` instead of the
request: the admin's "View on site" (``contenttypes``' ``shortcut`` view,
through ``get_current_site()``), and anything else calling
``get_current_site()``. The row starts as ``example.com``; this module
makes its domain ``SITE_URL``'s host (with any port) and its name
``SITE_NAME``, so those URLs agree with every other absolute URL the site
writes (:mod:`config.site`).

:func:`site_record_sync` runs after every ``migrate`` (connected in
``advice.apps.AdviceConfig.ready``); change ``SITE_URL`` or ``SITE_NAME``,
run ``migrate``, and the row follows.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router

from config.site import site_origin


def site_record_sync(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> bool:
    """Make ``Site(pk=settings.SITE_ID)`` hold ``SITE_URL``'s host
    (``"host[:port]"``, from :func:`config.site.site_origin`) as its domain
    and ``settings.SITE_NAME`` as its name, creating the row if missing.

    A ``post_migrate`` receiver (``using``: the database alias; ``apps``: the
    migrated app registry; other signal arguments ignored); also callable
    directly. Returns True when the row was created or changed, False when it
    already matched or the sites table is not there (sites not migrated, or
    routed elsewhere). Raises ``ImproperlyConfigured`` when ``SITE_URL`` is
    not an absolute http(s) URL.
    """
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:
        return False
    if not router.allow_migrate_model(using, site_model):
        return False
    wanted = {"domain": site_origin()[1], "name": settings.SITE_NAME[:50]}
    manager = site_model.objects.using(using)
    site = manager.filter(pk=settings.SITE_ID).first()
    if site is not None and all(getattr(site, k) == v for k, v in wanted.items()):
        return False
    manager.update_or_create(pk=settings.SITE_ID, defaults=wanted)
    # Site.objects caches rows per SITE_ID in the process; drop the old one.
    global_apps.get_model("sites", "Site").objects.clear_cache()
    return True
