"""Migration 0034 fills what the worker writes from then on: each fact's ``previous_at``, the
start of its customer's conversation before it (both engines, over the benchmark's generated
history)."""

import importlib

from sqlalchemy import select, text, update

from tests.reports.test_rollups import refresh, write_history
from walletdesk.reports.rollup_models import ConversationFacts
from walletdesk.services import Services

MIGRATION = importlib.import_module(
    "walletdesk.db.migrations.versions.0034_report_facts_previous_at")


async def _previous(session):  # type: ignore[no-untyped-def]
    f = ConversationFacts
    return (await session.execute(select(f.conversation_id, f.customer_id, f.created_at,
                                         f.previous_at).order_by(f.conversation_id))).all()


async def test_the_migration_fills_what_the_worker_writes(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    async with services.read() as session:
        facts = await _previous(session)
    firsts = [row for row in facts if row.previous_at is None]
    assert firsts and len(firsts) < len(facts)  # customers who came back, and new ones
    assert len(firsts) == len({row.customer_id for row in facts})  # one first each
    assert all(row.previous_at is None or row.previous_at <= row.created_at for row in facts)
    async with services.transaction() as session:
        await session.execute(update(ConversationFacts).values(previous_at=None))
        await session.execute(text(MIGRATION.backfill_sql()))
    async with services.read() as session:
        assert await _previous(session) == facts
