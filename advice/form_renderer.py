"""A form renderer that writes Django's stock input, textarea and label
templates out in Python (web layer, forms).

Django renders every widget, label and error list through the template
engine: on the comment form, some twenty small templates per page, about a
tenth of the article page's time once its comments are rendered (issue 14,
"Misses faster too"). :class:`DirectFormRenderer` is Django's default
renderer with those templates (Django 5.2's
``django/forms/widgets/input.html`` and the widgets that include it,
``textarea.html``, ``attrs.html``, ``label.html``, and an empty
``errors/list/ul.html``) done as string formatting, giving the same
characters; any other template, or a value of a kind the template would
localise, goes to the template as before. ``tests/advice/test_render_form.py``
compares the two for every field of the comment form, bound and unbound, so
a Django upgrade that changes a template fails there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import SafeData

# The widget templates that are exactly {% include "django/forms/widgets/input.html" %}.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "url", "hidden", "checkbox", "number")
)


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescaping: safe text as it
    is, anything else ``str()``'d and escaped. None for a value the template
    would treat otherwise (localised numbers and dates), so the caller falls
    back to it."""
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return escape(value)
    return None


def _attrs(attrs: Mapping) -> str | None:
    """``django/forms/widgets/attrs.html`` (and ``forms/attrs.html``): each
    attribute not False, bare when True, else ``name="value"``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(name)}")
            continue
        text = _text(value)
        if text is None:
            return None
        parts.append(f' {escape(name)}="{text}"')
    return "".join(parts)


def _input(context) -> str | None:
    widget = context["widget"]
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    value = widget["value"]
    shown = ""
    if value is not None:
        text = _text(value)
        if text is None:
            return None
        shown = f' value="{text}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}{attrs}>'


def _textarea(context) -> str | None:
    widget = context["widget"]
    value = widget["value"]
    attrs = _attrs(widget["attrs"])
    if attrs is None or not (value is None or isinstance(value, str)):
        return None
    body = (value if isinstance(value, SafeData) else escape(value)) if value else ""
    return f'<textarea name="{escape(widget["name"])}"{attrs}>\n{body}</textarea>'


def _label(context) -> str | None:
    label = context["label"]
    if not isinstance(label, SafeData):
        return None  # BoundField.label_tag gives it escaped; anything else: the template
    if not context["use_tag"]:
        return str(label)
    attrs = _attrs(context["attrs"])
    if attrs is None:
        return None
    tag = escape(context["tag"])
    return f"<{tag}{attrs}>{label}</{tag}>"


def _error_list(context) -> str | None:
    return "" if not context["errors"] else None  # errors shown: the template


_DIRECT: dict[str, Callable] = {
    **dict.fromkeys(_INPUT_TEMPLATES, _input),
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
}


class DirectFormRenderer(DjangoTemplates):
    """Django's default form renderer (``DjangoTemplates``), with the stock
    templates named in the module docstring written out in Python. Returns
    what Django's would (a ``str``, stripped); set it as a form's
    ``default_renderer``."""

    def render(self, template_name, context, request=None) -> str:
        direct = _DIRECT.get(template_name)
        if direct is not None:
            html = direct(context)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request)


# One instance for every form (its template engine is built once, on first use).
DIRECT_RENDERER = DirectFormRenderer()
