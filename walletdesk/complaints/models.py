"""Complaints and the history of their stages."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Complaint(Base):
    """A customer's complaint about a conversation's matter; see walletdesk.complaints.actions
    for the stages. At most one open complaint (``closed_at`` empty) per conversation."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_open_per_conversation", "conversation_id", unique=True,
              sqlite_where=text("closed_at IS NULL"),
              postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    stage: Mapped[str] = mapped_column(String(30), default="received", index=True)
    category: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    owner_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    # the proposed resolution: refund / compensation (with amount and asset) / explanation
    resolution_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 8), default=None)
    asset: Mapped[str | None] = mapped_column(String(20), default=None)  # "USDT", "BTC" …
    proposed_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    approved_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    close_reason: Mapped[str | None] = mapped_column(Text, default=None)  # closed early: why

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ComplaintEvent(Base):
    """One stage change: the complaint entered ``stage`` at ``at``. The time spent in a stage
    is the time to the complaint's next event (walletdesk.complaints.queries)."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    actor_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
