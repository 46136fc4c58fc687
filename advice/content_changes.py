"""The "content changed" time of an article (models layer).

``Article.content_changed_at`` moves when the article's own content changes
and never with its comments (``updated_at`` moves with both; the page's
caches need that one). Feed readers and search engines are told this time
(feeds' ``<updated>`` and ``<lastBuildDate>``, the sitemap's ``<lastmod>``,
JSON-LD ``dateModified``), so a new comment does not make an old article
look new.

It is kept where every write path passes, so the admin, the shell, the
WordPress import and any later code agree:

- :class:`ContentChangeTracking` (a mixin of the model) remembers the
  content fields as loaded and, on ``save()``, sets the time when one of
  them differs;
- :func:`topics_changed` (connected to the topics' ``m2m_changed`` signal)
  sets it when topics are added, removed or cleared, from either side.

Writes that bypass both (``QuerySet.update()``, ``bulk_create`` of the
topics' through rows) set the time themselves when they change content.
"""

from __future__ import annotations

from django.utils import timezone


def _same_text(value):
    """``value`` compared as readers see it: text with its line breaks in
    one form (a browser sends a text box's lines with CR LF) and no blanks
    at either end (Django's form fields strip them); other values as they
    are."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


class ContentChangeTracking:
    """Mixin for a model with a ``content_changed_at`` field and a
    ``CONTENT_FIELDS`` tuple of attribute names (``"author_id"`` for a
    foreign key). Call :meth:`content_change_mark` with ``save()``'s keyword
    arguments before saving and :meth:`content_change_saved` after."""

    CONTENT_FIELDS: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._content_loaded = instance._content_values()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using, fields, from_queryset)
        loaded = self._content_values()
        if fields is not None:  # only these were read; others may hold unsaved edits
            names = {name.removesuffix("_id") for name in fields}
            loaded = {k: v for k, v in loaded.items() if k.removesuffix("_id") in names}
        self._content_loaded = {**getattr(self, "_content_loaded", {}), **loaded}

    def _content_values(self) -> dict:
        """The content fields present on this instance (deferred ones left out)."""
        return {name: self.__dict__[name] for name in self.CONTENT_FIELDS if name in self.__dict__}

    def content_changed(self) -> bool:
        """Whether saving now would change a content field, compared with the
        values loaded (for an instance not loaded from the database, with its
        stored row: one query; no row counts as a change). A new instance
        (no primary key yet) answers False: it keeps the time it was given,
        by default the time it was made."""
        if self._state.adding and self.pk is None:
            return False
        before = getattr(self, "_content_loaded", None)
        if before is None:
            row = type(self)._default_manager.filter(pk=self.pk)
            before = row.values(*self.CONTENT_FIELDS).first() or {}
        return any(
            name not in before or _same_text(before[name]) != _same_text(value)
            for name, value in self._content_values().items()
        )

    def content_change_mark(self, save_kwargs: dict) -> None:
        """Before ``save(**save_kwargs)``: set ``content_changed_at`` to now
        when a content field changed, and add it to ``update_fields`` when
        the save names fields (``save_kwargs`` is changed in place)."""
        update_fields = save_kwargs.get("update_fields")
        if update_fields is not None:
            names = {name.removesuffix("_id") for name in update_fields}
            if not names & {name.removesuffix("_id") for name in self.CONTENT_FIELDS}:
                return
        if self.content_changed():
            self.content_changed_at = timezone.now()
            if update_fields is not None:
                save_kwargs["update_fields"] = {*update_fields, "content_changed_at"}

    def content_change_saved(self) -> None:
        """After a save: the stored values are the new reference."""
        self._content_loaded = self._content_values()


def topics_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """``m2m_changed`` receiver for an article's topics: set
    ``content_changed_at`` and ``updated_at`` (the page shows its topics) of
    the articles whose topics were added, removed or cleared, from either
    side (``article.topics`` or ``topic.articles``), in one UPDATE. Adding
    nothing new changes nothing."""
    articles = model if reverse else type(instance)
    if action == "pre_clear":  # post_clear no longer knows whom it cleared
        linked = instance.articles if reverse else instance.topics
        instance._topics_cleared = list(linked.values_list("pk", flat=True))
        return
    if action == "post_clear":
        cleared = instance.__dict__.pop("_topics_cleared", [])
        ids = cleared if reverse else [instance.pk] if cleared else []
    elif action in ("post_add", "post_remove"):
        ids = list(pk_set or ()) if reverse else [instance.pk] if pk_set else []
    else:
        return
    if ids:
        now = timezone.now()
        articles._default_manager.filter(pk__in=ids).update(content_changed_at=now, updated_at=now)
        if not reverse:
            instance.content_changed_at = instance.updated_at = now
