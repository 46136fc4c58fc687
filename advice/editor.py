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
  so a small file cannot expand into gigabytes when decoded.
* SVG, HTML or anything else, whatever its name or content type, is refused;
  so are broken, truncated and empty files.
* A file that is a valid image with something appended (a PNG/HTML
  "polyglot") is accepted as the image only: re-encoding writes the pixels and
  nothing else, so the appended bytes, EXIF (GPS position, camera) and text
  chunks are never stored. EXIF orientation is applied to the pixels first.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from PIL import Image, ImageOps, UnidentifiedImageError

from advice.markdown import render_markdown

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


def image_reencode(data: bytes, *, max_bytes: int, max_pixels: int) -> ReencodedImage:
    """Decode ``data`` (bytes) with Pillow and encode it again.

    Accepts PNG, JPEG, WebP and GIF (GIF becomes PNG). Raises
    :class:`UploadRefused` when ``data`` is empty, is larger than
    ``max_bytes`` bytes (before or after re-encoding), is not one of those
    formats (SVG, HTML, anything renamed), carries markup (an image that is
    also a page: ``<script``, ``<html``… anywhere, or bytes after a PNG's
    end), is broken or truncated, or has
    more than ``max_pixels`` pixels (decompression bombs: checked from the
    header, before any pixel is decoded). Re-encoding drops anything appended
    to or hidden in the file (polyglots, EXIF, text chunks).
    """
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
    exactly what :func:`~advice.markdown.render_markdown` stores on save.
    400 when ``content`` is missing; 405 for other methods."""
    if "content" not in request.POST:
        return HttpResponse("No content to preview.", status=400, content_type="text/plain")
    return HttpResponse(render_markdown(request.POST["content"]))


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
    saved = default_storage.save(name, ContentFile(image.data))
    return JsonResponse({"image_code": f"![]({default_storage.url(saved)})"})
