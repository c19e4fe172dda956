"""Proactive messages: segments of customers chosen by rules, campaigns that message them
(once, or again every so many days: safety tips, periodic satisfaction surveys), one send row
per customer and run, and each customer's outreach preferences (time zone, opt-out).

A send row is the truth about one customer in one run: created once (unique per campaign,
run and customer), reserved before it leaves (so the frequency cap counts it), marked sent
in the same transaction as the in-app message; the figures are counts of these rows.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class CampaignKind(StrEnum):
    message = "message"  # a one-off (or repeated) message written by staff
    safety_tip = "safety_tip"  # "we never ask for your recovery phrase": shipped defaults
    survey = "survey"  # a periodic satisfaction survey to a sample of active customers


class OutreachChannel(StrEnum):
    in_app = "in_app"  # a system message in the customer's widget conversation
    email = "email"
    sms = "sms"


class CampaignStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # a run is due at next_run_at (recurring ones stay here)
    done = "done"  # its only run has gone out
    cancelled = "cancelled"


class SendStatus(StrEnum):
    pending = "pending"  # waiting for its job (deferred ones too: quiet hours)
    sending = "sending"  # reserved: counts towards the cap; the channel may have it already
    sent = "sent"  # handed over: written in the widget, accepted by the relay / provider
    skipped_cap = "skipped_cap"
    skipped_opt_out = "skipped_opt_out"
    skipped_no_address = "skipped_no_address"  # no conversation, e-mail or phone for it
    failed = "failed"
    cancelled = "cancelled"  # the campaign was cancelled before it went


# sends that count towards a customer's frequency cap
CAPPED_STATUSES = (SendStatus.sending, SendStatus.sent)


class Segment(Base):
    __tablename__ = "outreach_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # {"reason": "withdrawal", "days": 30, "languages": ["zh-Hans"], "verified": true,
    #  "channels": ["web"], "label": "vip", "active_days": 90}: every key optional (and-ed)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    __tablename__ = "outreach_campaigns"
    __table_args__ = (Index("ix_outreach_campaigns_status_next_run", "status", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[CampaignKind] = mapped_column(String(20), default=CampaignKind.message)
    channel: Mapped[OutreachChannel] = mapped_column(String(10), default=OutreachChannel.in_app)
    # None: every reachable customer (safety tips) / the recently active ones (surveys)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach_segments.id", ondelete="SET NULL"), default=None)
    # {"en": "...", "zh-Hans": "..."}: the text (and e-mail subject) per customer locale,
    # protected before they are stored
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    subjects: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[CampaignStatus] = mapped_column(String(12), default=CampaignStatus.draft)
    repeat_days: Mapped[int | None] = mapped_column(Integer, default=None)  # None: once
    next_run_at: Mapped[datetime | None] = mapped_column(default=None)
    runs: Mapped[int] = mapped_column(Integer, default=0)  # runs started so far
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    # surveys: who is sampled (customers seen in the last active_days), a share or a number
    sample_percent: Mapped[float | None] = mapped_column(Float, default=None)
    sample_size: Mapped[int | None] = mapped_column(Integer, default=None)
    active_days: Mapped[int] = mapped_column(Integer, default=30)
    created_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutreachSend(Base):
    __tablename__ = "outreach_sends"
    __table_args__ = (
        UniqueConstraint("campaign_id", "run", "customer_id"),  # once per customer and run
        Index("ix_outreach_sends_customer_reserved", "customer_id", "reserved_at"),
        Index("ix_outreach_sends_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_campaigns.id", ondelete="CASCADE"))
    run: Mapped[int] = mapped_column(Integer, default=1)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[OutreachChannel] = mapped_column(String(10))
    status: Mapped[SendStatus] = mapped_column(String(20), default=SendStatus.pending)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    deferrals: Mapped[int] = mapped_column(Integer, default=0)  # moved past quiet hours
    reserved_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    provider_id: Mapped[str | None] = mapped_column(String(64), default=None)  # SMS id
    message_id: Mapped[int | None] = mapped_column(  # the in-app message
        ForeignKey("messages.id", ondelete="SET NULL"), default=None)
    survey_id: Mapped[int | None] = mapped_column(  # a periodic survey's answer row
        ForeignKey("surveys.id", ondelete="SET NULL"), default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)  # a link page opened
    error: Mapped[str] = mapped_column(String(200), default="")  # class and code only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutreachContact(Base):
    """A customer's outreach preferences: where their evening is, and whether they want
    proactive messages at all (the opt-out is honoured by every later send)."""

    __tablename__ = "outreach_contacts"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)  # IANA name
    opted_out_at: Mapped[datetime | None] = mapped_column(default=None)
    # how: email_link, sms_reply, widget, staff, api
    opted_out_via: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
