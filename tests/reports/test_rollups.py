"""The rollup gives the same figures as the live recount: over a generated history (the
benchmark's generator, written with plain inserts on both engines), for several filters and
time zones, with the newest conversations computed live and merged, and after changes that
the worker must notice (a resolve, a new message, a rating, new working hours)."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, delete, func, select, text, update

from tests.conftest import create_pg_database, drop_pg_database, make_settings
from walletdesk import crypto
from walletdesk.accounts.models import Team
from walletdesk.bench.reports import HistoryWriter, ReportsBenchConfig
from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.crypto import EncryptedText
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.models import Base
from walletdesk.reports import rollups
from walletdesk.reports.agents import agents_report
from walletdesk.reports.filters import ReportFilter, parse_filter
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.hourly import view_scope
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.rollup_models import (
    ConversationFacts,
    HourlyCounts,
    ReportDirty,
    RollupState,
)
from walletdesk.reports.rollups import (
    STATE_ID,
    RollupConnections,
    fact_source,
    refresh_rollups,
)
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.volume import volume_report
from walletdesk.services import Services

END = datetime(2026, 3, 20, tzinfo=UTC)
REPORTS = (volume_report, speed_report, outcome_report, satisfaction_report, agents_report,
           summary_report, reasons_report, reason_trend_report, first_contact_report)


async def write_history(database: Database, conversations: int = 160,
                        messages: int = 1300) -> None:
    """The benchmark's history, through SQLAlchemy (both engines) instead of COPY."""
    tables = Base.metadata.tables

    async def copy(table: str, rows: list[tuple[Any, ...]], columns: list[str]) -> None:
        target = tables[table]
        values = []
        for row in rows:
            item = dict(zip(columns, row, strict=True))
            for name, value in item.items():
                kind = target.c[name].type
                if value is not None and isinstance(kind, EncryptedText):
                    item[name] = crypto.keyring().decrypt(value)  # the type seals it again
                elif value is not None and isinstance(kind, JSON):
                    item[name] = json.loads(value)
            values.append(item)
        async with database.engine.begin() as conn:
            await conn.execute(target.insert(), values)

    config = ReportsBenchConfig(conversations=conversations, messages=messages, days=21)
    writer = HistoryWriter(copy, config, END)
    await writer.seed_people()
    await writer.write()
    if database.engine.dialect.name == "postgresql":  # the rows came with their ids
        async with database.engine.begin() as conn:
            for table in ("teams", "agents", "labels", *HistoryWriter.COLUMNS):
                if "id" in tables[table].c:
                    await conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def filters() -> list[ReportFilter]:
    """Read from the hourly counts: no filter or one of channel, team, language, category in
    a whole-hour zone (New York's changes to summer time on 8 March), their totals also in a
    half-hour or quarter-hour zone (Kolkata, +05:30; Kathmandu, +05:45); from the facts: an
    agent, a label, two filters."""
    period = {"start": "2026-03-01", "end": "2026-03-19"}
    return [parse_filter(**period), parse_filter(**period, tz="Asia/Kolkata", team_id="1"),
            parse_filter(**period, tz="Asia/Shanghai", channel="widget", label_id="1"),
            parse_filter(start="2026-03-12", end="2026-03-12", tz="America/New_York",
                         agent_id="3"),
            parse_filter(**period, tz="America/New_York", category="fees"),
            parse_filter(**period, tz="Asia/Shanghai", team_id="2"),
            parse_filter(start="2026-03-10", end="2026-03-19", language="en"),
            parse_filter(start="2026-03-10", end="2026-03-19", channel="widget",
                         language="en"),
            # half-hour zones read the totals of the hourly rows and the daily rows, the
            # partial hours at the ends from the facts (decision 0039)
            parse_filter(**period, tz="Asia/Kolkata"),
            parse_filter(start="2026-03-10", end="2026-03-19", tz="Asia/Kathmandu",
                         channel="widget"),
            # without a filter, their local days and hours from the quarter rows
            parse_filter(start="2026-03-10", end="2026-03-19", tz="Asia/Kathmandu")]


