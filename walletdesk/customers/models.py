"""Customers (wallet users) and their identities on each channel."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletdesk.db.base import Base, utcnow


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the operator's own user id, when the widget proved it with a signed identity
    verified_user_id: Mapped[str | None] = mapped_column(String(120), default=None)
    points: Mapped[int] = mapped_column(Integer, default=0)  # loyalty points (surveys …)
    # for SMS notifications (E.164); from the operator's backend
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    # the customer asked never to be called back: honoured by every programme, for good
    followup_opt_out_at: Mapped[datetime | None] = mapped_column(default=None)

    # loaded where shown (customers.queries.get_customer), not on the message path
    identities: Mapped[list["CustomerIdentity"]] = relationship(
        back_populates="customer", lazy="raise", cascade="all, delete-orphan"
    )


class CustomerIdentity(Base):
    """Who the customer is on one channel: a widget visitor id, an email address, a chat id."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")
