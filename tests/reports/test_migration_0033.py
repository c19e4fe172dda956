"""Migration 0033 fills what the worker writes from then on: the ``quarter`` rows, all
conversations per UTC quarter hour of start and their messages per quarter hour written —
the same rows as the worker's (both engines, over the benchmark's generated history)."""

import importlib

from sqlalchemy import select, text

from tests.reports.test_rollups import refresh, write_history
from walletdesk.reports.hourly import HOURLY, HOURLY_MESSAGES, QUARTER
from walletdesk.reports.rollup_models import HOURLY_COUNTS
from walletdesk.services import Services

MIGRATION = importlib.import_module("walletdesk.db.migrations.versions.0033_report_quarter_rows")


async def _quarter_rows(session):  # type: ignore[no-untyped-def]
    h, m = HOURLY.c, HOURLY_MESSAGES.c
    counts = (await session.execute(
        select(h.value, h.hour, *(h[name] for name in HOURLY_COUNTS))
        .where(h.dimension == QUARTER).order_by(h.hour))).all()
    written = (await session.execute(
        select(m.value, m.hour, m.message_hour, m.messages)
        .where(m.dimension == QUARTER).order_by(m.hour, m.message_hour))).all()
    return counts, written


async def test_the_migration_fills_what_the_worker_writes(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    async with services.read() as session:
        counts, written = await _quarter_rows(session)
        all_hours = await session.scalar(select(HOURLY.c.conversations.label("n")).where(
            HOURLY.c.dimension == "all").limit(1))
    assert all_hours and counts and written
    assert any(hour.minute for _, hour, *_ in counts)  # quarter hours, not hours
    assert any(len(key) == 16 and not key.endswith(":00") for _, _, key, _ in written)
    async with services.transaction() as session:
        postgresql = session.bind.dialect.name == "postgresql"
        await session.execute(HOURLY.delete().where(HOURLY.c.dimension == QUARTER))
        await session.execute(HOURLY_MESSAGES.delete().where(
            HOURLY_MESSAGES.c.dimension == QUARTER))
        for statement in MIGRATION.backfill_sql(postgresql):
            await session.execute(text(statement))
    async with services.read() as session:
        assert await _quarter_rows(session) == (counts, written)
