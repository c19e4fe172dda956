"""Scheduling and cancelling jobs, from inside a domain action's transaction.

A job scheduled in a transaction that rolls back was never scheduled: the work and the
decision to do it commit together.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.db.base import utcnow
from walletdesk.jobs.models import Job, JobStatus


async def schedule_job(session: AsyncSession, kind: str, payload: dict[str, Any] | None = None, *,
                       due_at: datetime | None = None, dedupe_key: str | None = None,
                       max_attempts: int = 8) -> Job:
    """Add a job. A ``dedupe_key`` seen before gives back that job (a pending one moves to the
    new due time): put what makes the job unique in the key, e.g. the due time it serves."""
    if dedupe_key is not None:
        job = await session.scalar(select(Job).where(Job.dedupe_key == dedupe_key)
                                   .with_for_update())
        if job is not None:
            if job.status == JobStatus.pending:
                job.due_at = due_at or utcnow()
                job.payload = payload or {}
            return job
    job = Job(kind=kind, payload=payload or {}, due_at=due_at or utcnow(), dedupe_key=dedupe_key,
              max_attempts=max_attempts)
    session.add(job)
    await session.flush()
    return job


async def cancel_job(session: AsyncSession, dedupe_key: str) -> bool:
    """Cancel a pending job; True if there was one. A running job finishes on its own."""
    job = await session.scalar(select(Job).where(Job.dedupe_key == dedupe_key,
                                                 Job.status == JobStatus.pending)
                               .with_for_update())
    if job is None:
        return False
    job.status = JobStatus.cancelled
    return True
