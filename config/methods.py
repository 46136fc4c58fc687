"""One rule for HTTP methods: each view says which methods it answers, once.

A view declares its methods with :func:`allow_methods` (``@allow_methods("GET",
"HEAD")`` for a read-only page, ``("GET", "HEAD", "POST")`` for a form).
The declaration is an attribute of the view (``allowed_methods``), read by
:class:`MethodMiddleware`, which answers before any CSRF or origin check:

- ``OPTIONS``: 200 with ``Allow`` and an empty body (RFC 9110, 9.3.7);
- a method the view does not declare, known or not (``PUT``, ``PROPFIND``,
  ``TRACE``): 405 with ``Allow`` (RFC 9110, 15.5.6);
- anything else goes on to the view.

The decorator enforces the same rule itself, so a view called without the
middleware (a unit test with ``RequestFactory``) answers the same way.
Feeds and Django's sitemap view are wrapped with :func:`allow_methods` where
they are mounted (the URLconfs). Views that declare nothing (the admin, the
staff-only editor endpoints) keep Django's own handling.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed

ALLOWED_METHODS_ATTR = "allowed_methods"


def allow_methods(*methods: str) -> Callable:
    """A view decorator: the view answers only ``methods`` (upper case names,
    e.g. ``"GET", "HEAD"``) and ``OPTIONS``. The full list, ``OPTIONS``
    included, is stored on the view as ``allowed_methods`` (a tuple) for
    :class:`MethodMiddleware`. Works on functions and on callable instances
    (a ``Feed``). Raises ``ValueError`` when ``methods`` is empty."""
    if not methods:
        raise ValueError("allow_methods() needs at least one method.")
    allowed = tuple(dict.fromkeys([*(m.upper() for m in methods), "OPTIONS"]))

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            answer = method_answer(request.method, allowed)
            if answer is not None:
                return answer
            return view(request, *args, **kwargs)

        setattr(wrapped, ALLOWED_METHODS_ATTR, allowed)
        return wrapped

    return decorator


def declared_methods(view) -> tuple[str, ...] | None:
    """The methods ``view`` declared with :func:`allow_methods` (``OPTIONS``
    included), or None when it declared none."""
    return getattr(view, ALLOWED_METHODS_ATTR, None)


def method_answer(method: str, allowed: tuple[str, ...]) -> HttpResponse | None:
    """The answer to ``method`` (the request's, upper case) for a view that
    answers ``allowed``: 200 with ``Allow`` and no body for ``OPTIONS``, 405
    with ``Allow`` and a one-line plain-text reason for a method not in
    ``allowed``, None when the view should answer."""
    allow = ", ".join(allowed)
    if method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Allow"] = allow
        del response["Content-Type"]  # no body, so no type (RFC 9110, 8.3)
        return response
    if method not in allowed:
        return HttpResponseNotAllowed(
            allowed, f"This address answers {allow}.\n", content_type="text/plain; charset=utf-8"
        )
    return None


class MethodMiddleware:
    """Answer ``OPTIONS`` and unsupported methods for views that declare their
    methods (:func:`allow_methods`), before later middleware's
    ``process_view`` runs. List it before ``CsrfViewMiddleware`` (and any
    origin check), so a POST to a read-only page is 405, not 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = declared_methods(view_func)
        if allowed is None:
            return None
        return method_answer(request.method, allowed)
