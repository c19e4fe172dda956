"""The operator's official channels, registered by admins."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class OfficialChannel(Base):
    __tablename__ = "official_channels"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain, email, phone, telegram, x, …
    value: Mapped[str] = mapped_column(String(300))  # as registered (normalised on compare)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
