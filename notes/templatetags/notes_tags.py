"""Template tags that embed note drafters in other pages.

``{% answer_with_drafters html %}`` takes rendered HTML (an article's
``answer_html``) and replaces every marker paragraph
``<p>{{note:<slug>}}</p>`` (what the Markdown line ``{{note:<slug>}}``
renders to) with that note template's drafter. The context variable
``page_params`` names the page parameters the embedding page reads (e.g.
``("cpage",)``); only those are kept in the drafter's way back and cache key.
An embedded drafter posts back to the embedding page: ``page_url`` when the
page gives it (``{% answer_with_drafters html page_url=article.get_absolute_url %}``,
so a page re-shown at another address, such as a refused comment's, still
posts back to the article), else the request's path. The page puts what was
posted in the context as ``drafter_post`` (``(slug, QueryDict)``, see
:func:`notes.forms.drafter_post_slug`), and that drafter is rendered filled
in, for this reader only (never cached).
The templates named are loaded in one query. A marker
naming a template that does not exist, or one that cannot be parsed, shows
nothing to readers and a warning to staff. The marker syntax is
:mod:`notes.markers`'s.
"""

from __future__ import annotations

import hashlib
import re

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from config.cache import cache_get, cache_set
from config.pagequery import page_path
from notes.blanks import BlankSyntaxError
from notes.drafting import drafter_context, drafter_for
from notes.markers import MARKER_PARAGRAPH, marker_slugs
from notes.models import NoteTemplate

register = template.Library()

_ASSETS_FLAG = "notes_drafter_assets"


@register.simple_tag(takes_context=True)
def answer_with_drafters(context, html: str, page_url: str = "") -> SafeString:
    """Render ``html`` (trusted, already-sanitised HTML) with drafters in place
    of its note markers, posting back to ``page_url`` (a path, already
    URL-encoded, as ``reverse()`` gives it; empty: the request's path) with
    the page numbers the page reads. Returns safe HTML; costs no query when
    there is no marker and one query otherwise."""
    html = html or ""
    slugs = marker_slugs(html)
    if not slugs:
        return mark_safe(html)  # sanitised when the article was saved
    request = context.get("request")
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_active and user.is_staff)
    notes = {note.slug: note for note in NoteTemplate.objects.filter(slug__in=set(slugs))}
    partial = get_template("notes/_drafter.html")
    # The way back is the page's path (page_url, else the request's) with
    # only the page numbers the page reads (context "page_params", set by the
    # embedding view; none when it says nothing), in normal form
    # (config.pagequery): the same value for the cache key and the form, so a
    # parameter the page ignores (``?page=`` on an article) neither changes
    # nor multiplies keys, and the address the page was shown at does not.
    names = context.get("page_params") or ()
    back = page_path(request, names) if request is not None else ""
    if page_url:  # page_path escapes "?" in the path: the first one starts the query
        _, mark, query = back.partition("?")
        back = str(page_url) + mark + query

    posted_slug, posted_data = context.get("drafter_post") or (None, None)

    def replace(match: re.Match) -> str:
        slug = match.group(1)
        note = notes.get(slug)
        include_assets = not context.render_context.get(_ASSETS_FLAG)
        posted = slug == posted_slug
        key = (
            _drafter_cache_key(note, back, include_assets)
            if note is not None and not posted
            else None
        )
        cached = cache_get(key) if key else None  # a failing cache is a miss
        if cached is not None:
            context.render_context[_ASSETS_FLAG] = True
            return cached
        try:
            drafter = drafter_for(note) if note is not None else None
        except BlankSyntaxError as error:
            return _staff_warning(is_staff, f"The note template “{slug}” cannot be used: {error}")
        if drafter is None:
            return _staff_warning(
                is_staff,
                f"No note template “{slug}”: this marker shows nothing to readers. "
                "Create the template or fix the marker.",
            )
        form = drafter.make_form(posted_data) if posted else drafter.make_form(back=back)
        values = drafter_context(drafter, form, action_url=back)
        values["include_assets"] = include_assets
        context.render_context[_ASSETS_FLAG] = True
        rendered = partial.render(values, request)
        if key:
            cache_set(key, rendered, settings.FRAGMENT_CACHE_TIMEOUT)
        return rendered

    return mark_safe(MARKER_PARAGRAPH.sub(replace, html))  # noqa: S308 — parts rendered/escaped above


def _drafter_cache_key(note: NoteTemplate, back: str, include_assets: bool) -> str | None:
    """Cache key of an empty drafter, or ``None`` when fragment caching is off.

    An empty drafter is the same for every reader (no CSRF token: its
    post-back is exempt; nothing personal; staff warnings are rendered
    apart), so it is rendered once per note version, page path and asset
    flag. Editing the template changes ``updated_at`` and so the key.
    ``back`` is :func:`config.pagequery.page_path` over the page parameters
    the page reads, so other query values (``?utm_source=``,
    ``?replytocom=``, ``?page=`` on an article) neither change nor multiply
    keys."""
    if not getattr(settings, "FRAGMENT_CACHE", False):
        return None
    digest = hashlib.sha256(back.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    version = note.updated_at.timestamp() if note.updated_at else 0
    return f"notes:drafter:{note.pk}:{version}:{int(include_assets)}:{digest}"


def _staff_warning(is_staff: bool, message: str) -> str:
    if not is_staff:
        return ""
    return format_html('<p class="note-missing" role="note">Staff only: {}</p>', message)
