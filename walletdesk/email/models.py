"""Which email belongs to which conversation: every Message-ID seen or sent."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class EmailMessage(Base):
    __tablename__ = "email_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the RFC 5322 Message-ID, without angle brackets; unique: a mail is stored once
    rfc_message_id: Mapped[str] = mapped_column(String(255), unique=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None)
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    # not used: raw mail is not kept (it could hold a secret the protect step removes)
    raw_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
