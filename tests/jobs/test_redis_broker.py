"""The job queue through Redis (several worker processes): an idle worker waits quietly and
takes the next job at once; an unreachable Redis is a warning and a retry, not a crash.

redis-py reads with a timeout (5 s by default); a ``BRPOP`` that outlived it made taskiq log a
traceback and restart its receiver every idle 5 s. The tests use a 1 s read timeout (in the
URL) to see in seconds what a desk saw every few seconds.
"""

import asyncio
import logging
import os
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from structlog.testing import capture_logs

from walletdesk.audit.actions import record_audit
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import KINDS, JobContext, job_handler
from walletdesk.jobs.worker import JobQueueBroker, Worker, queue_name
from walletdesk.services import Services

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.multiprocess


@pytest.fixture(autouse=True)
def audit_kind() -> Iterator[None]:
    @job_handler("test.redis_audit")
    async def _audit(ctx: JobContext) -> None:
        record_audit(ctx.session, actor_agent_id=None, action="test.redis_audit")

    yield
    KINDS.pop("test.redis_audit", None)


async def _job_status(services: Services, job_id: int) -> str:
    async with services.read() as session:
        return str(await session.scalar(select(Job.status).where(Job.id == job_id)))


async def test_an_idle_worker_on_redis_waits_quietly_and_takes_the_next_job(services, caplog):
    caplog.set_level(logging.WARNING)
    services.settings = services.settings.model_copy(update={
        "redis_url": REDIS_URL + "?socket_timeout=1", "worker_poll_s": 0.05})
    worker, stop = Worker(services, name="redis-test"), asyncio.Event()
    with capture_logs() as logs:
        running = asyncio.create_task(worker.run(stop))
        try:
            await asyncio.sleep(3.5)  # idle for three read timeouts and more
            async with services.transaction() as session:
                job = await schedule_job(session, "test.redis_audit")
            async with asyncio.timeout(30):
                while await _job_status(services, job.id) != JobStatus.done:
                    await asyncio.sleep(0.05)
            complaints = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
            complaints += [e["event"] for e in logs if e["log_level"] in ("warning", "error")]
        finally:
            stop.set()
            await running
            redis = Redis.from_url(REDIS_URL)
            await redis.delete(queue_name(services.settings.database_url))
            await redis.aclose()
    assert complaints == []  # (taskiq says it was cancelled when the worker stops: after)


async def test_an_unreachable_redis_is_a_warning_and_a_retry(monkeypatch):
    """Each failed attempt warns and waits longer, up to the last wait of RECONNECT_S (made
    milliseconds here). The test counts attempts, it does not time them."""
    import walletdesk.jobs.worker as worker_module

    monkeypatch.setattr(worker_module, "RECONNECT_S", (0.0, 0.001, 0.002))
    broker = JobQueueBroker("redis://127.0.0.1:1/0", queue_name="walletdesk:jobs:nowhere")
    with capture_logs() as logs:
        listening = asyncio.ensure_future(anext(broker.listen()))

        def retries() -> list[float]:
            return [e["retry_in_s"] for e in logs if e["event"] == "worker.redis_unavailable"]

        async with asyncio.timeout(30):  # reached only if it stops trying again
            while len(retries()) < 4:
                await asyncio.sleep(0.01)
        listening.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listening
    await broker.connection_pool.disconnect()
    assert retries()[:4] == [0.0, 0.001, 0.002, 0.002]  # longer each time, then the last


async def test_a_worker_whose_redis_is_down_keeps_running(services):
    """A due job cannot be sent to an unreachable Redis: a warning, and the worker polls on
    (the job's lease expires and it is taken again once Redis is back)."""
    services.settings = services.settings.model_copy(update={
        "redis_url": "redis://127.0.0.1:1/0", "worker_poll_s": 0.05})
    async with services.transaction() as session:
        await schedule_job(session, "test.redis_audit")
    worker, stop = Worker(services, name="redis-down"), asyncio.Event()
    with capture_logs() as logs:
        running = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(2)
        alive = not running.done()
        stop.set()
        await running
    assert alive
    assert any(e["event"] == "worker.queue_unavailable" for e in logs)
