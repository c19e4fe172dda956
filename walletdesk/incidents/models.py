"""Incidents: the spike alerts the detector raises and the announcements the desk publishes.

An ``Announcement`` is an incident or maintenance notice: a title and body per locale, a
severity, what it affects (chain/asset/feature words of walletdesk.incidents.vocabulary and
contact reasons), an active window, and a status that moves investigating → identified →
monitoring → resolved, each step kept in ``AnnouncementUpdate`` (the public history).
``AnnouncementConversation`` links the conversations whose customers asked about it; they are
told once when it is resolved. A ``SpikeAlert`` is one detector run's significant rises
(walletdesk.incidents.spikes), with sample message ids and the announcement it proposes.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Severity(StrEnum):
    maintenance = "maintenance"
    minor = "minor"
    major = "major"
    critical = "critical"


class IncidentStatus(StrEnum):
    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"


# the order a status may only move forward in
STATUS_ORDER = (IncidentStatus.investigating, IncidentStatus.identified,
                IncidentStatus.monitoring, IncidentStatus.resolved)


class AlertStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    dismissed = "dismissed"


class LinkSource(StrEnum):
    bot = "bot"  # the bot answered with the announcement
    agent = "agent"  # an agent linked the conversation
    reason = "reason"  # the conversation's contact reason is one the announcement names


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_published_status", "published", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    severity: Mapped[Severity] = mapped_column(String(20), default=Severity.minor)
    status: Mapped[IncidentStatus] = mapped_column(String(20),
                                                   default=IncidentStatus.investigating)
    # a draft (proposed by the detector, or being written) is shown to nobody outside
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # vocabulary keys (walletdesk.incidents.vocabulary): chains, assets, features
    affected: Mapped[list[str]] = mapped_column(JSON, default=list)
    # contact reasons (knowledge-base categories, labels) the incident is about
    contact_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(default=None)  # None: until resolved
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class AnnouncementText(Base):
    __tablename__ = "announcement_texts"
    __table_args__ = (UniqueConstraint("announcement_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class AnnouncementUpdate(Base):
    """One step of the status history (the first is the creation); ``notes`` per locale."""

    __tablename__ = "announcement_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    status: Mapped[IncidentStatus] = mapped_column(String(20))
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnouncementConversation(Base):
    """A conversation whose customer asked about the announcement: told once when resolved."""

    __tablename__ = "announcement_conversations"
    __table_args__ = (UniqueConstraint("announcement_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    source: Mapped[LinkSource] = mapped_column(String(10))
    # the language the customer asked in (the notice is written in it); None: the
    # conversation's
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)


class SpikeAlert(Base):
    __tablename__ = "spike_alerts"
    __table_args__ = (Index("ix_spike_alerts_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interval_start: Mapped[datetime] = mapped_column()
    interval_end: Mapped[datetime] = mapped_column()
    # [{"kind": "reason"|"term", "key", "observed", "expected", "threshold", "score"}]
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # ids of sample customer messages (texts are read when shown: they were protected on the
    # way in, and a customer's erasure removes them here too)
    sample_message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[AlertStatus] = mapped_column(String(20), default=AlertStatus.open)
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL"), default=None)
    intervals: Mapped[int] = mapped_column(Integer, default=1)  # intervals it stayed high
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
