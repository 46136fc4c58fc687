"""The last word on ``Cache-Control`` (docs/architecture.md, "HTTP
conventions"; issue 14, item 4).

Public pages for readers without state are marked ``public`` by the page
cache (:mod:`advice.page_cache`); everything else must be ``private`` or
``no-store``, so that no front cache (``deploy/nginx.conf``, a CDN) keeps a
page meant for one reader. :class:`CacheHeadersMiddleware`, first in
``MIDDLEWARE`` so that it sees every answer last, after every other
middleware has added its cookies:

- an answer with no ``Cache-Control`` at all (a 404, a redirect, a page no
  view marked) gets ``private, no-cache``: only the reader's browser may
  keep it, and it asks again before reuse;
- an answer that sets a cookie is never ``public``: its ``Cache-Control``
  becomes ``private, no-store`` (a CSRF cookie renewed on the way out of a
  cached page, say, must not reach a shared cache with the page).

Answers WhiteNoise gives (static files) carry their own headers and no
cookie, so they pass unchanged. Imports neither app.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class CacheHeadersMiddleware:
    """Give every answer a ``Cache-Control`` and never a public one with a
    cookie (module docs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        control = response.headers.get("Cache-Control")
        if control is None:
            patch_cache_control(response, private=True, no_cache=True)
        elif response.cookies and "public" in control.lower():
            del response.headers["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response
