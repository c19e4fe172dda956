"""check_upload: what a chat picture keeps (its pixels, upright, its frames) and loses (every
kind of metadata), and what it refuses."""

import io

import pytest
from PIL import Image, PngImagePlugin

from tests.conftest import make_settings
from walletdesk.conversations.attachments import AttachmentIn, AttachmentRefused, check_upload

SETTINGS = make_settings("sqlite+aiosqlite:///unused.db")


def _open(item: AttachmentIn) -> Image.Image:
    return Image.open(io.BytesIO(item.data))


def test_a_sideways_phone_photo_is_stored_upright_without_its_orientation_tag():
    image = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    clean = check_upload(SETTINGS, AttachmentIn("photo.jpeg", "image/jpeg", out.getvalue()))
    with _open(clean) as stored:
        assert stored.size == (48, 64) and len(stored.getexif()) == 0
    assert clean.filename == "photo.jpg" and clean.checked


def test_png_text_chunks_go_and_the_real_type_wins_over_the_claimed_one():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice Chan, 12 Harbour Road")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 22.27N</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 128, 0, 128)).save(out, format="PNG", pnginfo=info)
    clean = check_upload(SETTINGS, AttachmentIn("shot.jpg", "image/jpeg", out.getvalue()))
    assert clean.content_type == "image/png" and clean.filename == "shot.png"
    assert b"Harbour" not in clean.data and b"xmpmeta" not in clean.data
    with _open(clean) as stored:
        assert stored.mode == "RGBA" and stored.getpixel((1, 1)) == (0, 128, 0, 128)
        assert "Author" not in stored.info


def test_an_animated_gif_keeps_its_frames_and_timing_but_not_its_comment():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=120,
                   loop=0, comment=b"made by alice@example.com")
    clean = check_upload(SETTINGS, AttachmentIn("spin.gif", "image/gif", out.getvalue()))
    assert b"alice@example.com" not in clean.data
    with _open(clean) as stored:
        assert getattr(stored, "n_frames", 1) == 3 and stored.info.get("duration") == 120


@pytest.mark.parametrize(("name", "kind", "data", "reason"), [
    ("huge.png", "image/png", None, "too_large"),
    ("x.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", "damaged"),
    ("page.html", "text/html", b"<html>", "type"),
])
def test_refusals_say_which_rule(name: str, kind: str, data: bytes | None, reason: str):
    if data is None:  # 9000 × 5000 = 45 Mpx, over the 40 Mpx default, yet a tiny file
        out = io.BytesIO()
        Image.new("1", (9000, 5000)).save(out, format="PNG")
        data = out.getvalue()
    with pytest.raises(AttachmentRefused) as refused:
        check_upload(SETTINGS, AttachmentIn(name, kind, data))
    assert refused.value.reason == reason
