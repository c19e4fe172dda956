"""Jobs: scheduled in a transaction, leased, run once, retried with backoff, given up."""

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from walletdesk.audit.actions import record_audit
from walletdesk.audit.models import AuditEvent
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import cancel_job, schedule_job
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import (
    KINDS,
    JobContext,
    PermanentJobError,
    backoff_s,
    claim_due,
    job_handler,
    run_job,
)
from walletdesk.jobs.worker import Worker
from walletdesk.services import Services

failures: list[str] = []


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    @job_handler("test.audit")
    async def _audit(ctx: JobContext) -> None:
        record_audit(ctx.session, actor_agent_id=None, action="test.audit",
                     target_id=ctx.job.payload["n"])

    @job_handler("test.flaky", on_failure=_on_failure)
    async def _flaky(ctx: JobContext) -> None:
        record_audit(ctx.session, actor_agent_id=None, action="test.flaky")  # rolled back
        raise ConnectionError("relay refused")

    @job_handler("test.permanent", on_failure=_on_failure)
    async def _permanent(ctx: JobContext) -> None:
        raise PermanentJobError("no such mailbox")

    yield
    for kind in ("test.audit", "test.flaky", "test.permanent"):
        KINDS.pop(kind, None)
    failures.clear()


async def _on_failure(ctx: JobContext, error: str) -> None:
    failures.append(error)


async def _audits(services: Services, action: str) -> int:
    async with services.read() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action == action)) or 0)


async def _job(services: Services, job_id: int) -> Job:
    async with services.read() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def test_a_due_job_runs_once_and_a_future_one_waits(services):
    async with services.transaction() as session:
        due = await schedule_job(session, "test.audit", {"n": 1})
        later = await schedule_job(session, "test.audit", {"n": 2},
                                   due_at=utcnow() + timedelta(hours=1))
    claimed = await claim_due(services, 10, 60)
    assert [job_id for job_id, _ in claimed] == [due.id]
    assert await claim_due(services, 10, 60) == []  # leased: nobody else takes it
    assert await run_job(services, *claimed[0], "w1") is True
    assert await run_job(services, *claimed[0], "w1") is False  # done: a repeat does nothing
    assert await _audits(services, "test.audit") == 1
    done = await _job(services, due.id)
    assert (done.status, done.done_by, done.lease_token) == (JobStatus.done, "w1", None)
    assert (await _job(services, later.id)).status == JobStatus.pending


async def test_a_job_scheduled_in_a_rolled_back_transaction_never_exists(services):
    with pytest.raises(RuntimeError):
        async with services.transaction() as session:
            await schedule_job(session, "test.audit", {"n": 1})
            raise RuntimeError("the action failed")
    assert await claim_due(services, 10, 60) == []


async def test_an_expired_lease_goes_to_another_worker_and_the_first_cannot_finish(services):
    async with services.transaction() as session:
        await schedule_job(session, "test.audit", {"n": 7})
    [(job_id, first_token)] = await claim_due(services, 10, 60)
    async with services.transaction() as session:  # the first worker stalls past its lease
        job = await session.get(Job, job_id)
        assert job is not None
        job.lease_until = utcnow() - timedelta(seconds=1)
    [(same_id, second_token)] = await claim_due(services, 10, 60)
    assert same_id == job_id and second_token != first_token
    assert await run_job(services, job_id, first_token, "slow") is False
    assert await run_job(services, job_id, second_token, "fast") is True
    assert await _audits(services, "test.audit") == 1
    assert (await _job(services, job_id)).done_by == "fast"


async def test_a_failing_job_is_retried_with_backoff_then_given_up(services):
    async with services.transaction() as session:
        job = await schedule_job(session, "test.flaky", max_attempts=2)
    [(job_id, token)] = await claim_due(services, 10, 60)
    assert await run_job(services, job_id, token, "w") is False
    retried = await _job(services, job_id)
    assert retried.status == JobStatus.pending and retried.attempts == 1
    assert retried.due_at > utcnow() + timedelta(seconds=backoff_s(1) - 5)
    assert "relay refused" in retried.last_error
    assert await _audits(services, "test.flaky") == 0  # the handler's writes rolled back
    async with services.transaction() as session:
        (await session.get(Job, job.id)).due_at = utcnow()  # type: ignore[union-attr]
    [(job_id, token)] = await claim_due(services, 10, 60)
    await run_job(services, job_id, token, "w")
    assert (await _job(services, job_id)).status == JobStatus.failed
    assert failures == ["ConnectionError: relay refused"]


async def test_a_permanent_error_gives_up_at_once_and_unknown_kinds_fail(services):
    async with services.transaction() as session:
        permanent = await schedule_job(session, "test.permanent")
        unknown = await schedule_job(session, "no.such.kind")
    for job_id, token in await claim_due(services, 10, 60):
        await run_job(services, job_id, token, "w")
    assert (await _job(services, permanent.id)).attempts == 1
    assert (await _job(services, permanent.id)).status == JobStatus.failed
    assert "unknown job kind" in (await _job(services, unknown.id)).last_error
    assert failures == ["PermanentJobError: no such mailbox"]


async def test_dedupe_key_schedules_once_and_cancel_stops_a_pending_job(services):
    async with services.transaction() as session:
        first = await schedule_job(session, "test.audit", {"n": 1}, dedupe_key="k",
                                   due_at=utcnow() + timedelta(hours=2))
        again = await schedule_job(session, "test.audit", {"n": 2}, dedupe_key="k",
                                   due_at=utcnow() + timedelta(hours=1))
        assert again.id == first.id and again.payload == {"n": 2}
        assert await cancel_job(session, "k") is True
        assert await cancel_job(session, "k") is False
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Job)) == 1
    assert (await _job(services, first.id)).status == JobStatus.cancelled


async def test_the_worker_runs_due_jobs_through_taskiq_in_process(services):
    async with services.transaction() as session:
        for n in range(15):
            await schedule_job(session, "test.audit", {"n": n})
    worker = Worker(services, name="embedded")
    await worker.broker.startup()
    try:
        for _ in range(100):
            await worker.tick()
            if await _audits(services, "test.audit") == 15 and worker.in_flight == 0:
                break
            await asyncio.sleep(0.02)
    finally:
        await worker.broker.shutdown()
    assert await _audits(services, "test.audit") == 15
    async with services.read() as session:
        statuses = set((await session.scalars(select(Job.status))).all())
    assert statuses == {JobStatus.done}


async def test_restarting_workers_do_not_multiply_recurring_jobs(services):
    from walletdesk.jobs.kinds import seed_recurring

    services.settings = services.settings.model_copy(update={
        "imap_url": "imap://u:p@127.0.0.1:1/INBOX"})
    for _ in range(3):  # three worker starts
        await seed_recurring(services)
    async with services.transaction() as session:  # as if they were planted an hour ago
        for job in (await session.scalars(select(Job))).all():
            job.dedupe_key = f"{job.dedupe_key}:an-hour-ago"
    await seed_recurring(services)  # a start now: the waiting chains are enough
    async with services.read() as session:
        kinds = sorted((await session.scalars(select(Job.kind))).all())
    assert kinds == ["email.imap_poll", "incidents.detect", "privacy.retention",
                     "reports.rollup"]


async def test_two_transactions_scheduling_the_same_key_at_once_make_one_job(services):
    """Two worker processes starting together seed the same recurring job: neither fails."""
    first_added = asyncio.Event()

    async def first() -> int:
        async with services.transaction() as session:
            job = await schedule_job(session, "test.audit", {"n": 1}, dedupe_key="seed:same")
            first_added.set()
            await asyncio.sleep(0.3)  # the second one adds the same key meanwhile
            return job.id

    async def second() -> int:
        await first_added.wait()
        async with services.transaction() as session:
            job = await schedule_job(session, "test.audit", {"n": 2}, dedupe_key="seed:same")
            return job.id

    ids = await asyncio.gather(first(), second())
    assert ids[0] == ids[1]
    async with services.read() as session:
        jobs = (await session.scalars(select(Job).where(Job.dedupe_key == "seed:same"))).all()
    assert len(jobs) == 1 and jobs[0].payload == {"n": 2}  # the later one moved it
