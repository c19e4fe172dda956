"""The reports' rollup: one row of facts per conversation, kept by the worker
(walletdesk.reports.rollups), so a report reads one narrow row per conversation instead of
its messages, bot turns and survey (docs/reports.md, "How it is computed")."""

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base


class ConversationFacts(Base):
    """What the reports need of a conversation, as of ``last_seq`` and the other copied
    columns: when one of them differs from the conversation (or its survey), the row is
    stale and the worker computes it again."""

    __tablename__ = "report_conversation_facts"
    __table_args__ = (Index("ix_report_facts_created_at", "created_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    # copied from the conversation: the filters, and what tells that the row is stale
    created_at: Mapped[datetime] = mapped_column()
    customer_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    assignee_id: Mapped[int | None] = mapped_column(Integer, default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(20))
    last_seq: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    first_response_due: Mapped[bool] = mapped_column(Boolean)
    first_response_breached: Mapped[bool] = mapped_column(Boolean)
    resolution_due: Mapped[bool] = mapped_column(Boolean)
    resolution_breached: Mapped[bool] = mapped_column(Boolean)
    # derived
    customer_first_at: Mapped[datetime] = mapped_column()  # the customer's first conversation
    messages: Mapped[int] = mapped_column(Integer)  # public customer, agent and bot messages
    first_response_s: Mapped[float | None] = mapped_column(Float, default=None)
    first_response_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolution_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolution_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    handling_s: Mapped[float | None] = mapped_column(Float, default=None)
    handling_business_s: Mapped[float | None] = mapped_column(Float, default=None)
    is_resolved: Mapped[bool] = mapped_column(Boolean)  # resolved or closed, with a time
    ever_resolved: Mapped[bool] = mapped_column(Boolean)
    reopened: Mapped[bool] = mapped_column(Boolean)
    with_bot: Mapped[bool] = mapped_column(Boolean)
    bot_contained: Mapped[bool] = mapped_column(Boolean)
    survey_asked: Mapped[bool] = mapped_column(Boolean)
    survey_rating: Mapped[int | None] = mapped_column(Integer, default=None)
    survey_agent_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ConversationMessageQuarters(Base):
    """A conversation's public messages per UTC quarter hour (``'YYYY-MM-DD HH:MM'``): the
    messages by local day of a report in any time zone."""

    __tablename__ = "report_message_quarters"
    __table_args__ = (Index("ix_report_message_quarters_created_at", "created_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("report_conversation_facts.conversation_id", ondelete="CASCADE"),
        primary_key=True, autoincrement=False)
    quarter: Mapped[str] = mapped_column(String(16), primary_key=True)
    # the conversation's start: a report without filters reads these rows alone
    created_at: Mapped[datetime] = mapped_column()
    messages: Mapped[int] = mapped_column(Integer)


class ConversationAgentReplies(Base):
    """Public messages an agent wrote in a conversation."""

    __tablename__ = "report_agent_replies"
    __table_args__ = (Index("ix_report_agent_replies_created_at", "created_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("report_conversation_facts.conversation_id", ondelete="CASCADE"),
        primary_key=True, autoincrement=False)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column()  # the conversation's start
    replies: Mapped[int] = mapped_column(Integer)


class RollupState(Base):
    """Where the worker is: every conversation created before ``covered_until`` has facts
    (as of ``refreshed_at``); ``hours_key`` fingerprints the teams' working hours the
    business-hours durations were computed with."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    covered_until: Mapped[datetime | None] = mapped_column(default=None)
    refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    hours_key: Mapped[str] = mapped_column(String(64), default="")
