"""The device and app context the widget reported for a conversation."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.crypto import EncryptedText
from walletdesk.db.base import Base, utcnow


class DeviceContext(Base):
    """The fields the operator allows (settings.device_context_fields), as the customer's
    widget last reported them in this conversation. Validated and size-limited before they
    are stored (walletdesk.customer_context.device); the wallet addresses the customer chose
    to share are personal data: encrypted, masked for outsourced agents, exported, erased."""

    __tablename__ = "conversation_device_contexts"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    app_version: Mapped[str | None] = mapped_column(String(80), default=None)
    os: Mapped[str | None] = mapped_column(String(80), default=None)
    platform: Mapped[str | None] = mapped_column(String(80), default=None)
    language: Mapped[str | None] = mapped_column(String(35), default=None)
    # one "chain:address" a line (the chain may be empty)
    wallet_addresses: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
