"""Files that come with messages: checked against the size limit and type allow-list,
stored once by content hash, listed on the message.

A file that is refused (too large, a type not allowed) is not stored; the message keeps a
note of it in ``meta["attachments_refused"]`` so the agent knows to ask for it another way.

Files uploaded in the chat (widget and workspace) are checked first by ``check_upload``,
which refuses with a reason the sender sees at once, and re-encodes images so that nothing
but the pixels is kept: no EXIF (GPS position, camera, time), no XMP, no comments.
"""

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.conversations.models import Attachment, Conversation, Message
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import CustomerIdentity
from walletdesk.errors import Invalid
from walletdesk.safety.protect import protect_text

SAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


@dataclass
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes
    trusted: bool = False  # made by the desk itself (an original email): no limits apply
    checked: bool = False  # passed check_upload (images already re-encoded)
    secret_removed: bool = False  # the protect step removed a phrase or key from its text


class AttachmentRefused(Invalid):
    """A chat upload that cannot be stored; ``reason`` says which rule (for the HTTP status)."""

    def __init__(self, message: str, reason: str, /, **values: object) -> None:
        super().__init__(message, **values)
        self.reason = reason  # too_large, type, damaged, empty


# what Pillow reads → the type the re-encoded file is stored as
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif",
               "WEBP": "image/webp"}
# kept when re-encoding: how the picture looks and moves, nothing about who made it where
ORIENTATION = 0x0112  # the EXIF tag
KEEP_INFO = ("icc_profile", "transparency", "duration", "loop", "background")


def blob_path(settings: Settings, sha256: str) -> Path:
    return Path(settings.data_dir) / "blobs" / sha256[:2] / sha256


