"""Conversations and their messages."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletdesk.accounts.models import Agent, Team
from walletdesk.crypto import EncryptedText
from walletdesk.customers.models import Customer
from walletdesk.db.base import Base, utcnow


class Status(StrEnum):
    bot = "bot"
    queued = "queued"
    assigned = "assigned"
    waiting_customer = "waiting_customer"
    resolved = "resolved"
    closed = "closed"


OPEN_STATUSES = (Status.bot, Status.queued, Status.assigned, Status.waiting_customer)
# conversations that count against an agent's capacity
ACTIVE_STATUSES = (Status.assigned, Status.waiting_customer)


class SenderKind(StrEnum):
    customer = "customer"
    agent = "agent"
    bot = "bot"
    system = "system"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_queue", "status", "team_id", "queued_at"),
        Index("ix_conversations_assignee_status", "assignee_id", "status"),
        # reports: conversations by when they started (docs/reports.md)
        Index("ix_conversations_created_at", "created_at"),
        Index("ix_conversations_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[Status] = mapped_column(String(20), default=Status.queued)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    subject: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str | None] = mapped_column(String(40), default=None)  # e.g. "scam"
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    # the web chat: the last message the customer has seen (the launcher's unread count) and
    # the last agent reply emailed to them while away (walletdesk.email.away_replies)
    customer_read_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reply_mailed_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # set when the customer wrote outside the team's working hours: a case for the next shift
    after_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    has_secret_redaction: Mapped[bool] = mapped_column(Boolean, default=False)
    # the bot's email check of an unverified customer: asked_email, code_sent, verified, failed
    verification_state: Mapped[str | None] = mapped_column(String(20), default=None)
    # why the bot handed the conversation to a person (low_confidence, asked_for_human, …)
    handoff_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # why the customer contacted us, as the agent chose it when resolving (reports)
    contact_reason: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    # when the assignee was really there for the customer (online when assigned, or opened or
    # answered it since): the customer is told "<name> joined" only then
    assignee_joined_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # SLA clocks (walletdesk.cases.sla): due times in the team's working hours; the
    # resolution clock stops while we wait on the customer (sla_paused_at)
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), default=None)
    first_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_paused_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # snoozed (walletdesk.conversations.snooze): out of the active inbox views until
    # snooze_due_at (None: only until the customer writes); a customer message always wakes it
    snoozed_at: Mapped[datetime | None] = mapped_column(default=None)
    snooze_due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    # loaded only where shown (conversations.queries): the message path needs ids only
    customer: Mapped[Customer] = relationship(lazy="raise")
    team: Mapped[Team | None] = relationship(lazy="raise")
    assignee: Mapped[Agent | None] = relationship(lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_id"),
        # reports: a conversation's messages in time order (first message, first reply)
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    sender_kind: Mapped[SenderKind] = mapped_column(String(10))
    sender_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    # a customer's name is personal data: encrypted at rest (walletdesk.crypto) like theirs
    sender_name: Mapped[str] = mapped_column(EncryptedText, default="")
    text: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # the client's own id for the message (widget, agent app, API): makes sending idempotent
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # structured extras shown by clients, e.g. the bot's article link and answer buttons
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file that came with a message (an email attachment). The bytes live on disk under
    ``WALLETDESK_DATA_DIR/blobs``, named by their SHA-256; the row says what and whose."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoteMention(Base):
    """An agent @mentioned in an internal note (walletdesk.conversations.mentions): shown to
    them live and, until they have seen it, on their next load."""

    __tablename__ = "note_mentions"
    __table_args__ = (UniqueConstraint("message_id", "agent_id"),
                      Index("ix_note_mentions_agent_unread", "agent_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
