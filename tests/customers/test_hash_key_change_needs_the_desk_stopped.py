"""Changing WALLETDESK_HASH_KEY (`walletdesk keys rotate --new-hash-key`) is refused while the
desk runs: a desk looking customers up with the old key while their hashes are recomputed
takes a returning customer for a new one. A running worker (the embedded one of `serve`, or
`walletdesk worker`) is seen by the jobs it finishes; once it is stopped the change goes on."""

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.customers.test_keys_rotation import (  # noqa: F401 - keyring_restored: a fixture
    ADDRESSES,
    KEY_A,
    TYPO_HASH_KEY,
    email_customer,
    keyring_restored,
    stored,
    use_keys,
)
from walletdesk.customers import keys
from walletdesk.customers.keys import DeskRunning, rotate_keys
from walletdesk.customers.models import Customer
from walletdesk.jobs.models import Job
from walletdesk.jobs.worker import Worker


async def _a_job_done(services) -> bool:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return bool(await session.scalar(select(func.count()).select_from(Job)
                                         .where(Job.done_at.is_not(None))))


async def test_a_new_hash_key_waits_for_the_desk_to_stop(services, monkeypatch):  # type: ignore[no-untyped-def]
    use_keys(KEY_A)
    customers = [await email_customer(services, address) for address in ADDRESSES]
    stop = asyncio.Event()
    worker = Worker(services, name="desk")
    running = asyncio.create_task(worker.run(stop))  # the desk's worker, as serve runs it
    try:
        for _ in range(300):  # it starts the recurring jobs and runs the due ones at once
            if await _a_job_done(services):
                break
            await asyncio.sleep(0.05)
        assert await _a_job_done(services)
        before = await stored(services)

        use_keys(KEY_A, hash_key=TYPO_HASH_KEY)  # the new hash key, on purpose
        with pytest.raises(DeskRunning, match=r"the desk seems to be running \(a worker "
                           r"(finished a job \d+ s ago|holds a job now)\): stop every "
                           r"`walletdesk serve` and `walletdesk worker`.*Nothing was changed"):
            await rotate_keys(services, new_hash_key=True)
        assert await stored(services) == before

        env = {k: v for k, v in os.environ.items() if not k.startswith("WALLETDESK_")}
        env.update({"WALLETDESK_DATABASE_URL": services.settings.database_url,
                    "WALLETDESK_ENCRYPTION_KEYS": KEY_A, "WALLETDESK_HASH_KEY": TYPO_HASH_KEY,
                    "WALLETDESK_SECRET_KEY": services.settings.secret_key, "COLUMNS": "300"})
        done = subprocess.run([sys.executable, "-m", "walletdesk.cli", "keys", "rotate",
                               "--new-hash-key"], env=env, capture_output=True, text=True)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "error: the desk seems to be running" in " ".join(done.stdout.split())
        assert await stored(services) == before
    finally:
        for _ in range(100):  # between two jobs (the next ones are due in a minute)
            if worker.in_flight == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await running  # stops its broker too

    # stopped: once its last job is older than the quiet time, the change goes on
    monkeypatch.setattr(keys, "DESK_QUIET", timedelta(seconds=1))
    await asyncio.sleep(1.2)
    done = await rotate_keys(services, new_hash_key=True)
    assert (done.customers, done.identities) == (4, 4)
    # the desk started with the new key finds every customer writing again: no duplicates
    assert [await email_customer(services, a) for a in ADDRESSES] == customers
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 4
