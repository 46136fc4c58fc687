"""What a WordPress import did: :class:`ImportSummary`, its counters, its
text for a person (``manage.py import_wxr`` prints it) and its CSV report of
old and new addresses (:func:`write_report`, ``--report FILE``). Filled in
by :mod:`advice.wordpress.importer`; see docs/architecture.md, ``wordpress/``."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

NO_TITLE = "(no title)"  # what readers see for an article with an empty title
MEDIA_SHOWN = 10  # image links and files named in the summary's text
REPORT_COLUMNS = ("old address", "new address", "title", "status", "import")


@dataclass(frozen=True)
class AddressRow:
    """One article of the file: its ``old_address`` (the post's WordPress
    link, ``""`` when it had none), its ``new_address`` here (absolute URL),
    ``title``, ``status`` (``published``, ``scheduled`` or ``draft``: only
    published addresses answer the public) and what the import did with it
    (``imported``, ``updated``, ``unchanged`` or ``kept``)."""

    old_address: str
    new_address: str
    title: str
    status: str
    outcome: str


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
    # Articles left as they are because they were changed here after their
    # import (keyed by reason); ``--update`` overwrites them.
    articles_kept: Counter = field(default_factory=Counter)
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
    pages_imported: int = 0
    pages_updated: int = 0
    pages_unchanged: int = 0
    authors_created: int = 0
    authors_existing: int = 0
    # Posts left without a byline, keyed by reason (advice.wordpress.authors).
    bylines_missing: Counter = field(default_factory=Counter)
    # Links to the old site's uploads kept as they are (no --media-dir),
    # upload files stored here, and (upload path, reason) of files not brought.
    media_old_links: list[str] = field(default_factory=list)
    media_stored: int = 0
    media_skipped: list[tuple[str, str]] = field(default_factory=list)
    # Every article of the file, in file order, with its new address.
    addresses: list[AddressRow] = field(default_factory=list)
    # Articles whose answer quotes a fill-in-the-blanks note: candidates for
    # the admin's "Make a note template from the quoted note".
    note_candidates: list[AddressRow] = field(default_factory=list)

    @property
    def articles(self) -> int:
        """Articles the file holds that were imported, updated, found
        unchanged or kept as edited here."""
        return (
            self.articles_imported
            + self.articles_updated
            + self.articles_unchanged
            + sum(self.articles_kept.values())
        )

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""

        def counts(counter: Counter) -> str:
            parts = [f"{n} {reason}" for reason, n in sorted(counter.items()) if n]
            return ", ".join(parts) or "none"

        lines = [
            f"WordPress export {self.path} (WXR {self.wxr_version or '?'}, site {self.site})",
            f"Items read: {self.items}",
            f"Articles: {self.articles_imported} imported, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged, {sum(self.articles_kept.values())} kept "
            f"({self.published} published, {self.scheduled} scheduled, "
            f"{sum(self.drafts.values())} draft: {counts(self.drafts)})",
            f"Items skipped: {sum(self.items_skipped.values())} ({counts(self.items_skipped)})",
            f"Comments: {self.comments_imported} imported, {self.comments_existing} already "
            f"imported, {self.replies_made_top_level} replies made top-level (parent missing); "
            f"skipped: {sum(self.comments_skipped.values())} ({counts(self.comments_skipped)})",
            f"Topics: {self.topics_created} created, {self.topics_existing} already present; "
            f"terms skipped: {counts(self.terms_skipped)}",
        ]
        lines.append(
            f"Pages: {self.pages_imported} imported, {self.pages_updated} updated, "
            f"{self.pages_unchanged} unchanged"
        )
        lines.append(
            f"Authors: {self.authors_created} accounts created, {self.authors_existing} reused"
            + (f"; no byline: {counts(self.bylines_missing)}" if self.bylines_missing else "")
        )
        lines.extend(self.media_lines())
        if self.articles_kept:
            lines.append(
                f"Kept as they are here: {counts(self.articles_kept)}; "
                "import again with --update to overwrite them with the file's version"
            )
        if self.truncated:
            lines.append(f"Cut to the field's length: {counts(self.truncated)}")
        if self.cleaned:
            lines.append(f"Cleaned: {counts(self.cleaned)}")
        if self.addresses:
            lines.append("New addresses (old -> new):")
            lines.extend(
                f"  {row.old_address or '(none)'} -> {row.new_address} ({row.status})"
                for row in self.addresses
            )
        if self.note_candidates:
            lines.append(
                "Answers quoting a fill-in-the-blanks note (in the admin, select them and run "
                '"Make a note template from the quoted note"):'
            )
            lines.extend(
                f"  {row.title or NO_TITLE}: {row.new_address}" for row in self.note_candidates
            )
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines

    def media_lines(self, shown: int = MEDIA_SHOWN) -> list[str]:
        """The images part of :meth:`lines`: files stored, files not brought
        (with the reason) and links left pointing at the old site, each list
        cut to its first ``shown`` entries."""
        lines = []
        if self.media_stored or self.media_skipped:
            lines.append(
                f"Images: {self.media_stored} stored, {len(self.media_skipped)} not brought"
            )
            lines.extend(f"  {path}: {reason}" for path, reason in self.media_skipped[:shown])
        if self.media_old_links:
            lines.append(
                f"Links to the old site's uploads: {len(self.media_old_links)} "
                "(import again with --media-dir to bring the files here)"
            )
            lines.extend(f"  {link}" for link in self.media_old_links[:shown])
        more = max(len(self.media_skipped), len(self.media_old_links)) - shown
        if more > 0:
            lines.append(f"  ... and up to {more} more")
        return lines


def _cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a leading ``=``, ``+``, ``-``,
    ``@``, tab or carriage return (which a spreadsheet reads as a formula)
    gets a ``'`` before it (OWASP, "CSV Injection")."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_report(summary: ImportSummary, out: TextIO) -> None:
    """Write ``summary``'s addresses to ``out`` (a text file opened with
    ``newline=""``) as CSV: a header row of :data:`REPORT_COLUMNS`, then one
    row per article of the file (:class:`AddressRow`), titles guarded
    against spreadsheet formulas (:func:`_cell`). Raises ``OSError`` when
    the file cannot be written."""
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for row in summary.addresses:
        writer.writerow(
            (row.old_address, row.new_address, _cell(row.title), row.status, row.outcome)
        )
