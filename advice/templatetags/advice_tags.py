"""Template filters: reader-written text, the name shown for a user, and an
article's excerpt in lists."""

import hashlib
import threading
from collections import OrderedDict

from django import template
from django.template.defaultfilters import truncatewords
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


# Excerpts kept per worker process, least recently used first out: a list
# page shows ten, and making one (cleaning the question's HTML again, then
# its plain text) cost 0.3 ms when profiled (issue 14, item 7). Only those
# of at most EXCERPT_MEMO_CHARS characters (40 words of a few hundred,
# unless the words are very long), so what is kept stays under about
# EXCERPT_MEMO_ENTRIES * (EXCERPT_MEMO_CHARS + 100) characters (~8 M).
EXCERPT_WORDS = 40
EXCERPT_MEMO_ENTRIES = 8192
EXCERPT_MEMO_CHARS = 1000
_excerpts: OrderedDict[bytes, str] = OrderedDict()
_excerpts_lock = threading.Lock()


@register.filter
def summary_excerpt(article) -> str:
    """``{{ article|summary_excerpt }}``: the start of ``article``'s question
    as a list shows it, plain text (unescaped: the template escapes it) of
    at most :data:`EXCERPT_WORDS` words (Django's ``truncatewords``), from
    ``question_shown_html``. Kept per process under a digest of the stored
    ``question_html`` it is made from (when at most
    :data:`EXCERPT_MEMO_CHARS` characters), so an edited question is a new
    entry and nothing has to be told of a change."""
    html = article.question_html
    digest = hashlib.blake2b(html.encode(), digest_size=16).digest()
    with _excerpts_lock:
        found = _excerpts.get(digest)
        if found is not None:
            _excerpts.move_to_end(digest)
            return found
    text = truncatewords(plain_text(article.question_shown_html), EXCERPT_WORDS)
    if len(text) > EXCERPT_MEMO_CHARS:
        return text
    with _excerpts_lock:
        _excerpts[digest] = text
        if len(_excerpts) > EXCERPT_MEMO_ENTRIES:
            _excerpts.popitem(last=False)
    return text
