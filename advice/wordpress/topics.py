"""Topics of a WordPress import: categories and tags, from the channel and
from items, found by slug or created, with an id cache for the run. See the
"Topics" rule in :mod:`advice.wordpress.importer`'s docstring and
docs/architecture.md, ``wordpress/``.
"""

from __future__ import annotations

from html import unescape

from advice.models import Topic
from advice.wordpress.records import RecordMapper
from advice.wordpress.summary import ImportSummary
from advice.wordpress.wxr import ItemTerm, Term

TOPIC_DOMAINS = {"category": "category", "post_tag": "post_tag", "tag": "post_tag", "": "category"}
# WordPress's default category. An export does not say which category was
# the site's default, so the slug WordPress gives it is taken as the sign.
# Posts land in it when their author chose none: it is no subject readers
# browse by, so it does not become a topic (a tag of that name does).
DEFAULT_CATEGORY = "uncategorized"


def is_default_category(taxonomy: str, slug: str) -> bool:
    """True for WordPress's default category: taxonomy ``category`` (an item
    term's domain, ``""`` read as category) and topic slug ``uncategorized``."""
    return TOPIC_DOMAINS.get(taxonomy) == "category" and slug == DEFAULT_CATEGORY


class TopicCache:
    """The topics of one import run: ``ids`` maps a topic slug to its Topic
    id once :meth:`ensure_topics` has found or made it. Values are cleaned
    and counted by ``records``; creations counted in ``summary``."""

    def __init__(self, records: RecordMapper, summary: ImportSummary):
        self.records = records
        self.summary = summary
        self.ids: dict[str, int] = {}  # slug -> Topic id

    def ensure_topics(self, wanted: dict[str, str]) -> None:
        """Make sure a topic exists for each ``slug -> name``; fills the cache."""
        missing = {slug: name for slug, name in wanted.items() if slug not in self.ids}
        if not missing:
            return
        found = dict(Topic.objects.filter(slug__in=missing).values_list("slug", "id"))
        self.summary.topics_existing += len(found)
        new = [
            Topic(slug=slug, name=self.records.fit(name, Topic, "name", "topic name"))
            for slug, name in missing.items()
            if slug not in found
        ]
        if new:
            Topic.objects.bulk_create(new)
            self.summary.topics_created += len(new)
            found.update(
                Topic.objects.filter(slug__in=[t.slug for t in new]).values_list("slug", "id")
            )
        self.ids.update(found)

    def terms(self, terms: list[Term]) -> None:
        """Find or make a topic for each channel-level category and tag in
        ``terms``; other taxonomies, terms with no usable slug and the default
        category (:func:`is_default_category`) are counted as skipped."""
        wanted: dict[str, str] = {}
        for term in terms:
            if term.taxonomy not in ("category", "post_tag"):
                self.summary.terms_skipped[term.taxonomy or "(no taxonomy)"] += 1
                continue
            slug = self.records.topic_slug(term.slug, term.name)
            if not slug:
                self.summary.terms_skipped["no usable slug"] += 1
                continue
            if is_default_category(term.taxonomy, slug):
                self.summary.terms_skipped["default category"] += 1
                continue
            name = unescape(self.records.clean(term.name)).strip() or slug
            wanted.setdefault(slug, name)
        self.ensure_topics(wanted)

    def item_topics(self, terms: list[ItemTerm]) -> dict[str, str]:
        """An item's categories and tags as ``slug -> name``, without the
        default category (nothing stored; pass the batch's to
        :meth:`ensure_topics`)."""
        wanted: dict[str, str] = {}
        for term in terms:
            if term.domain not in TOPIC_DOMAINS:
                continue
            slug = self.records.topic_slug(term.nicename, term.name)
            if slug and not is_default_category(term.domain, slug):
                wanted.setdefault(slug, unescape(self.records.clean(term.name)).strip() or slug)
        return wanted
