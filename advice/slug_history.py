"""An article's old slugs, so its old addresses answer 301 (models layer).

When an article's slug changes, wherever it is saved from (the admin, the
shell, the WordPress import's update), the slug it had is kept as an
:class:`ArticleOldSlug` of that article, and ``/articles/<old>/`` answers
301 to the article's address now (``advice.pages.article_detail`` asks
:func:`article_for_old_slug` before its 404), as does every GET or HEAD
address under it that would be 404 (``/articles/<old>/comments/<id>/`` in
sent e-mails, the comment feed): 301 to the same address under the slug now
(``advice.wordpress.redirects.OldLinkFallbackMiddleware``). WordPress keeps the same
record as ``_wp_old_slug`` post meta; :func:`article_old_slugs_record`
stores those at import.

Rules:

- **One hop.** A record names the article, not the next slug, so a chain of
  renames (a → b → c) sends ``a`` straight to the address of ``c``.
- **The live article wins.** An article that takes a slug (created or
  renamed) drops any record of that slug, its own included (a rename back
  to ``a`` is the live ``a`` again); the article view also looks live slugs
  up first, so a record left behind by a write that sends no signal
  (``bulk_create``) never hides an article.
- **One owner per old slug.** ``slug`` is unique: when a second article
  gives up the same slug later, the record moves to it.

The receivers below are the only place that writes records on a rename;
they read the slug loaded with the instance (``post_init``), so a save costs
no extra query, and one write when the slug changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from django.db import models
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.utils.text import slugify

from advice.models import Article

_LOADED = "_slug_history_loaded"


class ArticleOldSlug(models.Model):
    """A slug ``article`` had before; ``/articles/<slug>/`` answers 301 to it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "advice"
        ordering = ["-created_at", "-id"]
        verbose_name = "old slug"

    def __str__(self) -> str:
        return self.slug


@receiver(post_init, sender=Article, dispatch_uid="slug_history_loaded")
def _remember_slug(sender, instance: Article, **kwargs) -> None:
    # Deferred (not loaded): None, and post_save reads the stored row instead.
    setattr(instance, _LOADED, instance.__dict__.get("slug"))


@receiver(post_save, sender=Article, dispatch_uid="slug_history_saved")
def _slug_saved(sender, instance: Article, created: bool, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "slug" not in update_fields:
        return
    before = getattr(instance, _LOADED, None)
    setattr(instance, _LOADED, instance.slug)
    if created:
        ArticleOldSlug.objects.filter(slug=instance.slug).delete()
        return
    if before is None or before == instance.slug:
        return
    ArticleOldSlug.objects.filter(slug=instance.slug).delete()
    ArticleOldSlug.objects.update_or_create(slug=before, defaults={"article": instance})


def article_old_slugs_record(article: Article, slugs: Iterable[str]) -> int:
    """Keep ``slugs`` (e.g. WordPress's ``_wp_old_slug`` values, as in the
    export: percent-encoded or not) as old slugs of ``article`` (saved).
    Each is percent-decoded and slugified like an imported post's name;
    empty ones, the article's own slug and slugs a live article has are left
    out; one another article had moves to ``article``; a record of
    ``article``'s own slug (left by a write that sends no signal, such as
    ``bulk_create``) is dropped. Returns how many records were written."""
    # bulk_create (the import's new rows) sends no post_save: the live slug wins here.
    ArticleOldSlug.objects.filter(slug=article.slug).delete()
    wanted = {slugify(unquote(slug), allow_unicode=True)[:200].strip("-") for slug in slugs}
    wanted.discard("")
    wanted.discard(article.slug)
    wanted -= set(Article.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    for slug in wanted:
        ArticleOldSlug.objects.update_or_create(slug=slug, defaults={"article": article})
    return len(wanted)


def article_for_old_slug(slug: str, articles: models.QuerySet) -> Article | None:
    """The article among ``articles`` (a QuerySet of :class:`Article`, e.g.
    ``Article.objects.published()``) that once had ``slug``: the owner of the
    old slug ``slug``, else of one equal to it in another letter case. None
    when there is none or it is not among ``articles``. One or two queries."""
    article = articles.filter(old_slugs__slug=slug).first()
    if article is None:
        article = articles.filter(old_slugs__slug__iexact=slug).first()
    return article
