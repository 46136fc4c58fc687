"""The editor's preview and upload endpoints (the paths the markdownx widget
posts to): who may use them, what they accept, and that a refusal writes
nothing to MEDIA_ROOT."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from advice.editor import image_reencode
from advice.markdown import render_markdown

PREVIEW = settings.MARKDOWNX_URLS_PATH
UPLOAD = settings.MARKDOWNX_UPLOAD_URLS_PATH


# --- Images made with Pillow ------------------------------------------------


def image_bytes(fmt: str, size=(40, 30), mode="RGB", color=(200, 40, 90), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_with_header_size(width: int, height: int) -> bytes:
    """A tiny 1×1 PNG whose IHDR claims ``width`` × ``height`` (CRC fixed)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    # Signature (8) + length (4) + b"IHDR" (4), then width and height.
    struct.pack_into(">II", data, 16, width, height)
    crc = zlib.crc32(bytes(data[12:29]))
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


def noise_png(n_bytes: int) -> bytes:
    """A PNG of random pixels (incompressible) of about ``n_bytes`` bytes."""
    side = int((n_bytes / 3) ** 0.5) + 1
    return image_bytes_from(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)))


def image_bytes_from(image: Image.Image, fmt="PNG", **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script type="text/javascript">alert(document.domain)</script>'
    b'<rect width="10" height="10" fill="red"/></svg>'
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# --- Fixtures ---------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def reader_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="pw-reader-123")
    client.force_login(user)
    return client


@pytest.fixture
def moderator_client(client, django_user_model):
    """Staff, but may not write articles (only moderate comments)."""
    user = django_user_model.objects.create_user(
        username="moderator", password="pw-moderator-123", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="change_comment"))
    client.force_login(user)
    return client


@pytest.fixture
def article_editor_client(client, django_user_model):
    """Staff with only the article permissions (not a superuser)."""
    user = django_user_model.objects.create_user(
        username="columnist", password="pw-columnist-123", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    return client


def upload(client, data: bytes, name="picture.png", content_type="image/png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, content_type)})


# --- The widget's paths are ours ---------------------------------------------


def test_widget_paths_are_answered_by_our_views():
    assert reverse("markdownx_markdownify") == PREVIEW
    assert reverse("markdownx_upload") == UPLOAD


# --- Who may use the editor -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["client", "reader_client", "moderator_client"])
def test_preview_refused_to_anyone_but_editors(request, fixture):
    response = request.getfixturevalue(fixture).post(PREVIEW, {"content": "*hi*"})
    assert response.status_code == 403
    assert b"<em>" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["client", "reader_client", "moderator_client"])
def test_upload_refused_to_anyone_but_editors_and_writes_nothing(request, fixture, media_root):
    response = upload(request.getfixturevalue(fixture), image_bytes("PNG"))
    assert response.status_code == 403
    assert stored_files(media_root) == []


def test_staff_with_article_permission_may_preview(article_editor_client):
    response = article_editor_client.post(PREVIEW, {"content": "*hi*"})
    assert response.status_code == 200
    assert response.content == b"<p><em>hi</em></p>"


@pytest.mark.parametrize("path", [PREVIEW, UPLOAD])
def test_get_is_not_allowed(staff_client, path):
    assert staff_client.get(path).status_code == 405


# --- Preview -----------------------------------------------------------------------


def test_preview_without_content_is_a_bad_request(staff_client):
    response = staff_client.post(PREVIEW, {"text": "*hi*"})
    assert response.status_code == 400
    assert b"No content" in response.content


def test_preview_of_empty_content_is_empty(staff_client):
    response = staff_client.post(PREVIEW, {"content": ""})
    assert response.status_code == 200
    assert response.content == b""


def test_preview_shows_what_saving_stores(staff_client, make_article):
    answer = (
        "Send it **the same day**.\n\n> Dear Ms. Lee,\n>\n> Thank you.\n\n"
        "[More](https://other.example/) <img src=x onerror=alert(1)> <script>alert(1)</script>"
    )
    article = make_article(answer=answer)
    response = staff_client.post(PREVIEW, {"content": answer})
    assert response.status_code == 200
    assert response.content.decode() == article.answer_html == render_markdown(answer)
    assert "onerror" not in article.answer_html
    assert "<script" not in article.answer_html


def test_preview_through_the_admin_needs_the_csrf_token(django_user_model):
    user = django_user_model.objects.create_superuser("chief", "chief@example.com", "pw-ch-123")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    refused = browser.post(PREVIEW, {"content": "*hi*"})
    assert refused.status_code == 403

    page = browser.get(reverse("admin:advice_article_add"))
    token = page.context["csrf_token"]
    # markdownx's script sends the token as the csrfmiddlewaretoken field.
    accepted = browser.post(PREVIEW, {"content": "*hi*", "csrfmiddlewaretoken": str(token)})
    assert accepted.status_code == 200
    assert accepted.content == b"<p><em>hi</em></p>"


# --- Upload: accepted images ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "content_type", "stored_format", "extension"),
    [
        ("PNG", "a.png", "image/png", "PNG", ".png"),
        ("JPEG", "a.jpg", "image/jpeg", "JPEG", ".jpg"),
        ("WEBP", "a.webp", "image/webp", "WEBP", ".webp"),
        ("GIF", "a.gif", "image/gif", "PNG", ".png"),
    ],
)
def test_image_is_stored_re_encoded(
    staff_client, media_root, fmt, name, content_type, stored_format, extension
):
    response = upload(staff_client, image_bytes(fmt), name, content_type)
    assert response.status_code == 200, response.content
    code = response.json()["image_code"]
    assert code.startswith(f"![]({settings.MEDIA_URL}uploads/")
    files = stored_files(media_root)
    assert len(files) == 1
    assert files[0].suffix == extension
    assert code == f"![]({settings.MEDIA_URL}{files[0].relative_to(media_root).as_posix()})"
    with Image.open(files[0]) as stored:
        assert stored.format == stored_format
        assert stored.size == (40, 30)


