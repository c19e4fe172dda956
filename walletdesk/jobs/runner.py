"""Claiming due jobs and running them, exactly once for what the database sees.

``claim_due`` takes a lease on due jobs (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two
workers never claim the same row; SQLite: one writer at a time). ``run_job`` then runs the
job's handler and marks it done *in one transaction*, and only if the lease is still the
one it was given. So:

- a worker killed mid-job committed nothing; the lease expires and the job runs again;
- a worker too slow for its lease finds the lease gone and rolls back; the job runs once;
- a handler's writes and "done" are one commit: they happen together or not at all.

Work that leaves the process (SMTP, SMS) cannot be inside a database transaction. Such
kinds register a ``deliver`` step that runs first, outside the transaction; if the worker
dies between delivering and committing, the delivery is repeated (at least once), which
is why outgoing mail carries a stable Message-ID.
"""

import secrets
from datetime import timedelta

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.db.base import utcnow
from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.jobs.models import Job, JobStatus

# the registry lives apart so that declaring a kind does not import every kind (registry.py)
from walletdesk.jobs.registry import (  # noqa: F401 - re-exported for the kinds' modules
    KINDS,
    Deliver,
    Handler,
    JobContext,
    JobKind,
    OnFailure,
    PermanentJobError,
    job_handler,
)
from walletdesk.services import Services

log = structlog.get_logger(__name__)

MAX_BACKOFF_S = 3600
ERROR_CHARS = 500


def registered_kind(name: str) -> JobKind | None:
    from walletdesk.jobs import kinds  # noqa: F401 - every kind's module registers on import

    return KINDS.get(name)


def backoff_s(attempts: int) -> int:
    """Seconds before retry number ``attempts``: 30 s, 1 min, 2 min, … up to an hour."""
    return int(min(30 * 2 ** (attempts - 1), MAX_BACKOFF_S))


async def claim_due(services: Services, limit: int, lease_s: int) -> list[tuple[int, str]]:
    """Lease up to ``limit`` due jobs (and jobs whose lease expired): [(job id, token)]."""
    now = utcnow()
    async with services.transaction() as session:
        jobs = (await session.scalars(
            select(Job)
            .where(or_(and_(Job.status == JobStatus.pending, Job.due_at <= now),
                       and_(Job.status == JobStatus.running, Job.lease_until < now)))
            .order_by(Job.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )).all()
        claimed = []
        for job in jobs:
            job.status = JobStatus.running
            job.lease_token = secrets.token_hex(16)
            job.lease_until = now + timedelta(seconds=lease_s)
            claimed.append((job.id, job.lease_token))
        return claimed


async def _locked_if_ours(session: AsyncSession, job_id: int, token: str) -> Job | None:
    job = await session.scalar(select(Job).where(Job.id == job_id).with_for_update()
                               .execution_options(populate_existing=True))
    if job is None or job.status != JobStatus.running or job.lease_token != token:
        return None
    return job


async def run_job(services: Services, job_id: int, token: str, worker_name: str) -> bool:
    """Run one claimed job; False if its lease was lost (another worker has it)."""
    try:
        delivered = None
        async with services.read() as session:
            job = await session.get(Job, job_id)
        if job is None or job.lease_token != token:
            return False
        kind = registered_kind(job.kind)
        if kind is None:
            raise PermanentJobError(f"unknown job kind {job.kind!r}")
        if kind.deliver is not None:  # no connection held meanwhile (SQLite has one)
            delivered = await kind.deliver(services, job)
        async with services.transaction() as session:
            job = await _locked_if_ours(session, job_id, token)
            if job is None:
                log.warning("job.lease_lost", job_id=job_id)
                return False
            await kind.handle(JobContext(services, session, job, delivered))
            job.status = JobStatus.done
            job.done_at = utcnow()
            job.done_by = worker_name[:80]
            job.lease_token = None
            job.lease_until = None
        return True
    except Exception as exc:  # the job failed: record it, retry later or give up
        await _record_failure(services, job_id, token, exc)
        return False


async def _record_failure(services: Services, job_id: int, token: str, exc: Exception) -> None:
    if isinstance(exc, DatabaseUnavailable) and exc.__cause__ is not None:
        exc = exc.__cause__  # type: ignore[assignment]  # say what the handler raised
    # the class name and the message only: handlers keep personal data out of their errors
    error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    async with services.transaction() as session:
        job = await _locked_if_ours(session, job_id, token)
        if job is None:
            return
        job.attempts += 1
        job.last_error = error
        job.lease_token = None
        job.lease_until = None
        if isinstance(exc, PermanentJobError) or job.attempts >= job.max_attempts:
            job.status = JobStatus.failed
            job.done_at = utcnow()
            kind = registered_kind(job.kind)
            if kind is not None and kind.on_failure is not None:
                await kind.on_failure(JobContext(services, session, job), error)
            log.warning("job.failed", job_id=job.id, kind=job.kind, attempts=job.attempts,
                        error=type(exc).__name__)
        else:
            job.status = JobStatus.pending
            job.due_at = utcnow() + timedelta(seconds=backoff_s(job.attempts))
            log.info("job.retry", job_id=job.id, kind=job.kind, attempts=job.attempts,
                     error=type(exc).__name__)
