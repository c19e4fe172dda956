"""Canned replies and their texts, one per language."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletdesk.db.base import Base, utcnow


class Scope(StrEnum):
    personal = "personal"  # its owner only
    team = "team"  # the team's members (and managers, who manage it)
    everyone = "everyone"  # every agent


class CannedReply(Base):
    __tablename__ = "canned_replies"
    __table_args__ = (Index("ix_canned_replies_scope", "scope", "owner_agent_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(40))  # what the agent types after "/"
    title: Mapped[str] = mapped_column(String(120))
    scope: Mapped[Scope] = mapped_column(String(10))
    owner_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), default=None)
    created_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    texts: Mapped[list["CannedReplyText"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CannedReplyText.language")

    def text_for(self, language: str) -> str | None:
        return next((t.text for t in self.texts if t.language == language), None)


class CannedReplyText(Base):
    __tablename__ = "canned_reply_texts"
    __table_args__ = (UniqueConstraint("canned_reply_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canned_reply_id: Mapped[int] = mapped_column(
        ForeignKey("canned_replies.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
