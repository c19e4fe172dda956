"""`walletdesk worker` processes: killed mid-run, restarted, and two at once on PostgreSQL.

The work is real: resolved conversations whose reopen window has passed are closed by the
``conversation.close`` job, which also writes one audit event. "Exactly once" means every
conversation is closed and has exactly one such event.
"""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.closing import schedule_close
from walletdesk.conversations.models import Conversation, Status
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.services import Services

pytestmark = pytest.mark.multiprocess
JOBS = 400


async def _resolved_long_ago(services: Services, count: int) -> None:
    long_ago = utcnow() - timedelta(seconds=services.settings.reopen_window_s + 60)
    async with services.transaction() as session:
        customer = Customer(display_name="Batch")
        session.add(customer)
        await session.flush()
        for n in range(count):
            conversation = Conversation(customer_id=customer.id, channel="widget",
                                        status=Status.resolved, resolved_at=long_ago,
                                        subject=f"case {n}")
            session.add(conversation)
            await session.flush()
            await schedule_close(session, services.settings, conversation)


async def _progress(services: Services) -> dict[str, int]:
    async with services.read() as session:
        rows = (await session.execute(select(Job.status, func.count())
                                      .where(Job.kind == "conversation.close")
                                      .group_by(Job.status))).all()
    return {str(status): int(count) for status, count in rows}


@contextlib.asynccontextmanager
async def worker_process(database_url: str) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
           "WALLETDESK_ENVIRONMENT": "test", "WALLETDESK_SECRET_KEY": "worker-test-" + "k" * 32,
           "WALLETDESK_JOB_LEASE_S": "2", "WALLETDESK_WORKER_POLL_S": "0.05",
           "WALLETDESK_LOG_LEVEL": "INFO", "WALLETDESK_REDIS_URL": ""}
    env.pop("WALLETDESK_REDIS_URL")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "walletdesk.cli", "worker", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    try:
        async with asyncio.timeout(60):
            while b"worker.started" not in await process.stderr.readline():
                assert process.returncode is None, "the worker exited"
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _wait_until(services: Services, done: int, *workers: asyncio.subprocess.Process,
                      timeout_s: float = 90) -> dict[str, int]:
    async with asyncio.timeout(timeout_s):
        while (progress := await _progress(services)).get("done", 0) < done:
            assert all(w.returncode is None for w in workers), "a worker died"
            await asyncio.sleep(0.05)
    return progress


async def _assert_each_closed_exactly_once(services: Services) -> None:
    async with services.read() as session:
        statuses = (await session.scalars(select(Conversation.status))).all()
        per_conversation = (await session.execute(
            select(AuditEvent.target_id, func.count()).where(
                AuditEvent.action == "conversation.close").group_by(AuditEvent.target_id))).all()
    assert statuses == [Status.closed] * JOBS
    assert len(per_conversation) == JOBS
    assert {count for _, count in per_conversation} == {1}


async def test_a_worker_killed_mid_run_leaves_no_job_undone_or_done_twice(services):
    await _resolved_long_ago(services, JOBS)
    async with worker_process(services.settings.database_url) as worker:
        await _wait_until(services, 40, worker)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    at_kill = await _progress(services)
    assert 0 < at_kill.get("done", 0) < JOBS, at_kill  # it really died mid-run
    async with worker_process(services.settings.database_url) as worker:
        final = await _wait_until(services, JOBS, worker)
    assert final == {JobStatus.done: JOBS}
    await _assert_each_closed_exactly_once(services)


async def test_two_workers_share_the_work_and_never_run_an_item_twice(services):
    # PostgreSQL: claims use FOR UPDATE SKIP LOCKED; SQLite: one writer at a time
    url = services.settings.database_url
    async with worker_process(url) as first, worker_process(url) as second:
        await _resolved_long_ago(services, JOBS)  # both are polling when the work appears
        await _wait_until(services, JOBS, first, second)
    await _assert_each_closed_exactly_once(services)
    async with services.read() as session:
        by_worker = (await session.execute(
            select(Job.done_by, func.count()).where(Job.kind == "conversation.close")
            .group_by(Job.done_by))).all()
    assert len(by_worker) == 2, by_worker  # both took part
