"""Small helpers for tests that talk HTTP to a real server (gunicorn in a
subprocess): a form's input values, and an opener that does not follow
redirects (so a 303 after a POST is seen as such)."""

from __future__ import annotations

import urllib.request
from html.parser import HTMLParser


class FormInputs(HTMLParser):
    """The inputs (name → value) of the form whose id is ``form_id``:
    ``FormInputs(form_id)``, ``feed(html)``, then ``values`` (a ``dict``)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif tag == "input" and self.inside and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """For ``urllib.request.build_opener``: redirects are answers, not hops."""

    def redirect_request(self, *args, **kwargs):
        return None
