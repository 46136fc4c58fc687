"""What a WordPress import did: :class:`ImportSummary`, its counters and
its text for a person (``manage.py import_wxr`` prints it). Filled in by
:mod:`advice.wordpress.importer`; see docs/architecture.md, ``wordpress/``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do).

    Counters are keyed by a reason a person can read ("page", "pingback",
    "comment name"...). ``lines()`` renders the summary as text.
    """

    path: str
    site: str = ""
    wxr_version: str = ""
    dry_run: bool = False
    items: int = 0
    articles_imported: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    published: int = 0
    scheduled: int = 0
    drafts: Counter = field(default_factory=Counter)
    items_skipped: Counter = field(default_factory=Counter)
    comments_imported: int = 0
    comments_existing: int = 0
    comments_skipped: Counter = field(default_factory=Counter)
    replies_made_top_level: int = 0
    topics_created: int = 0
    topics_existing: int = 0
    terms_skipped: Counter = field(default_factory=Counter)
    truncated: Counter = field(default_factory=Counter)
    cleaned: Counter = field(default_factory=Counter)

    @property
    def articles(self) -> int:
        """Articles the file holds that were imported, updated or found unchanged."""
        return self.articles_imported + self.articles_updated + self.articles_unchanged

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""

        def counts(counter: Counter) -> str:
            parts = [f"{n} {reason}" for reason, n in sorted(counter.items()) if n]
            return ", ".join(parts) or "none"

        lines = [
            f"WordPress export {self.path} (WXR {self.wxr_version or '?'}, site {self.site})",
            f"Items read: {self.items}",
            f"Articles: {self.articles_imported} imported, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged "
            f"({self.published} published, {self.scheduled} scheduled, "
            f"{sum(self.drafts.values())} draft: {counts(self.drafts)})",
            f"Items skipped: {sum(self.items_skipped.values())} ({counts(self.items_skipped)})",
            f"Comments: {self.comments_imported} imported, {self.comments_existing} already "
            f"imported, {self.replies_made_top_level} replies made top-level (parent missing); "
            f"skipped: {sum(self.comments_skipped.values())} ({counts(self.comments_skipped)})",
            f"Topics: {self.topics_created} created, {self.topics_existing} already present; "
            f"terms skipped: {counts(self.terms_skipped)}",
        ]
        if self.truncated:
            lines.append(f"Cut to the field's length: {counts(self.truncated)}")
        if self.cleaned:
            lines.append(f"Cleaned: {counts(self.cleaned)}")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines
