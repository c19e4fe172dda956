"""The history the reports need and no other table keeps: every presence change of an agent
(the agents' row holds only the current presence)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class PresenceChange(Base):
    """The agent's presence became ``presence`` at ``changed_at`` (until their next change).
    Written by an after-commit listener of the ``presence`` event
    (walletdesk.reports.presence.record_presence_change); one row per change even with
    several server processes (the unique pair)."""

    __tablename__ = "presence_changes"
    __table_args__ = (
        UniqueConstraint("agent_id", "changed_at"),
        Index("ix_presence_changes_changed_at", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    presence: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