async def assert_same_figures(services: Services) -> None:
    async with services.read() as session:
        for report in filters():
            for compute in REPORTS:
                rolled = (await compute(session, report)).model_dump()
                live = (await compute(session, report, live=True)).model_dump()
                assert rolled == live, (compute.__name__, report)
            rows = await product_export(session, report)
            assert [row.model_dump() for row in rows] == [
                row.model_dump() for row in await product_export(session, report, live=True)]


async def refresh(services: Services) -> None:
    while await refresh_rollups(RollupConnections.of(services), limit=100) == 100:
        pass


async def test_rollup_equals_the_live_recount(services: Services) -> None:
    await write_history(services.db)
    async with services.read() as session:
        assert await fact_source(session, filters()[0]) is None  # not built yet: live
    await refresh(services)
    async with services.read() as session:
        assert await fact_source(session, filters()[0]) is not None
        assert await session.scalar(select(ConversationFacts.conversation_id).limit(1))
        volume = await volume_report(session, filters()[0])
    assert volume.conversations > 100 and volume.messages > 700
    await assert_same_figures(services)

    # the newest conversations are computed live and merged with the rollup's rows
    async with services.transaction() as session:
        await session.execute(update(RollupState).where(RollupState.id == STATE_ID)
                              .values(covered_until=END - timedelta(days=4)))
    await assert_same_figures(services)

    # changes the worker must notice: a resolve, a reply, a rating, another team
    async with services.transaction() as session:
        open_one = await session.scalar(select(Conversation).where(
            Conversation.status == Status.assigned).order_by(Conversation.id).limit(1))
        assert open_one is not None
        open_one.last_seq += 1
        session.add(Message(conversation_id=open_one.id, seq=open_one.last_seq,
                            sender_kind=SenderKind.system, text="Resolved",
                            meta={"kind": "resolved"}, created_at=END - timedelta(days=6)))
        open_one.status, open_one.resolved_at = Status.resolved, END - timedelta(days=6)
        survey = await session.scalar(select(Survey).where(Survey.rating.is_(None)).limit(1))
        assert survey is not None
        survey.rating, survey.comment = 1, "late"
        moved = await session.scalar(select(Conversation).where(
            Conversation.team_id == 2).order_by(Conversation.id.desc()).limit(1))
        assert moved is not None
        moved.team_id = 1
        team = await session.get(Team, 1)
        assert team is not None
        team.weekly_hours = {"mon": [["10:00", "12:00"]]}  # every business duration changes
    await refresh(services)
    await assert_same_figures(services)


async def test_reports_read_the_reports_database() -> None:
    """``reports_database_url`` (e.g. a read replica; here a second database on the same
    PostgreSQL server): the figures come from that database, everything else from the
    main one."""
    stamp = f"{datetime.now(UTC):%H%M%S%f}"
    primary_url = await create_pg_database(f"wd_test_primary_{stamp}")
    replica_url = await create_pg_database(f"wd_test_replica_{stamp}")
    try:
        for url in (primary_url, replica_url):
            database = Database(url)
            await upgrade_database(database.engine)
            await database.dispose()
        services = Services(make_settings(primary_url, reports_database_url=replica_url))
        try:
            await write_history(services.reports_db, conversations=40, messages=300)
            report = parse_filter(start="2026-02-01", end="2026-03-19")
            async with services.read() as session:
                assert (await volume_report(session, report)).conversations == 0
            async with services.read_reports() as session:
                assert (await volume_report(session, report)).conversations == 40
        finally:
            await services.stop()
    finally:
        for name in (f"wd_test_primary_{stamp}", f"wd_test_replica_{stamp}"):
            await drop_pg_database(name)


async def queued(services: Services) -> set[int]:
    async with services.read() as session:
        return set((await session.scalars(select(ReportDirty.conversation_id))).all())


