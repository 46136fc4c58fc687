"""The editor's live preview and image upload, standing at the paths the
django-markdownx widget posts to (``MARKDOWNX_URLS_PATH`` and
``MARKDOWNX_UPLOAD_URLS_PATH``).

markdownx's stock views are not mounted: they check no permission, answer a
missing field with a 500 and trust the client's content type. These answer
only staff who may write articles (everyone else gets 403 and nothing is
written), answer bad requests with 400 and a message, and re-encode every
upload with Pillow so only a real raster image is ever written.

Upload policy, for the editor who asks "why was my file refused?":

* PNG, JPEG, WebP are decoded and written again in the same format; GIF is
  written as PNG (first frame only: animation is not kept).
* At most ``EDITOR_UPLOAD_MAX_BYTES`` bytes (5 MiB) before and after
  re-encoding, at most ``EDITOR_UPLOAD_MAX_PIXELS`` pixels (width × height)
  and at most ``EDITOR_UPLOAD_MAX_DECODED_BYTES`` (64 MiB) of memory once
  decoded (width × height × 4 bytes), both read from the header before any
  pixel is decoded, so a small file cannot expand into gigabytes.
* SVG, HTML or anything else, whatever its name or content type, is refused;
  so are broken, truncated and empty files.
* A file that is a valid image with something appended (a PNG/HTML
  "polyglot") is accepted as the image only: re-encoding writes the pixels and
  nothing else, so the appended bytes, EXIF (GPS position, camera) and text
  chunks are never stored. EXIF orientation is applied to the pixels first.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from PIL import Image, ImageOps, UnidentifiedImageError

from advice.markdown import nesting_problem, render_markdown
from advice.models import ARTICLE_ANSWER_MAX_CHARS
from notes.markers import marker_placeholders, marker_slugs
from notes.models import NoteTemplate

# Decoded format -> (format to write, file extension). GIF is re-encoded as
# PNG (its first frame): animation is not kept.
OUTPUT_FORMATS = {
    "PNG": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("PNG", "png"),
}
# Pillow only tries these decoders, so no other format (EPS, PSD, ...) is
# ever parsed, whatever the file says it is.
ACCEPTED_FORMATS = tuple(OUTPUT_FORMATS)
NOT_AN_IMAGE = "This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF image."
SAVE_OPTIONS = {"JPEG": {"quality": 85}, "WEBP": {"quality": 85}, "PNG": {"optimize": True}}


class UploadRefused(ValueError):
    """An upload that is not an acceptable image; ``str()`` says why, for the editor."""


@dataclass(frozen=True)
class ReencodedImage:
    """A safe image: ``data`` (bytes) in ``extension``'s format (``"png"``,
    ``"jpg"`` or ``"webp"``), ``width`` × ``height`` pixels."""

    data: bytes
    extension: str
    width: int
    height: int


def _pixel_message(width: int | None, height: int | None, max_pixels: int) -> str:
    size = f"{width}×{height} pixels" if width and height else "too large"
    return f"The image is {size}; the limit is {max_pixels:,} pixels. Scale it down and retry."


# A file that is an image and also a page or script (a "polyglot") is
# refused, not cleaned: whoever made it meant harm, and the editor should know.
POLYGLOT = (
    "This file is an image with a web page or script hidden in it, so it was refused. "
    "Export the picture again from an image editor and upload that."
)
_MARKUP = re.compile(rb"<(?:script|html|body|svg|iframe|object|embed|\?php)\b", re.IGNORECASE)
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk's type and CRC end every PNG


# Memory budget for one decoded upload. Pillow keeps RGB, RGBA, CMYK, I and F
# pixels in 4 bytes each (L and P in 1, but those become RGB(A) on the way
# out), so 4 bytes per pixel is the conservative cost of the decoded image.
DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024
DECODED_BYTES_PER_PIXEL = 4


def _decoded_message(width: int, height: int, max_decoded_bytes: int) -> str:
    needed = width * height * DECODED_BYTES_PER_PIXEL
    return (
        f"The image is {width}×{height} pixels and would take {needed / 2**20:,.0f} MB of "
        f"memory to read; the limit is {max_decoded_bytes / 2**20:,.0f} MB. "
        "Scale it down and retry."
    )


def image_reencode(
    data: bytes, *, max_bytes: int, max_pixels: int, max_decoded_bytes: int | None = None
) -> ReencodedImage:
    """Decode ``data`` (bytes) with Pillow and encode it again.

    Accepts PNG, JPEG, WebP and GIF (GIF becomes PNG). Raises
    :class:`UploadRefused` when ``data`` is empty, is larger than
    ``max_bytes`` bytes (before or after re-encoding), is not one of those
    formats (SVG, HTML, anything renamed), carries markup (an image that is
    also a page: ``<script``, ``<html``… anywhere, or bytes after a PNG's
    end), is broken or truncated, or has
    more than ``max_pixels`` pixels or would take more than
    ``max_decoded_bytes`` bytes of memory once decoded (width × height × 4;
    default ``EDITOR_UPLOAD_MAX_DECODED_BYTES``, 64 MiB) — decompression
    bombs, such as a 40-megapixel lossless WebP of a few kilobytes: both are
    checked from the header, before any pixel is decoded. Re-encoding drops anything appended
    to or hidden in the file (polyglots, EXIF, text chunks).
    """
    if max_decoded_bytes is None:
        max_decoded_bytes = max_decoded_bytes_setting()
    if not data:
        raise UploadRefused("The file is empty.")
    if len(data) > max_bytes:
        raise UploadRefused(f"The image is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise UploadRefused(_pixel_message(width, height, max_pixels))
            if width * height * DECODED_BYTES_PER_PIXEL > max_decoded_bytes:
                raise UploadRefused(_decoded_message(width, height, max_decoded_bytes))
            probe.load()  # decodes the first frame only
            image = ImageOps.exif_transpose(probe)
    except UploadRefused:
        raise
    except Image.DecompressionBombError:  # Pillow's own, larger, limit
        raise UploadRefused(_pixel_message(None, None, max_pixels)) from None
    except UnidentifiedImageError:
        raise UploadRefused(NOT_AN_IMAGE) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UploadRefused("The image is broken or truncated and cannot be read.") from None

    if _MARKUP.search(data) or (fmt == "PNG" and not data.endswith(_PNG_END)):
        raise UploadRefused(POLYGLOT)
    out_format, extension = OUTPUT_FORMATS[fmt]
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if out_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.info.clear()  # nothing of the original travels but the pixels
    buffer = io.BytesIO()
    image.save(buffer, format=out_format, **SAVE_OPTIONS[out_format])
    encoded = buffer.getvalue()
    if len(encoded) > max_bytes:
        raise UploadRefused(
            f"The image is {len(encoded):,} bytes once converted; the limit is {max_bytes:,} bytes."
        )
    return ReencodedImage(encoded, extension, image.width, image.height)


def max_decoded_bytes_setting() -> int:
    """``EDITOR_UPLOAD_MAX_DECODED_BYTES`` (bytes), 64 MiB when not set."""
    return getattr(settings, "EDITOR_UPLOAD_MAX_DECODED_BYTES", DEFAULT_MAX_DECODED_BYTES)


def can_use_editor(user) -> bool:
    """True for active staff who may add or change articles: the people the
    Markdown editor is for."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.has_perm("advice.add_article") or user.has_perm("advice.change_article"))
    )