def test_gif_transparency_survives_as_png(staff_client, media_root):
    frame = Image.new("P", (8, 8), 0)
    frame.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    frame.putpixel((0, 0), 1)
    response = upload(staff_client, image_bytes_from(frame, "GIF", transparency=0), "a.gif")
    assert response.status_code == 200
    with Image.open(stored_files(media_root)[0]) as stored:
        assert stored.mode == "RGBA"
        assert stored.getpixel((1, 1))[3] == 0
        assert stored.getpixel((0, 0)) == (255, 0, 0, 255)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One well-formed PNG chunk: length, type, data, CRC (PNG spec, 5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize(
    "build",
    [
        lambda png: png + HTML_PAGE,
        lambda png: png + b"\x00\x00trailing bytes",
        lambda png: (
            png[:33] + png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>") + png[33:]
        ),
    ],
    ids=["html-appended", "bytes-after-iend", "script-in-text-chunk"],
)
def test_png_polyglot_is_refused_and_nothing_written(staff_client, media_root, build):
    original = image_bytes("PNG", color=(10, 120, 250))
    response = upload(staff_client, build(original), "polyglot.png")
    assert response.status_code == 400
    assert "hidden in it" in response.json()["image"][0]
    assert stored_files(media_root) == []


def test_exif_is_dropped_and_orientation_applied(staff_client, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Camera maker with GPS"
    data = image_bytes("JPEG", size=(40, 30), exif=exif.tobytes())
    response = upload(staff_client, data, "photo.jpg", "image/jpeg")
    assert response.status_code == 200
    (stored_path,) = stored_files(media_root)
    with Image.open(stored_path) as stored:
        assert stored.size == (30, 40)
        assert not stored.getexif()
    assert b"Camera maker" not in stored_path.read_bytes()


# --- Upload: refused, nothing written -------------------------------------------------------


def truncated_jpeg() -> bytes:
    data = image_bytes_from(
        Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3)), "JPEG", quality=95
    )
    return data[: len(data) // 2]


def decompression_bomb() -> bytes:
    # 8,000 × 8,000 = 64 million pixels (over our 40 million limit, under
    # Pillow's own warning level) of white compress to about 23 KB.
    return image_bytes_from(Image.new("1", (8_000, 8_000), 1))


REFUSALS = {
    "svg-with-script": (lambda: SVG_WITH_SCRIPT, "x.svg", "image/svg+xml", "not an image"),
    "svg-renamed-png": (lambda: SVG_WITH_SCRIPT, "x.png", "image/png", "not an image"),
    "html-renamed-png": (lambda: HTML_PAGE, "page.png", "image/png", "not an image"),
    "html-sent-as-gif": (lambda: HTML_PAGE, "page.gif", "image/gif", "not an image"),
    "png-claiming-huge-size": (
        lambda: png_with_header_size(100_000, 100_000),
        "x.png",
        "image/png",
        "pixels",
    ),
    "decompression-bomb": (decompression_bomb, "bomb.png", "image/png", "pixels"),
    "six-megabytes": (lambda: noise_png(6 * 1024 * 1024), "big.png", "image/png", "limit is"),
    "truncated-jpeg": (truncated_jpeg, "cut.jpg", "image/jpeg", "broken or truncated"),
    "empty-file": (lambda: b"", "empty.png", "image/png", "empty"),
    "bmp-not-accepted": (lambda: image_bytes("BMP"), "x.bmp", "image/bmp", "not an image"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_upload_is_refused_with_a_message_and_nothing_written(staff_client, media_root, case):
    make, name, content_type, words = REFUSALS[case]
    response = upload(staff_client, make(), name, content_type)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    messages = response.json()["image"]
    assert len(messages) == 1
    assert words in messages[0].lower() or words in messages[0]
    assert stored_files(media_root) == []


def test_upload_without_a_file_is_a_bad_request(staff_client, media_root):
    response = staff_client.post(UPLOAD, {"note": "no file"})
    assert response.status_code == 400
    assert response.json() == {"image": ["No image was sent."]}
    assert stored_files(media_root) == []


def test_six_megabyte_image_is_refused_before_decoding():
    data = noise_png(6 * 1024 * 1024)
    assert len(data) > 6 * 1000 * 1000
    with pytest.raises(ValueError, match="limit is 5,242,880 bytes"):
        image_reencode(data, max_bytes=5 * 1024 * 1024, max_pixels=40_000_000)
