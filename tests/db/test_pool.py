"""The pool: sized from the settings, no ping per checkout, a dead connection recovered."""

import asyncpg
import pytest
from sqlalchemy import text

from tests.conftest import POSTGRES_ADMIN_DSN, make_settings
from walletdesk.db.engine import DatabaseBusy, DatabaseUnavailable
from walletdesk.services import Services


async def test_the_pool_follows_the_settings(database_url: str) -> None:
    services = Services(make_settings(database_url, database_pool_size=3,
                                      database_max_overflow=2, database_pool_timeout_s=0.5))
    try:
        pool = services.db.engine.pool
        assert pool._pre_ping is False  # type: ignore[attr-defined]  # no round trip per checkout
        assert pool._timeout == 0.5  # type: ignore[attr-defined]
        # SQLite: one connection per process whatever the settings (walletdesk.db.engine)
        expected = (1, 0) if database_url.startswith("sqlite") else (3, 2)
        assert (pool.size(), pool._max_overflow) == expected  # type: ignore[attr-defined]
    finally:
        await services.stop()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_dead_connection_costs_one_retry(database_url: str) -> None:
    """Without pre-ping a connection that died in the pool (a restarted server, a proxy's
    idle timeout) fails its first statement: that request answers "unavailable, retry"
    (not "busy"), the pool is invalidated, and the retry runs on a new connection."""
    services = Services(make_settings(database_url, database_pool_size=1,
                                      database_max_overflow=0))
    try:
        async with services.transaction() as session:
            old_pid = await session.scalar(text("SELECT pg_backend_pid()"))
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", old_pid)
        finally:
            await admin.close()

        outcomes: list[object] = []
        for _ in range(3):  # as the client does: resend after an "unavailable, retry"
            try:
                async with services.transaction() as session:
                    outcomes.append(await session.scalar(text("SELECT pg_backend_pid()")))
                break
            except DatabaseUnavailable as exc:
                assert not isinstance(exc, DatabaseBusy)
                outcomes.append("unavailable")
        assert outcomes[0] == "unavailable"
        assert len(outcomes) == 2 and outcomes[1] not in (old_pid, "unavailable")
    finally:
        await services.stop()
