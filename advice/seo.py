"""What search engines read: ``/robots.txt`` (the sitemap itself is
:mod:`advice.sitemaps`), and each article's structured data
(schema.org ``QAPage`` JSON-LD, see :func:`article_structured_data`).

Every absolute URL in a public, cacheable answer (robots.txt, the sitemap,
the feeds, canonical / ``og:url`` / JSON-LD / share links) is built by
:func:`site_url` from ``settings.SITE_URL``, never from the request's
``Host``, ``X-Forwarded-Host`` or scheme: those are the sender's to choose,
and a front cache would hand a forged one to every later reader.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control

from advice.models import Article, display_name
from advice.search.highlight import plain_text
from config.methods import allow_methods
from config.site import site_url


@allow_methods("GET", "HEAD")
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    """``/robots.txt`` (``text/plain``): everything may be crawled except the
    admin, search results and the ask form's helpers; names the sitemap by
    its absolute URL, from ``settings.SITE_URL`` (never the request's
    ``Host``: the answer is public and cached, so it must not depend on
    anything the request says)."""
    context = {"sitemap_url": site_url(reverse("sitemap"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


# --- Structured data ------------------------------------------------------------

# JSON inside <script> must not contain "</script>", "<!--" or anything an HTML
# parser would read: escape <, > and & as JSON \u escapes (as Django's
# json_script does), which JSON parsers read back as the same characters.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """``data`` as JSON safe to place inside ``<script type="application/ld+json">``:
    ``<``, ``>`` and ``&`` escaped (``\\u003C``...), so no content can close the
    element. Returns a ``SafeString`` (it holds no raw markup)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def article_structured_data(article: Article, url: str) -> dict:
    """schema.org ``QAPage`` for ``article`` at absolute ``url``: the main
    entity is a ``Question`` (title as name, question text, asker as author
    — "Anonymous" when blank) with the answer as its ``acceptedAnswer``
    (answer text, the columnist as author). Dates in ISO 8601;
    ``dateModified`` is the content's last change (``Article.modified_at``),
    never a comment's. Follows
    Google's Q&A page guidance (answerCount, text, author, url)."""
    published = article.published_at.isoformat()
    author = article.author
    columnist = display_name(author) if author else settings.SITE_NAME
    question_text = plain_text(article.question_shown_html) or article.title
    return {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "url": url,
        "mainEntity": {
            "@type": "Question",
            "name": article.title or "(no title)",
            "text": question_text,
            "answerCount": 1,
            "datePublished": published,
            "author": _person(article.asker or "Anonymous"),
            "acceptedAnswer": {
                "@type": "Answer",
                "text": plain_text(article.answer_shown_html),
                "datePublished": published,
                "dateModified": article.modified_at.isoformat(),
                "url": url,
                "author": _person(columnist),
            },
        },
    }


def article_meta(article: Article) -> dict:
    """Template values for ``advice/_article_meta.html`` and the share links:
    ``canonical_url`` and ``share_url`` (the article's absolute URL from
    :func:`site_url`, so a forged ``Host`` cannot reach them),
    ``meta_description`` (plain text, at most ~200 characters) and
    ``structured_data`` (:func:`json_ld` of :func:`article_structured_data`)."""
    url = site_url(article.get_absolute_url())
    description = plain_text(article.question_shown_html) or plain_text(article.answer_shown_html)
    if len(description) > 200:
        description = description[:197].rsplit(" ", 1)[0] + "…"
    return {
        "canonical_url": url,
        "share_url": url,
        "meta_description": description,
        "structured_data": json_ld(article_structured_data(article, url)),
    }
