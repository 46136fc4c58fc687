"""Uploads have a memory budget: an image whose decoded pixels would take more
than ``EDITOR_UPLOAD_MAX_DECODED_BYTES`` (width × height × 4 bytes, 64 MiB by
default) is refused from its header, before any pixel is decoded, in every
accepted format, with a message, and nothing is written.

Files are real ones made with Pillow: small dimensions against a small budget,
or a tiny image whose header claims large dimensions (so the test would hang
or run out of memory, not pass, if the check came after decoding)."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from advice.editor import DEFAULT_MAX_DECODED_BYTES, UploadRefused, image_reencode
from tests.advice.test_editor import png_with_header_size, stored_files, upload

FORMATS = {
    "PNG": {},
    "JPEG": {"quality": 90},
    "WEBP": {"lossless": True},
    "GIF": {},
}
CONTENT_TYPES = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif"}


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def image_bytes(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new(mode, size, 1 if mode == "P" else (250, 250, 250)).save(
        buffer, format=fmt, **FORMATS[fmt]
    )
    return buffer.getvalue()


def with_header_size(fmt: str, width: int, height: int) -> bytes:
    """A 1×1 image of ``fmt`` whose header claims ``width`` × ``height``."""
    if fmt == "PNG":
        return png_with_header_size(width, height)
    data = bytearray(image_bytes(fmt, (1, 1)))
    if fmt == "JPEG":  # SOF0: marker, length (2), precision (1), height, width
        sof = data.index(b"\xff\xc0")
        struct.pack_into(">HH", data, sof + 5, height, width)
    elif fmt == "GIF":  # logical screen, then the image descriptor after the palette
        struct.pack_into("<HH", data, 6, width, height)
        descriptor = data.index(b",", 13)
        struct.pack_into("<HH", data, descriptor + 5, width, height)
    elif fmt == "WEBP":  # VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1
        vp8l = data.index(b"VP8L") + 8
        assert data[vp8l] == 0x2F
        bits = struct.unpack_from("<I", data, vp8l + 1)[0]
        bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
        struct.pack_into("<I", data, vp8l + 1, bits)
    with Image.open(io.BytesIO(bytes(data))) as probe:  # the header says so
        assert probe.size == (width, height)
    return bytes(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_claiming_too_much_memory_is_refused_before_decoding(fmt):
    # 4,000 × 4,200 = 16.8 megapixels: under the pixel limit (40 M), but
    # 67 MB decoded, over the default 64 MiB budget.
    data = with_header_size(fmt, 4000, 4200)
    assert DEFAULT_MAX_DECODED_BYTES < 4000 * 4200 * 4
    with pytest.raises(UploadRefused) as refused:
        image_reencode(data, max_bytes=5 * 1024 * 1024, max_pixels=40_000_000)
    assert "4000×4200 pixels" in str(refused.value)
    assert "the limit is 64 MB" in str(refused.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_upload_over_the_budget_is_refused_and_nothing_written(
    fmt, settings, staff_client, media_root
):
    settings.EDITOR_UPLOAD_MAX_DECODED_BYTES = 300 * 300 * 4
    name = f"big.{CONTENT_TYPES[fmt]}"
    response = upload(
        staff_client, image_bytes(fmt, (301, 300)), name, f"image/{CONTENT_TYPES[fmt]}"
    )
    assert response.status_code == 400
    assert "301×300 pixels" in response.json()["image"][0]
    assert "memory" in response.json()["image"][0]
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_upload_within_the_budget_is_stored(fmt, settings, staff_client, media_root):
    settings.EDITOR_UPLOAD_MAX_DECODED_BYTES = 300 * 300 * 4
    name = f"fits.{CONTENT_TYPES[fmt]}"
    response = upload(
        staff_client, image_bytes(fmt, (300, 300)), name, f"image/{CONTENT_TYPES[fmt]}"
    )
    assert response.status_code == 200, response.content
    assert len(stored_files(media_root)) == 1


def test_forty_megapixel_lossless_webp_of_a_few_kilobytes_is_refused(staff_client, media_root):
    """The reported case: 8,000 × 5,000 lossless WebP, ~2 KB on disk, 840 MB
    and 2 s to decode. Header-patched from a 1×1 WebP (same header)."""
    data = with_header_size("WEBP", 8000, 5000)
    response = upload(staff_client, data, "bomb.webp", "image/webp")
    assert response.status_code == 400
    assert "8000×5000 pixels" in response.json()["image"][0]
    assert stored_files(media_root) == []
