"""System checks for deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs) -> list[Warning]:
    """``advice.W001`` when ``SITE_URL`` is not an ``https://`` address on a
    public host name. Every absolute link in feeds, the sitemap, e-mails and
    reminders is built from it (never from the request's ``Host``), so the
    development default ``http://127.0.0.1:8000`` would send readers there."""
    parts = urlsplit(getattr(settings, "SITE_URL", "") or "")
    if parts.scheme == "https" and parts.hostname and parts.hostname not in LOOPBACK_HOSTS:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}; in production it must be the site's public "
            "https:// address, since feeds, the sitemap, e-mails and reminders link to it.",
            hint="Set the SITE_URL environment variable, e.g. https://advice.example.org",
            id="advice.W001",
        )
    ]
