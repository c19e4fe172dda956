"""A transfer looked up for a conversation: what the customer gave, where it was looked up
and what the chain said (the agent's side panel shows these, refreshable)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class ChainLookup(Base):
    __tablename__ = "chain_lookups"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None)
    tx: Mapped[str] = mapped_column(String(100))  # the hash as the chain's API spells it
    # where it was found (None while the network is being asked), the network the customer
    # named, and the chains its format fits
    chain: Mapped[str | None] = mapped_column(String(20), default=None)
    named_chain: Mapped[str | None] = mapped_column(String(20), default=None)
    candidates: Mapped[list[str]] = mapped_column(JSON, default=list)
    # not_found | pending | confirmed | failed | unsupported | unavailable | ask_network
    status: Mapped[str] = mapped_column(String(20))
    # walletdesk.chains.results.TransferStatus.to_json(), plus the desk's notes
    # (wrong_network, memo_missing); addresses in it are the customer's personal data
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
