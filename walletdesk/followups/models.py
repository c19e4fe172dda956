"""Follow-up programmes and the tasks they create.

A programme says when a customer is called back: after a transaction the operator's backend
reports (e.g. a withdrawal over 10,000 USDT), after a complaint is closed, or once for a
cohort (e.g. new customers 7 days after they joined). Each match creates one ``FollowUp``
task with a due window; the customer is notified with a link to pick a time slot, ask for
a chat instead, decline, or opt out of follow-ups for good.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Trigger(StrEnum):
    transaction = "transaction"  # rule: {"type": "withdrawal", "min_amount": "10000", "asset": "USDT"}
    complaint_resolved = "complaint_resolved"  # the customer was told the outcome; rule: {}
    cohort = "cohort"  # rule: {"days_after_signup": 7}
    # the customer asked for a call back while the queue was long (walletdesk.staffing); rule: {}
    callback = "callback"


class NotifyChannel(StrEnum):
    email = "email"
    sms = "sms"
    in_app = "in_app"  # a message in the customer's latest conversation (widget/app)


class FollowUpStatus(StrEnum):
    scheduled = "scheduled"  # the notification is due at notify_at
    notified = "notified"  # link sent; waiting for the customer (call anyway in the window)
    booked = "booked"  # the customer picked slot_at
    chat_requested = "chat_requested"  # the customer asked for a chat instead: a conversation
    declined = "declined"
    opted_out = "opted_out"
    completed = "completed"  # reached (or declined/wrong number on the call)
    unreachable = "unreachable"  # no answer after max_attempts, or no way to notify


OPEN_FOLLOWUP_STATUSES = (FollowUpStatus.scheduled, FollowUpStatus.notified, FollowUpStatus.booked)


class CallOutcome(StrEnum):
    reached = "reached"
    no_answer = "no_answer"
    declined = "declined"
    wrong_number = "wrong_number"


class FollowUpProgramme(Base):
    __tablename__ = "followup_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    trigger: Mapped[Trigger] = mapped_column(String(20))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channel: Mapped[NotifyChannel] = mapped_column(String(10), default=NotifyChannel.email)
    delay_s: Mapped[int] = mapped_column(Integer, default=86400)  # trigger → notification
    window_s: Mapped[int] = mapped_column(Integer, default=3 * 86400)  # time to make the call
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)  # calls without an answer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(Base):
    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("programme_id", "source_ref"),  # one task per triggering event
        Index("ix_followups_status_due_from", "status", "due_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("followup_programmes.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    source_ref: Mapped[str] = mapped_column(String(120))  # "tx:<id>", "complaint:<id>", …
    reason: Mapped[str] = mapped_column(String(200), default="")  # shown to the agent
    status: Mapped[FollowUpStatus] = mapped_column(String(20), default=FollowUpStatus.scheduled)
    notify_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    notified_via: Mapped[str | None] = mapped_column(String(10), default=None)
    due_from: Mapped[datetime] = mapped_column(default=utcnow)
    due_until: Mapped[datetime] = mapped_column(default=utcnow)
    slot_at: Mapped[datetime | None] = mapped_column(default=None)
    # after a call without an answer: call again from this time
    next_call_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)  # 1–5
    notes: Mapped[str] = mapped_column(Text, default="")
    called_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    conversation_id: Mapped[int | None] = mapped_column(  # a chat instead, or a new case
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
