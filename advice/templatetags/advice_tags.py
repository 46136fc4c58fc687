"""Template filters: reader-written text, and the name shown for a user."""

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from advice import models
from advice.search.highlight import plain_text

register = template.Library()


@register.filter(is_safe=True, needs_autoescape=True)
def urlize_ugc(text: str, autoescape: bool = True) -> SafeString:
    """Escape reader-written ``text`` and turn its web addresses into links
    marked ``rel="nofollow ugc"`` (Google's mark for user-generated links).
    Returns safe HTML; pair with ``linebreaks`` for paragraphs."""
    linked = urlize(str(text), nofollow=False, autoescape=True)
    return mark_safe(linked.replace("<a href=", '<a rel="nofollow ugc" href='))


@register.filter
def display_name(user) -> str:
    """``{{ user|display_name }}``: the name the site shows for ``user``
    (:func:`advice.models.display_name`: full name, else username)."""
    return models.display_name(user)


@register.filter
def plain(html: str) -> str:
    """``{{ article.question_shown_html|plain }}``: the readable text of an
    HTML fragment (:func:`advice.search.highlight.plain_text`: tags removed,
    entities decoded, whitespace collapsed), unescaped, so the template's
    autoescaping escapes it exactly once (``striptags`` keeps ``&amp;``,
    which autoescaping then showed as ``&amp;amp;``)."""
    return plain_text(html)
