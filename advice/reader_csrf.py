"""Django's CSRF token, required only from readers with state of their own
(web layer; SECURITY.md, "Cross-site requests").

The comment and Ask forms are the site's anonymous forms. For a reader
without state (:func:`advice.reader_state.has_own_state`) their page is the
same bytes for everyone and holds no CSRF token, so their POSTs are exempt
from ``CsrfViewMiddleware``; :mod:`config.origin` has already refused any
that another site's page sent. A POST that carries a session, remember-me
or held-comment cookie comes from a reader whose page was rendered for them
with a token, and the cookie is what a forged request would borrow, so
:func:`csrf_token_if_own_state` runs Django's own check for it and refuses
it the way the site refuses any bad token (``settings.CSRF_FAILURE_VIEW``:
403, the reader's text shown back).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from advice.reader_state import has_own_state


def _checked(request, *args, **kwargs):
    """Stands for the view in Django's CSRF check (a view not exempt)."""
    raise AssertionError("never called")  # pragma: no cover


def _csrf_refusal(request):
    """Django's CSRF check (``CsrfViewMiddleware``: Origin / Referer, then the
    token against the CSRF cookie) for ``request``: its refusal (the
    ``CSRF_FAILURE_VIEW``'s 403) or ``None`` when the token is good."""
    middleware = CsrfViewMiddleware(lambda request: None)
    middleware.process_request(request)
    return middleware.process_view(request, _checked, (), {})


def csrf_token_if_own_state(view: Callable) -> Callable:
    """A view decorator for the anonymous forms' POSTs: the view is
    ``csrf_exempt``, but an unsafe request from a reader with state of their
    own (:func:`advice.reader_state.has_own_state`) still needs a good CSRF
    token, checked by Django's ``CsrfViewMiddleware`` and refused with the
    site's CSRF page (module docs). Put it outside ``allow_methods``, so a
    method the view does not answer is still 405 first."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and has_own_state(
            request.COOKIES
        ):
            refusal = _csrf_refusal(request)
            if refusal is not None:
                return refusal
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