def save_blob(settings: Settings, data: bytes) -> str:
    """Write bytes once under their SHA-256 (atomic rename); the hash names them."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(settings, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    return digest


def safe_filename(name: str) -> str:
    name = SAFE_NAME.sub("_", os.path.basename(name.replace("\\", "/"))).strip(". ")
    return (name or "attachment")[:200]


def refusal(settings: Settings, item: AttachmentIn) -> str | None:
    """Why a file cannot be stored, or None."""
    if item.trusted:
        return None
    if len(item.data) > settings.attachment_max_bytes:
        return (f"larger than the {settings.attachment_max_bytes // (1024 * 1024)} MB limit "
                f"({len(item.data) / (1024 * 1024):.1f} MB)")
    if item.content_type.lower() not in settings.attachment_types:
        return f"type {item.content_type} is not allowed"
    return None


def protect_text_file(item: AttachmentIn) -> AttachmentIn:
    """A text file goes through the protect step like a message: a recovery phrase or key
    in it is replaced before the file is stored (the original is never written). It is read
    in whatever encoding it was saved in (UTF-16, GBK … : walletdesk.safety.decode); a file
    with a secret is stored as UTF-8 with the secret replaced."""
    from walletdesk.safety.decode import decode_text

    textual = item.content_type.lower().startswith("text/") or \
        item.filename.lower().endswith((".txt", ".csv", ".md", ".json", ".log"))
    if item.trusted or not textual:
        return item
    protected = protect_text(decode_text(item.data))
    if not protected.has_secret:
        return item
    return AttachmentIn(item.filename, item.content_type, protected.text.encode("utf-8"),
                        secret_removed=True)


def prepare_attachments(settings: Settings, items: list[AttachmentIn]
                        ) -> tuple[list[tuple[AttachmentIn, str]], list[dict[str, str]]]:
    """Store the acceptable files (before the transaction: content-addressed, so a retry
    writes nothing new) and list the refused ones."""
    stored, refused = [], []
    for item in items:
        reason = refusal(settings, item)
        if reason is None:
            item = protect_text_file(item)
            stored.append((item, save_blob(settings, item.data)))
        else:
            refused.append({"filename": safe_filename(item.filename), "reason": reason})
    return stored, refused


def attach(session: AsyncSession, message: Message,
           stored: list[tuple[AttachmentIn, str]]) -> list[Attachment]:
    rows = [Attachment(message_id=message.id, filename=safe_filename(item.filename),
                       content_type=item.content_type.lower()[:100], size=len(item.data),
                       sha256=digest) for item, digest in stored]
    session.add_all(rows)
    return rows


def size_text(size: int) -> str:
    return f"{round(size / 1048576, 1):g} MB" if size >= 1048576 else \
        f"{max(1, round(size / 1024))} KB"


def too_large_refusal(settings: Settings) -> AttachmentRefused:
    return AttachmentRefused("the file is larger than the {limit} limit", "too_large",
                             limit=size_text(settings.attachment_max_bytes))


def _short_type(content_type: str) -> str:
    """image/png → PNG, text/plain → TXT: what people call the files they may send."""
    subtype = content_type.split("/")[-1]
    return {"plain": "TXT", "jpeg": "JPEG"}.get(subtype, subtype.upper())


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def check_upload(settings: Settings, item: AttachmentIn) -> AttachmentIn:
    """A chat upload as it will be stored, or AttachmentRefused with a reason for the sender.

    Images are decoded and written again (so a damaged or disguised file is refused, and only
    the pixels survive); the stored type is what the bytes are, not what the browser said."""
    size = len(item.data)
    if size == 0:
        raise AttachmentRefused("the file is empty", "empty")
    if size > settings.attachment_max_bytes:
        raise too_large_refusal(settings)
    declared = _mime(item.content_type)
    allowed = [_mime(t) for t in settings.attachment_types]
    if declared not in allowed:
        raise AttachmentRefused(
            "files of type {type} are not allowed (allowed: {allowed})", "type",
            type=declared or "unknown", allowed=", ".join(_short_type(t) for t in allowed))
    if declared.startswith("image/"):
        data, actual = strip_image_metadata(item.data, settings.attachment_max_pixels)
        if actual not in allowed:
            raise AttachmentRefused("images of type {type} are not allowed", "type",
                                    type=actual)
        name = os.path.splitext(safe_filename(item.filename))[0] or "image"
        extension = {"image/jpeg": ".jpg"}.get(actual, "." + actual.split("/")[1])
        return replace(item, filename=name + extension, content_type=actual, data=data,
                       checked=True)
    if declared == "application/pdf" and not item.data.startswith(b"%PDF-"):
        raise AttachmentRefused("the file is not a PDF document", "damaged")
    return replace(item, content_type=declared, checked=True)


def strip_image_metadata(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """The image drawn again into a fresh file of its own format, upright; (bytes, type)."""
    damaged = AttachmentRefused("the image could not be read: it is damaged or not a PNG, "
                                "JPEG, GIF or WebP picture", "damaged")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.format not in IMAGE_TYPES:
                raise damaged
            if image.width * image.height > max_pixels:
                raise AttachmentRefused("the image is too large ({width}×{height} pixels)",
                                        "too_large", width=image.width, height=image.height)
            content_type = IMAGE_TYPES[image.format]
            info = {key: image.info[key] for key in KEEP_INFO if key in image.info}
            out = io.BytesIO()
            if getattr(image, "n_frames", 1) == 1:
                # a phone photo taken sideways says so in EXIF: turn the pixels instead
                upright = ImageOps.exif_transpose(image) if image.getexif().get(
                    ORIENTATION, 1) != 1 else image
                options = {"quality": 90} if image.format == "JPEG" else {}
                _fresh(upright).save(out, format=image.format,
                                     **_save_info(image.format, info), **options)
            else:
                frames = [_fresh(frame) for frame in ImageSequence.Iterator(image)]
                frames[0].save(out, format=image.format, save_all=True,
                               append_images=frames[1:], **_save_info(image.format, info))
    except AttachmentRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise damaged from None
        raise AttachmentRefused("the image has too many pixels", "too_large") from None
    except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt pixel data
        raise damaged from None
    return out.getvalue(), content_type


def _fresh(frame: Image.Image) -> Image.Image:
    """A new image with the frame's pixels (and palette) only: no info, no EXIF carried."""
    mode = frame.mode if frame.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16") \
        else "RGBA"
    source = frame if frame.mode == mode else frame.convert(mode)
    fresh = Image.frombytes(mode, source.size, source.tobytes())
    if mode == "P":
        palette = source.getpalette()
        if palette is not None:
            fresh.putpalette(palette)
    return fresh


def _save_info(fmt: str, info: dict[str, object]) -> dict[str, object]:
    keep: dict[str, object] = {}
    if "icc_profile" in info and fmt in ("JPEG", "PNG", "WEBP"):
        keep["icc_profile"] = info["icc_profile"]
    if fmt in ("GIF", "PNG") and "transparency" in info:
        keep["transparency"] = info["transparency"]
    if fmt in ("GIF", "WEBP"):
        keep.update({key: info[key] for key in ("duration", "loop") if key in info})
    return keep


async def attachment_for_customer(session: AsyncSession, channel: str, external_id: str,
                                  attachment_id: int) -> Attachment | None:
    """An attachment of one of this customer's public messages (never an internal note's)."""
    return await session.scalar(
        select(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(CustomerIdentity, CustomerIdentity.customer_id == Conversation.customer_id)
        .where(Attachment.id == attachment_id, Message.is_internal.is_(False),
               Conversation.channel == channel, CustomerIdentity.channel == channel,
               CustomerIdentity.external_hash == keyed_hash(external_id))
        .limit(1))