async def test_the_worker_takes_only_what_changed(services: Services) -> None:
    """Triggers queue the conversations whose facts change (a message, a rating, a label, a
    deleted conversation); a run computes those alone, and a run with nothing queued
    computes nothing. The figures stay those of the live recount."""
    async with services.transaction() as session:  # what the wipe of the last test queued
        await session.execute(delete(ReportDirty))
    await write_history(services.db, conversations=80, messages=600)
    assert len(await queued(services)) == 80  # every new conversation
    await refresh(services)
    assert await queued(services) == set()
    assert await refresh_rollups(RollupConnections.of(services)) == 0  # idle: nothing to do
    async with services.read() as session:
        assert view_scope(filters()[0]) == ("all", "")
        assert view_scope(filters()[1]) is None  # +05:30, a team: the facts per quarter hour
        assert view_scope(filters()[-1]) == ("quarter", "")  # +05:45 alone: the quarter rows
        assert await session.scalar(select(func.count()).select_from(HourlyCounts)) > 0

    async with services.transaction() as session:
        rated = await session.scalar(select(Survey).where(Survey.rating.is_(None)).limit(1))
        assert rated is not None
        rated.rating = 5
        talk = await session.scalar(select(Conversation).where(
            Conversation.status == Status.assigned).order_by(Conversation.id).limit(1))
        assert talk is not None
        talk.last_seq += 1
        session.add(Message(conversation_id=talk.id, seq=talk.last_seq,
                            sender_kind=SenderKind.customer, text="still waiting",
                            created_at=END - timedelta(days=2)))
        gone = await session.scalar(select(Conversation).order_by(Conversation.id.desc())
                                    .limit(1))
        assert gone is not None
        gone_id = gone.id
        await session.delete(gone)
        label = await session.scalar(select(Label).where(Label.id == 1))
        assert label is not None
        label.name = "aaa renamed"  # the first label by name of its conversations now
        relabelled = set((await session.scalars(select(ConversationLabel.conversation_id)
                                                .where(ConversationLabel.label_id == 1))).all())
    expected = {rated.conversation_id, talk.id, gone_id} | relabelled
    assert await queued(services) == expected
    # those, and the same customers' conversations resolved in the 7 days before (their
    # first-contact resolution may change): not every conversation
    assert len(expected) <= await refresh_rollups(RollupConnections.of(services)) < 40
    assert await refresh_rollups(RollupConnections.of(services)) == 0
    await assert_same_figures(services)


async def test_a_run_makes_no_message_wait_and_misses_no_change(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the worker computes a queued conversation, a message to it (the trigger's
    upsert of its queue row) does not wait for the run — on SQLite too, where the process
    has one writing connection; the change stays queued and the next run computes it."""
    async with services.transaction() as session:
        await session.execute(delete(ReportDirty))
    await write_history(services.db, conversations=20, messages=120)
    await refresh(services)
    async with services.transaction() as session:
        first = await session.scalar(select(Conversation).order_by(Conversation.id).limit(1))
        assert first is not None
        first.last_seq += 1  # what a message does
    assert first.id in await queued(services)

    computing, go_on = asyncio.Event(), asyncio.Event()
    compute = rollups.compute_facts

    async def paused(*args: Any, **kwargs: Any) -> Any:
        computing.set()
        await go_on.wait()
        return await compute(*args, **kwargs)

    monkeypatch.setattr(rollups, "compute_facts", paused)

    async def run() -> int:
        return await refresh_rollups(RollupConnections.of(services))

    running = asyncio.create_task(run())
    await asyncio.wait_for(computing.wait(), 10)
    async with asyncio.timeout(10):  # before: waited for the whole run (here: for ever)
        async with services.transaction() as session:
            await session.execute(update(Conversation).where(Conversation.id == first.id)
                                  .values(last_seq=Conversation.last_seq + 1))
    go_on.set()
    assert await running >= 1  # (with its customer's others: "came back")
    assert await queued(services) == {first.id}  # changed meanwhile: left for the next run
    monkeypatch.setattr(rollups, "compute_facts", compute)
    await refresh(services)
    assert await queued(services) == set()
    async with services.read() as session:
        facts = await session.get(ConversationFacts, first.id)
        stored = await session.get(Conversation, first.id)
        assert facts is not None and stored is not None and facts.last_seq == stored.last_seq
