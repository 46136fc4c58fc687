"""The site's own address: the one way to make a URL absolute.

Every absolute URL the site writes (feeds, the sitemap, ``robots.txt``,
canonical and share links, e-mails) comes from ``settings.SITE_URL``, never
from the request's ``Host`` header, which whoever sends the request chooses
and a front cache would keep for everyone. Pure: reads settings only, and
imports neither app, so ``advice`` (mail, feeds, SEO) and ``notes``
(reminders) both use it (docs/architecture.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def site_origin() -> tuple[str, str]:
    """``(scheme, host[:port])`` of ``settings.SITE_URL`` (any path in it is
    ignored: paths come from ``reverse()``, which already holds the script
    prefix). Raises ``ImproperlyConfigured`` when SITE_URL is not an
    absolute http(s) URL."""
    parts = urlsplit(getattr(settings, "SITE_URL", "") or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(
            "SITE_URL must be this site's absolute address, e.g. https://advice.example.org"
        )
    return parts.scheme, parts.netloc


def site_url(path: str = "/") -> str:
    """``path`` (an absolute path such as ``reverse(...)`` or
    ``get_absolute_url()`` gives) as an absolute URL on this site, from
    ``settings.SITE_URL`` only: the one way to make public URLs absolute."""
    scheme, netloc = site_origin()
    return f"{scheme}://{netloc}/{path.lstrip('/')}"
