"""Labels, the labels a conversation carries, and the category → label rules."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    color: Mapped[str] = mapped_column(String(7))  # "#rrggbb", lower case
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationLabel(Base):
    __tablename__ = "conversation_labels"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    # indexed for the inbox's label filter (the primary key leads with the conversation)
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True)
    # "agent" (workspace or API) or "rule" (a category rule)
    source: Mapped[str] = mapped_column(String(10), default="agent")
    added_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabelRule(Base):
    """An admin's rule: a conversation of this category gets this label."""

    __tablename__ = "label_rules"
    __table_args__ = (UniqueConstraint("category", "label_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabelRuleApplied(Base):
    """The rules for ``category`` have run on the conversation: once only, so a label an
    agent removed stays removed, and several server processes hearing the same event apply
    it once (the second insert of the key fails)."""

    __tablename__ = "label_rules_applied"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
