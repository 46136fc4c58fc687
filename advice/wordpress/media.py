"""Images of imported articles: links to the old site's uploads, brought
here with ``import_wxr --media-dir DIR`` (docs/architecture.md,
``wordpress/``).

A link is any ``<base_site_url>/wp-content/uploads/<path>`` in an article's
question or answer Markdown (``<img src>``, ``![](...)``, ``<a href>``; http
and https alike). With a media folder (a copy of the old site's
``wp-content/uploads/``), ``DIR/<path>`` goes through the editor's upload
checks (:func:`advice.editor.image_reencode`: a real PNG, JPEG, WebP or GIF,
within ``EDITOR_UPLOAD_MAX_BYTES`` and ``EDITOR_UPLOAD_MAX_PIXELS``,
re-encoded so nothing but the pixels is kept) and is stored in
``default_storage`` under ``uploads/wordpress/<path>`` (extension of the
re-encoded format); the link is rewritten to its ``MEDIA_URL`` address. The
name follows the old path, so importing again stores nothing new and
rewrites to the same address. A file that is missing, outside the folder or
refused keeps its old link and is listed with the reason. Without a media
folder every link keeps pointing at the old site and is listed.

Lives apart from :mod:`advice.wordpress.importer` (which may not import the
editor's web module): ``manage.py import_wxr`` hands a :class:`MediaLinks`
to :func:`advice.wordpress.importer.wxr_import`.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from advice.editor import UploadRefused, image_reencode
from advice.wordpress.summary import ImportSummary

STORED_UNDER = "uploads/wordpress"


class MediaLinks:
    """Callable ``(markdown, base_site_url, summary) -> markdown`` that lists
    the old site's upload links in ``summary`` and, with ``media_dir`` (a
    path or ``None``), imports the files and rewrites the links."""

    def __init__(self, media_dir: str | Path | None = None):
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.done: dict[str, str | None] = {}  # upload path -> new URL, None: refused

    def __call__(self, markdown: str, base_site_url: str, summary: ImportSummary) -> str:
        host = re.sub(r"^https?://", "", base_site_url.strip().rstrip("/"))
        if not host:
            return markdown
        pattern = re.compile(
            rf"https?://{re.escape(host)}/wp-content/uploads/([^\s\"'<>()\[\]]+)", re.IGNORECASE
        )

        def replace(match: re.Match) -> str:
            link, path = match.group(0), unquote(match.group(1))
            if self.media_dir is None:
                summary.media_old_links.append(link)
                return link
            url = self.import_file(path, summary)
            return url or link

        return pattern.sub(replace, markdown)

    def import_file(self, path: str, summary: ImportSummary) -> str | None:
        """The ``MEDIA_URL`` address of upload ``path`` once stored, or None
        (listed in ``summary.media_skipped``) when it cannot be."""
        if path in self.done:
            return self.done[path]
        self.done[path] = url = self._store(path, summary)
        return url

    def _store(self, path: str, summary: ImportSummary) -> str | None:
        relative = PurePosixPath(path)
        source = (self.media_dir / relative).resolve()
        if not relative.name or ".." in relative.parts or not source.is_relative_to(self.media_dir):
            summary.media_skipped.append((path, "outside the media folder"))
            return None
        if not source.is_file():
            summary.media_skipped.append((path, "not in the media folder"))
            return None
        try:
            with source.open("rb") as stream:
                data = stream.read(settings.EDITOR_UPLOAD_MAX_BYTES + 1)
            image = image_reencode(
                data,
                max_bytes=settings.EDITOR_UPLOAD_MAX_BYTES,
                max_pixels=settings.EDITOR_UPLOAD_MAX_PIXELS,
            )
        except UploadRefused as refusal:
            summary.media_skipped.append((path, str(refusal)))
            return None
        except OSError as error:
            summary.media_skipped.append((path, f"cannot be read ({error.strerror})"))
            return None
        name = f"{STORED_UNDER}/{relative.with_suffix('.' + image.extension)}"
        try:
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(image.data))
        except OSError as error:  # media folder not writable, disk full
            summary.media_skipped.append((path, f"cannot be stored ({error.strerror})"))
            return None
        summary.media_stored += 1
        return default_storage.url(name)
