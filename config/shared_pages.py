"""The door to the whole-page cache for the views of both apps
(docs/architecture.md, "config/").

A view decorated with :func:`shared_page` is a page that is the same for
every reader without state of their own, so a whole-page cache may answer
it. The cache itself is ``advice.page_cache`` (it needs the site version and
the definition of a reader with state, both in ``advice``); ``notes`` must
never import ``advice``, so every view takes the decorator from here and
``advice`` installs the cache when its app is ready (:func:`install`).
Until a cache is installed the view is simply called.

Imports neither app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

# serve(view, params, request, *args, **kwargs) -> response
Server = Callable[..., object]

_server: Server | None = None


def install(server: Server | None) -> None:
    """Answer every :func:`shared_page` view through ``server``, called as
    ``server(view, params, request, *args, **kwargs)`` and returning the
    response; ``None`` calls the views directly again."""
    global _server
    _server = server


def shared_page(*, params: Iterable[str] = ()) -> Callable:
    """A view decorator: the view's page is the same for every reader without
    state, given the path and the query parameters named in ``params`` (a
    subset of ``"page"``, ``"cpage"``, ``"replytocom"``: the ones the view
    reads). A request with any other query parameter is never answered from
    a cache. Attributes set on the view by other decorators
    (``config.methods.allow_methods``) are kept."""
    names = tuple(params)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if _server is None:
                return view(request, *args, **kwargs)
            return _server(view, names, request, *args, **kwargs)

        return wrapped

    return decorator
