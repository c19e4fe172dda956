"""Files that come with messages: checked against the size limit and type allow-list,
stored once by content hash, listed on the message.

A file that is refused (too large, a type not allowed) is not stored; the message keeps a
note of it in ``meta["attachments_refused"]`` so the agent knows to ask for it another way.
"""

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.conversations.models import Attachment, Message
from walletdesk.safety.protect import protect_text

SAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


@dataclass
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes
    trusted: bool = False  # made by the desk itself (an original email): no limits apply


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
    in it is replaced before the file is stored (the original is never written)."""
    if item.trusted or not item.content_type.lower().startswith("text/"):
        return item
    text = item.data.decode("utf-8", errors="replace")
    protected = protect_text(text)
    if not protected.has_secret:
        return item
    return AttachmentIn(item.filename, item.content_type, protected.text.encode("utf-8"))


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
