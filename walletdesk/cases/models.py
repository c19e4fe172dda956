"""Satisfaction surveys (CSAT): one per resolved conversation, and periodic ones."""

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Survey(Base):
    __tablename__ = "surveys"
    # the comments of a period in their order, a page at a time (walletdesk.reports.comments)
    __table_args__ = (Index("ix_surveys_comments", "rating", "answered_at", "id",
                            postgresql_where=text("rating IS NOT NULL AND comment <> ''"),
                            sqlite_where=text("rating IS NOT NULL AND comment <> ''")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a periodic survey (walletdesk.outreach): about the service, not one conversation
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    # "conversation" (asked when it was resolved) or "periodic" (a sample, walletdesk.outreach)
    source: Mapped[str] = mapped_column(String(20), default="conversation",
                                        server_default="conversation")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    # who is rated: the agent and team that resolved it (None for the bot)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"),
                                                 default=None, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"),
                                                default=None)
    channel: Mapped[str] = mapped_column(String(20))
    rating: Mapped[int | None] = mapped_column(Integer, default=None)  # 1–5
    comment: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer, default=0)  # credited for answering
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class SlaPolicy(Base):
    """Service-level targets: the first reply and the resolution due within so much working
    time of the team. The most specific active policy matching a conversation applies
    (category and channel beat "any"; a policy without priority matches every priority)."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    priority: Mapped[int | None] = mapped_column(Integer, default=None)  # None = any
    channel: Mapped[str | None] = mapped_column(String(20), default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    first_response_s: Mapped[int] = mapped_column(Integer)
    resolution_s: Mapped[int] = mapped_column(Integer)
    # warn the assignee and supervisors when this share of the time is used up
    warn_at_ratio: Mapped[float] = mapped_column(Float, default=0.8)
    # on a breach: raise the priority by one, and/or hand the conversation to this team
    escalate_priority: Mapped[bool] = mapped_column(Boolean, default=True)
    escalate_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
