"""What the bot did (one row per customer message it handled) and how it is configured."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class BotTurn(Base):
    __tablename__ = "bot_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None)
    query: Mapped[str] = mapped_column(Text)  # the protected text, never a secret
    language: Mapped[str] = mapped_column(String(16))
    # [{"slug", "title", "score"}], best first
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # answered | suggested | handed_off
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(40), default="")
    article_slug: Mapped[str | None] = mapped_column(String(120), default=None)
    # None until the customer says; True = solved, False = not solved / wants a person
    helpful: Mapped[bool | None] = mapped_column(Boolean, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class BotConfig(Base):
    """The desk's bot settings, edited by admins (one row)."""

    __tablename__ = "bot_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # topics that always go to a person: article categories and phrases
    sensitive_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    sensitive_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_failed_answers: Mapped[int] = mapped_column(Integer, default=2)
    # "custodial" (customers hold accounts with the operator: questions about their account
    # need a verified e-mail first) or "self_custody" (no accounts: every answer is general)
    custody: Mapped[str] = mapped_column(String(16), default="self_custody",
                                         server_default="self_custody")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
