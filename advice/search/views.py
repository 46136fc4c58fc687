"""The search page (web layer; see docs/architecture.md, ``search/``)."""

from __future__ import annotations

from django.shortcuts import render

from advice.search.queries import search_page
from config.methods import allow_methods


@allow_methods("GET", "HEAD")
def search_view(request):
    """``/search/?q=<words>&page=<n>``: ranked results with highlighted
    title and snippet, paginated. Any ``q`` is safe (see
    :func:`advice.search.terms.query_terms`); an empty one shows the form
    alone."""
    outcome = search_page(request.GET.get("q", ""), request.GET.get("page"))
    return render(request, "advice/search.html", {"search": outcome, "q": outcome.query})
