"""The shift roster, per-team overflow thresholds and the overflow offers made to customers."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class Shift(Base):
    """One weekly shift of one agent: every ``weekday`` (0 = Monday) from ``starts`` to
    ``ends`` ("HH:MM", "24:00" ends the day) in ``timezone``; a shift over midnight is two
    rows."""

    __tablename__ = "staffing_shifts"
    __table_args__ = (Index("ix_staffing_shifts_agent_weekday", "agent_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamOverflow(Base):
    """A team's own overflow threshold (else WALLETDESK_OVERFLOW_WAIT_S): new conversations
    go to an outsourced team when the expected wait here passes it."""

    __tablename__ = "team_overflow"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    wait_threshold_s: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OverflowChoice:
    wait = "wait"  # keep the page open
    email = "email"  # get the answer by e-mail
    callback = "callback"  # book a call back

    ALL = ("wait", "email", "callback")


class OverflowOffer(Base):
    """A customer told the wait was long and offered to wait, get the answer by e-mail or
    book a call back; ``from_team_id`` != ``to_team_id`` when the conversation overflowed."""

    __tablename__ = "overflow_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    from_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    to_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    # the expected wait in the first team's queue (None: nobody there to answer) and in the
    # queue the customer was told about
    expected_wait_s: Mapped[int | None] = mapped_column(Integer, default=None)
    offered_wait_s: Mapped[int | None] = mapped_column(Integer, default=None)
    choice: Mapped[str | None] = mapped_column(String(10), default=None)
    followup_id: Mapped[int | None] = mapped_column(
        ForeignKey("followups.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    chosen_at: Mapped[datetime | None] = mapped_column(default=None)