def editor_required(view):
    """Answer 403 (plain text) to anyone :func:`can_use_editor` refuses,
    before the view runs: an XHR endpoint has no use for a login redirect."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_editor(request.user):
            return HttpResponse(
                "Only editors may use the editor.", status=403, content_type="text/plain"
            )
        return view(request, *args, **kwargs)

    return wrapped


@editor_required
@require_POST
def markdownify(request):
    """Live preview: POST ``content`` (Markdown) → ``text/html`` fragment,
    what :func:`~advice.markdown.render_markdown` stores on save, with each
    note marker shown as a card naming its note template
    (:func:`preview_html`). 400 when ``content`` is missing; 405 for other
    methods."""
    if "content" not in request.POST:
        return HttpResponse("No content to preview.", status=400, content_type="text/plain")
    content = request.POST["content"]
    problem = preview_problem(content)
    if problem:  # shown above the (flattened or shortened) preview; saving refuses it
        notice = format_html('<p class="markdownx-problem"><strong>{}</strong></p>', problem)
        return HttpResponse(notice + preview_html(content[:PREVIEW_MAX_CHARS]))
    return HttpResponse(preview_html(content))


def preview_html(content: str) -> str:
    """``content`` (Markdown) rendered as on save, with every note marker
    paragraph replaced by a placeholder card naming the note template (or
    saying none has that slug: :func:`notes.markers.marker_placeholders`).
    One query when there is a marker, none otherwise."""
    html = render_markdown(content)
    slugs = marker_slugs(html)
    if not slugs:
        return html
    return marker_placeholders(html, NoteTemplate.objects.titles(slugs))


# The preview renders at most this much (the longest field, the answer):
# longer text is previewed up to the limit, below a message saying so.
PREVIEW_MAX_CHARS = ARTICLE_ANSWER_MAX_CHARS


def preview_problem(content: str) -> str | None:
    """What saving ``content`` (Markdown) would refuse, said for the editor
    (too long, nested too deep), or ``None``."""
    if len(content) > PREVIEW_MAX_CHARS:
        return (
            f"This text is {len(content):,} characters long; the limit is "
            f"{PREVIEW_MAX_CHARS:,}. Only the beginning is previewed, and saving will refuse it."
        )
    problem = nesting_problem(content)
    if problem:
        return f"{problem} The preview shows the deepest levels as plain text."
    return None


@editor_required
@require_POST
def upload(request):
    """Image upload: POST ``image`` (a file) → ``{"image_code": "![](url)"}``
    as markdownx expects, or 400 with ``{"image": [message]}``. The file is
    written to ``default_storage`` under ``uploads/YYYY/MM/`` only when
    :func:`image_reencode` accepts it."""
    uploaded = request.FILES.get("image")
    if uploaded is None:
        return JsonResponse({"image": ["No image was sent."]}, status=400)
    max_bytes = settings.EDITOR_UPLOAD_MAX_BYTES
    if uploaded.size > max_bytes:
        return JsonResponse(
            {"image": [f"The image is {uploaded.size:,} bytes; the limit is {max_bytes:,} bytes."]},
            status=400,
        )
    try:
        image = image_reencode(
            uploaded.read(), max_bytes=max_bytes, max_pixels=settings.EDITOR_UPLOAD_MAX_PIXELS
        )
    except UploadRefused as refusal:
        return JsonResponse({"image": [str(refusal)]}, status=400)
    name = f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{image.extension}"
    try:
        saved = default_storage.save(name, ContentFile(image.data))
    except OSError:  # media folder not writable, disk full: say so, keep nothing
        logging.getLogger(__name__).exception("Could not store the uploaded image %s", name)
        _delete_quietly(name)  # a partly written file
        return JsonResponse({"image": [MSG_NOT_STORED]}, status=503)
    return JsonResponse({"image_code": f"![]({default_storage.url(saved)})"})


MSG_NOT_STORED = (
    "The image could not be stored just now (the media folder is not writable or is full), "
    "so nothing was saved. Your text is unchanged; try the upload again later."
)


def _delete_quietly(name: str) -> None:
    """Delete ``name`` from the storage if it is there; a storage that
    cannot even be asked is left as it is."""
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except OSError:
        pass
