"""Migration 0032 fills what the worker computes from then on: the survey's team and
"commented" in the facts, and the hourly rows of the ``survey_team`` dimension — the same
values as the worker's (both engines, over the benchmark's generated history)."""

import importlib

from sqlalchemy import select, text, update

from tests.reports.test_rollups import refresh, write_history
from walletdesk.reports.hourly import HOURLY
from walletdesk.reports.rollup_models import HOURLY_COUNTS, ConversationFacts
from walletdesk.services import Services

MIGRATION = importlib.import_module(
    "walletdesk.db.migrations.versions.0032_report_survey_teams_and_comments")


async def _facts(session):  # type: ignore[no-untyped-def]
    f = ConversationFacts
    return (await session.execute(select(f.conversation_id, f.survey_team_id,
                                         f.survey_commented).order_by(f.conversation_id))).all()


async def _team_hours(session):  # type: ignore[no-untyped-def]
    h = HOURLY.c
    return (await session.execute(
        select(h.value, h.hour, *(h[name] for name in HOURLY_COUNTS))
        .where(h.dimension == "survey_team").order_by(h.value, h.hour))).all()


async def test_the_migration_fills_what_the_worker_writes(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    async with services.read() as session:
        facts, hours = await _facts(session), await _team_hours(session)
    assert any(team for _, team, _ in facts) and any(commented for *_, commented in facts)
    assert sum(row[2] for row in hours) == len(facts)  # every conversation, once
    async with services.transaction() as session:
        postgresql = session.bind.dialect.name == "postgresql"
        await session.execute(update(ConversationFacts).values(survey_team_id=None,
                                                               survey_commented=False))
        await session.execute(HOURLY.delete().where(HOURLY.c.dimension == "survey_team"))
        for statement in MIGRATION.backfill_sql(postgresql):
            await session.execute(text(statement))
    async with services.read() as session:
        assert await _facts(session) == facts
        assert await _team_hours(session) == hours
