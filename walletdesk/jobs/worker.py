"""``walletdesk worker``: finds due jobs and runs them through taskiq.

Each worker process polls the jobs table, leases what is due and kicks one taskiq task per
job. Embedded (no Redis) the broker is taskiq's in-memory one and the task runs in this
process; with ``WALLETDESK_REDIS_URL`` the tasks go through a Redis list and any worker
process may run them. Either way the row decides: a task whose lease was lost does nothing,
and a job whose task was lost (a worker killed, Redis flushed) is leased again once its
lease expires.

With Redis, a worker waits for a task with ``BRPOP`` and a timeout shorter than the
connection's read timeout (redis-py's default is 5 s): a plain ``BRPOP`` on an idle queue
outlived it, so every idle 5 s taskiq logged a traceback, dropped the connection and started
its receiver again (and a task Redis handed over at that moment waited for its lease to
expire).
"""

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncGenerator

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AsyncBroker, InMemoryBroker
from taskiq.api import run_receiver_task
from taskiq.exceptions import SendTaskError
from taskiq_redis import ListQueueBroker

from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.events.bus import desk_key
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services

log = structlog.get_logger(__name__)
TASK_NAME = "walletdesk.run_job"
WAIT_S = 2.0  # the longest BRPOP; a new task is still taken at once
RECONNECT_S = (0.5, 1, 2, 5, 10, 30)  # waits between attempts while Redis is unreachable


def queue_name(database_url: str) -> str:
    """One Redis queue per database: desks sharing a Redis never run each other's jobs."""
    return "walletdesk:jobs:" + desk_key(database_url)


def make_broker(redis_url: str | None, database_url: str) -> AsyncBroker:
    if redis_url is None:
        return InMemoryBroker()
    return JobQueueBroker(redis_url, queue_name=queue_name(database_url))


class JobQueueBroker(ListQueueBroker):
    """taskiq-redis's list queue, waiting for a task in turns shorter than the connection's
    read timeout (the module's docstring), and riding out a Redis restart with a warning
    instead of a traceback. The connection goes back to the pool before a task runs."""

    def wait_s(self) -> float:
        read_timeout = self.connection_pool.connection_kwargs.get("socket_timeout")
        return WAIT_S if not read_timeout else max(0.05, min(WAIT_S, read_timeout / 2))

    async def listen(self) -> AsyncGenerator[bytes, None]:
        wait_s, failures = self.wait_s(), 0
        while True:
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    popped = await redis.brpop([self.queue_name], timeout=wait_s)
            except (RedisError, OSError) as exc:  # down, restarting, read-only after failover
                failures += 1
                if isinstance(exc, RedisTimeoutError) and failures == 1:
                    continue  # one late answer (this process busy, not Redis): ask again
                pause = RECONNECT_S[min(failures - 1, len(RECONNECT_S) - 1)]
                log.warning("worker.redis_unavailable", error=type(exc).__name__,
                            retry_in_s=pause)
                await asyncio.sleep(pause)
                continue
            failures = 0
            if popped is not None:
                yield popped[1]


class Worker:
    def __init__(self, services: Services, name: str | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.broker = make_broker(self.settings.redis_url, self.settings.database_url)
        self.in_flight = 0

        async def run_leased_job(job_id: int, token: str) -> bool:
            self.in_flight += 1
            try:
                return await run_job(self.services, job_id, token, self.name)
            finally:
                self.in_flight -= 1

        self.task = self.broker.register_task(run_leased_job, task_name=TASK_NAME)

    async def tick(self) -> int:
        """Lease what is due (up to the free capacity) and kick it; how many were kicked."""
        free = self.settings.worker_concurrency - self.in_flight
        if free <= 0:
            return 0
        claimed = await claim_due(self.services, free, self.settings.job_lease_s)
        for job_id, token in claimed:
            await self.task.kiq(job_id, token)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        await self.broker.startup()
        receiver = None
        if self.settings.redis_url is not None:
            receiver = asyncio.create_task(run_receiver_task(
                self.broker, max_async_tasks=self.settings.worker_concurrency))
        from walletdesk.jobs.kinds import seed_recurring

        try:
            await seed_recurring(self.services)
        except DatabaseUnavailable:
            log.warning("worker.database_unavailable")
        log.info("worker.started", worker=self.name, broker=type(self.broker).__name__)
        try:
            while not stop.is_set():
                try:
                    kicked = await self.tick()
                except DatabaseUnavailable:
                    log.warning("worker.database_unavailable")
                    kicked = 0
                except SendTaskError as exc:  # Redis down: the leased jobs come back when their
                    # leases expire (WALLETDESK_JOB_LEASE_S); the worker keeps polling
                    log.warning("worker.queue_unavailable", error=type(exc.__cause__).__name__)
                    kicked = 0
                if kicked == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.worker_poll_s)
                else:
                    await asyncio.sleep(0)
        finally:
            if receiver is not None:
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
            await self.broker.shutdown()
            log.info("worker.stopped", worker=self.name)
