"""The editor's live preview and image upload, standing at the paths the
django-markdownx widget posts to.

markdownx's stock views are not mounted: they check no permission, answer a
missing field with a 500 and trust the client's content type. These are
staff-only, answer bad requests with 400 and a message, and re-encode every
upload with Pillow so only a real raster image is ever written.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from advice.markdown import render_markdown

# Decoded format -> (format to write, file extension, content type). GIF is
# re-encoded as PNG (its first frame): animation is not kept.
OUTPUT_FORMATS = {
    "PNG": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("PNG", "png"),
}


class UploadRefused(ValueError):
    """An upload that is not an acceptable image; ``str()`` says why, for the editor."""


@dataclass(frozen=True)
class ReencodedImage:
    """A safe image: ``data`` (bytes) in ``extension``'s format."""

    data: bytes
    extension: str


def image_reencode(data: bytes, *, max_bytes: int, max_pixels: int) -> ReencodedImage:
    """Decode ``data`` (bytes) with Pillow and encode it again.

    Accepts PNG, JPEG, WebP and GIF (GIF becomes PNG). Raises
    :class:`UploadRefused` when ``data`` is larger than ``max_bytes`` bytes,
    is not one of those formats (SVG, HTML, anything renamed), is broken or
    truncated, or has more than ``max_pixels`` pixels (decompression bombs).
    Re-encoding drops anything appended to or hidden in the file (polyglots,
    metadata).
    """
    if not data:
        raise UploadRefused("The file is empty.")
    if len(data) > max_bytes:
        raise UploadRefused(f"The image is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in OUTPUT_FORMATS:
                raise UploadRefused("Only PNG, JPEG, WebP and GIF images can be uploaded.")
            if width * height > max_pixels:
                raise UploadRefused(
                    f"The image is {width}×{height} pixels; the limit is {max_pixels:,} pixels."
                )
            probe.load()
            image = probe.copy()
    except UploadRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise UploadRefused(
            "This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF."
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise UploadRefused("The image is broken or truncated and cannot be read.") from None

    out_format, extension = OUTPUT_FORMATS[fmt]
    if out_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if out_format == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format=out_format)
    encoded = buffer.getvalue()
    if len(encoded) > max_bytes:
        raise UploadRefused(
            f"The image is {len(encoded):,} bytes once converted; the limit is {max_bytes:,}."
        )
    return ReencodedImage(encoded, extension)


@staff_member_required
@require_POST
def markdownify(request):
    """Live preview: POST ``content`` (Markdown) → sanitised HTML, the same
    render as on save. 400 when ``content`` is missing."""
    if "content" not in request.POST:
        return HttpResponse("No content to preview.", status=400, content_type="text/plain")
    return HttpResponse(render_markdown(request.POST["content"]))


@staff_member_required
@require_POST
def upload(request):
    """Image upload: POST ``image`` (a file) → ``{"image_code": "![](url)"}``
    as markdownx expects, or 400 with ``{"image": [message]}``."""
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
