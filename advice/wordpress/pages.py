"""WordPress pages (About, Privacy...) as flat pages at their old paths,
and the answer to a request for one (docs/architecture.md, ``wordpress/``).

Import: a ``page`` item whose status is ``publish`` becomes (or updates) a
``django.contrib.flatpages`` :class:`FlatPage` on this site
(``settings.SITE_ID``), matched by URL. The URL is the path of the item's
link (``/about/``; ``/team/people/`` for a child page), else ``/<post_name>/``
when the link has no path (``/?page_id=2``). The content is WordPress's HTML
turned into Markdown by :func:`advice.wordpress.autop.autop_to_markdown`, as
articles' answers are; the title is plain text. Pages with another status
are skipped and counted. A page whose URL an article, a route or another
flat page already has is served by them, not by the page.

Serving: :func:`advice.flatpages.flatpage_response` answers a path no route knows with the
flat page at that URL, rendered like the privacy page
(``privacy/flatpage.html``, Markdown through
:func:`advice.markdown.render_markdown`, which sanitises).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.utils.text import slugify

from advice.wordpress.autop import autop_to_markdown
from advice.wordpress.records import html_to_text
from advice.wordpress.summary import ImportSummary
from advice.wordpress.wxr import Item


def page_url(item: Item) -> str:
    """The flat page URL for a page ``item``: its link's path with a
    leading and trailing ``/``, else ``/<post_name>/``, else ``""``."""
    try:
        path = unquote(urlsplit(item.link.strip()).path)
    except ValueError:
        path = ""
    path = path.strip("/")
    if not path:
        path = slugify(unquote(item.post_name), allow_unicode=True)
    url = f"/{path}/" if path else ""
    return url if len(url) <= FlatPage._meta.get_field("url").max_length else ""


def import_page(item: Item, summary: ImportSummary) -> None:
    """Create or update the flat page for a ``page`` item; a page that is not
    published, or has no usable URL, is skipped and counted."""
    if item.status != "publish" or item.post_password:
        summary.items_skipped[f"page ({item.status or 'no status'}, not published)"] += 1
        return
    url = page_url(item)
    if not url:
        summary.items_skipped["page without an address"] += 1
        return
    title = html_to_text(item.title)[: FlatPage._meta.get_field("title").max_length]
    content = autop_to_markdown(item.content.replace("\x00", ""))
    page = FlatPage.objects.filter(url=url, sites__id=settings.SITE_ID).first()
    if page is None:
        page = FlatPage.objects.create(url=url, title=title, content=content)
        page.sites.add(settings.SITE_ID)
        summary.pages_imported += 1
    elif (page.title, page.content) != (title, content):
        page.title, page.content = title, content
        page.save()
        summary.pages_updated += 1
    else:
        summary.pages_unchanged += 1
