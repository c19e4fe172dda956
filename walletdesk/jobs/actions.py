"""Scheduling and cancelling jobs, from inside a domain action's transaction.

A job scheduled in a transaction that rolls back was never scheduled: the work and the
decision to do it commit together.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.db.base import utcnow
from walletdesk.jobs.models import Job, JobStatus


async def schedule_job(session: AsyncSession, kind: str, payload: dict[str, Any] | None = None, *,
                       due_at: datetime | None = None, dedupe_key: str | None = None,
                       max_attempts: int = 8) -> Job:
    """Add a job. A ``dedupe_key`` seen before gives back that job (a pending one moves to the
    new due time): put what makes the job unique in the key, e.g. the due time it serves.

    Two transactions adding the same key at once (two worker processes seeding the recurring
    jobs at start) do not fail: the insert skips a key that exists, then waits for and reads
    the other one's row."""
    if dedupe_key is None:
        job = Job(kind=kind, payload=payload or {}, due_at=due_at or utcnow(),
                  max_attempts=max_attempts)
        session.add(job)
        await session.flush()
        return job
    existing = select(Job).where(Job.dedupe_key == dedupe_key).with_for_update()
    job = await session.scalar(existing)
    if job is None:
        insert = postgresql_insert if session.bind.dialect.name == "postgresql" \
            else sqlite_insert
        job = await session.scalar(
            insert(Job).values(kind=kind, payload=payload or {}, due_at=due_at or utcnow(),
                               dedupe_key=dedupe_key, max_attempts=max_attempts)
            .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Job))
        if job is not None:
            return job
        job = await session.scalar(existing.execution_options(populate_existing=True))
        if job is None:  # the other one's row, committed and already deleted: not possible
            raise RuntimeError(f"job {dedupe_key!r} neither added nor found")
    if job.status == JobStatus.pending:
        job.due_at = due_at or utcnow()
        job.payload = payload or {}
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
