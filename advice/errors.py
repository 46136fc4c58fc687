"""Error pages and the health check: the friendly 404 and 500 pages, the
CSRF-failure page (``settings.CSRF_FAILURE_VIEW``) and ``/healthz``.

Web layer (see docs/architecture.md, "``advice/``, package by package").
``config/urls.py`` names :func:`page_not_found` and :func:`server_error` as
``handler404``/``handler500`` and ``config/settings.py`` names
:func:`csrf_failure`, all by dotted path, so these functions keep their
names here.

Error pages show the request's path as escaped text at most, never as a
link: the path is the sender's to choose (``/\\evil.example/x`` is read by
browsers as ``//evil.example/x``), and a link next to their text would lend
it the site's name. Their own links are fixed URLs of this site.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from advice.middleware import reader_text
from advice.tasks import Backlog, queue_backlog
from config.methods import allow_methods
from config.origin import REASON_CROSS_ORIGIN

logger = logging.getLogger(__name__)


@allow_methods("GET", "HEAD")
def healthz(request):
    """``/healthz`` (GET or HEAD): 200 when the database answers ``SELECT 1``,
    503 "database unavailable" when it does not; text/plain.

    The 200 body is "ok" and the task queue's backlog
    (:func:`advice.tasks.queue_backlog`), one ``name value`` line each:
    ``queue_ready`` (tasks ready to run) and ``queue_oldest_ready_seconds``
    (how long the oldest has waited), ``unknown`` when the queue cannot say.
    The status depends on the database alone: a stalled worker must not take
    every app server out of a load balancer's rotation."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    try:
        backlog = queue_backlog()
    except Exception:  # the queue's table, not the database, failed: still healthy
        logger.exception("/healthz could not read the task queue")
        backlog = Backlog(ready=None, oldest_seconds=None)
    ready = "unknown" if backlog.ready is None else backlog.ready
    oldest = "unknown" if backlog.oldest_seconds is None else f"{backlog.oldest_seconds:.0f}"
    body = f"ok\nqueue_ready {ready}\nqueue_oldest_ready_seconds {oldest}\n"
    return HttpResponse(body, content_type="text/plain")


def page_not_found(request, exception=None):
    """The friendly 404 page (``handler404``); names the path that was asked
    for, as escaped text. ``exception`` (the Http404) is not shown."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request):
    """The friendly 500 page (``handler500``); renders without a database
    or context processors, so it works when they are what failed."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request, reason: str = ""):
    """CSRF refusal (settings.CSRF_FAILURE_VIEW): 403 with a page that shows
    back what the reader typed (comment, question), so an expired form loses
    nothing. ``reason`` (Django's text) is not shown. Stores nothing; links
    only to fixed pages of this site, never to the request's path;
    ``no-store``, as it holds the reader's text."""
    kept = reader_text(request.POST) if request.method == "POST" else []
    # config.origin refuses a form sent from another site's page through here too.
    cross_origin = reason.startswith(REASON_CROSS_ORIGIN)
    context = {"kept": kept, "cross_origin": cross_origin}
    response = render(request, "403_csrf.html", context, status=403)
    response["Cache-Control"] = "no-store"
    return response
