"""Customers (wallet users) and their identities on each channel."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from walletdesk.crypto import EncryptedText, keyed_hash
from walletdesk.db.base import Base, utcnow

# each encrypted personal field and the keyed-hash column that lookups compare
CUSTOMER_HASHES = {"display_name": "name_hash", "email": "email_hash",
                   "verified_user_id": "verified_user_hash", "phone": "phone_hash"}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # personal fields are encrypted at rest (walletdesk.crypto); *_hash columns, keyed
    # hashes kept in step by the validators below, are what queries compare
    display_name: Mapped[str] = mapped_column(EncryptedText, default="")
    name_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    email: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    email_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the operator's own user id, when the widget proved it with a signed identity
    verified_user_id: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    verified_user_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)  # loyalty points (surveys …)
    # for SMS notifications (E.164); from the operator's backend
    phone: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    phone_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    # the customer asked never to be called back: honoured by every programme, for good
    followup_opt_out_at: Mapped[datetime | None] = mapped_column(default=None)
    # proved control of ``email`` with a one-time code (walletdesk.customers.email_code)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # the agents' private note about the customer (side panel); encrypted, never shown to
    # outsourced agents, secrets removed before it is stored (walletdesk.customers.edits)
    note: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    # personal data erased (on request, or by the retention policy)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    # when the customer acknowledged the operator's privacy notice (in the widget)
    privacy_notice_ack_at: Mapped[datetime | None] = mapped_column(default=None)

    # loaded where shown (customers.queries.get_customer), not on the message path
    identities: Mapped[list["CustomerIdentity"]] = relationship(
        back_populates="customer", lazy="raise", cascade="all, delete-orphan"
    )

    @validates(*CUSTOMER_HASHES)
    def _keep_hash(self, key: str, value: str | None) -> str | None:
        setattr(self, CUSTOMER_HASHES[key], keyed_hash(value) if value else None)
        return value


class CustomerIdentity(Base):
    """Who the customer is on one channel: a widget visitor id, an email address, a chat id."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("channel", "external_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    # an email address, a phone number, a chat id: encrypted; looked up by its keyed hash
    external_id: Mapped[str] = mapped_column(EncryptedText)
    external_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")

    @validates("external_id")
    def _keep_hash(self, key: str, value: str) -> str:
        self.external_hash = keyed_hash(value) or ""
        return value


class EmailCode(Base):
    """A one-time code sent to an email address an unverified customer gave the bot."""

    __tablename__ = "email_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(EncryptedText)
    # HMAC of the code, written once it has been sent; the code itself is never stored
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class EmailCodeQuota(Base):
    """The codes mailed lately for one customer or to one address (walletdesk.customers.
    code_quotas): the row is locked while a new code is considered, so requests of several
    processes for the same customer or inbox count one after another."""

    __tablename__ = "email_code_quotas"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "customer" or "address"
    # the customer's id, or the keyed hash of the normalised address (never the address)
    key: Mapped[str] = mapped_column(String(64))
    # the email_codes ids mailed within the window (at most the limit; older ones dropped)
    code_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # last looked at; a row untouched for a window counts nothing and is removed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivacyNotice(Base):
    """The operator's privacy notice in one language, shown by the widget until the customer
    acknowledges it (again after it changes)."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), unique=True)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
