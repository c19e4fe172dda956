"""A job is one piece of work due at a time: send this email, check this SLA, close this case.

The row is the truth. A worker claims a due job by taking a lease (a random token and an
expiry); whoever finishes it must still hold that lease, in the same transaction as the
job's own writes. A worker killed mid-job leaves the lease to expire and the job is run
again from the start; nothing it half did was committed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletdesk.db.base import Base, utcnow


class JobStatus(StrEnum):
    pending = "pending"  # waiting for its due time (or a retry)
    running = "running"  # claimed; the lease says until when
    done = "done"
    failed = "failed"  # gave up after max_attempts, or a permanent error
    cancelled = "cancelled"  # no longer needed (e.g. the customer answered)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # at most one live job per key (e.g. "sla:breach:42"): scheduling twice is harmless
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    status: Mapped[JobStatus] = mapped_column(String(10), default=JobStatus.pending)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    # which worker process finished it (for operators, and the two-worker test)
    done_by: Mapped[str | None] = mapped_column(String(80), default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
