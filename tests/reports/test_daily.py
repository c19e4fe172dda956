"""The daily rows (distinct customers, duration histograms, per-agent counts) and the
buckets beside every duration give the same figures as sorting and counting the facts:
over the benchmark's generated history, on both engines, for the reports they serve (no
filter or one of channel, team, language, category, in any zone, with edges at both ends of
the period in Asia/Shanghai and Asia/Kolkata and the newest conversations computed live)."""

import importlib
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import Float, Integer, delete, func, literal, select, text, update

from tests.reports.test_rollups import END, assert_same_figures, filters, refresh, write_history
from walletdesk.reports.agents import agent_pass
from walletdesk.reports.daily import (
    DAILY,
    Ask,
    _values_at_ranks,
    bucket_of,
    customer_counts,
    daily_duration_figures,
)
from walletdesk.reports.filters import ReportFilter, parse_filter
from walletdesk.reports.hourly import cohort_scope
from walletdesk.reports.measures import duration_figures, grouped_medians
from walletdesk.reports.rollup_models import BUCKET_EDGES, DURATIONS, RollupState
from walletdesk.reports.rollups import STATE_ID, fact_source
from walletdesk.services import Services

MIGRATION = importlib.import_module(
    "walletdesk.db.migrations.versions.0031_report_daily_durations")


def daily_filters() -> list[ReportFilter]:
    """Those of ``filters()`` the daily rows serve, and a period shorter than a day."""
    chosen = [report for report in filters() if cohort_scope(report) is not None]
    return [*chosen, parse_filter(start="2026-03-12", end="2026-03-12", tz="Asia/Shanghai"),
            parse_filter(start="2026-03-01", end="2026-03-19", tz="Asia/Shanghai",
                         channel="widget")]


async def test_the_migrations_buckets_are_bucket_of(services: Services) -> None:
    """The buckets migration 0031 writes into existing facts (SQL) are those the worker
    writes (Python), at and around every edge."""
    values = [0.0, 0.5, 1.0, 1.0000001, 59.999, 3600.0, 2.0 ** 27, 2.0 ** 40]
    for edge in BUCKET_EDGES[::7]:
        values += [edge, edge * (1 - 1e-12), edge * (1 + 1e-12)]
    async with services.read() as session:
        postgresql = session.bind.dialect.name == "postgresql"
        rows = " UNION ALL ".join(
            f"SELECT {n} AS n, CAST({value!r} AS DOUBLE PRECISION) AS v"
            for n, value in enumerate(values))
        found = dict((await session.execute(text(
            f"SELECT n, {MIGRATION._bucket_sql('v', postgresql)} "  # noqa: S608 - constants
            f"FROM ({rows}) AS t"))).all())
    assert found == {n: bucket_of(value) for n, value in enumerate(values)}
    assert bucket_of(None) is None


async def recount(session: Any, report: ReportFilter) -> None:
    """The daily path of every figure it serves against the facts sorted and counted."""
    source = await fact_source(session, report)
    assert source is not None
    view = await source.daily(session)
    assert view is not None, report
    facts = source.facts
    customers, new = (await session.execute(select(
        func.count(facts.c.customer_id.distinct()),
        func.count(func.distinct(facts.c.customer_id)).filter(
            facts.c.customer_first_at >= report.start_utc)))).one()
    assert customer_counts(view) == (customers, new), report
    sorted_in_sql = await duration_figures(session, facts, DURATIONS)
    assert await daily_duration_figures(session, view, DURATIONS) == sorted_in_sql, report
    names = ["first_response_s", "resolution_s"]
    assert (await agent_pass(session, facts, names))[0] \
        == await grouped_medians(session, facts, "assignee_id", names), report
    if cohort_scope(report) == ("all", ""):
        assert await source.agent_days(session) is not None


async def test_daily_rows_equal_the_facts(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    async with services.read() as session:
        for report in daily_filters():
            await recount(session, report)
        assert await session.scalar(select(func.count()).select_from(DAILY)) > 0

    # the newest conversations computed live: the period's tail from the facts
    async with services.transaction() as session:
        await session.execute(update(RollupState).where(RollupState.id == STATE_ID)
                              .values(covered_until=END - timedelta(days=4, hours=5)))
    async with services.read() as session:
        for report in daily_filters():
            await recount(session, report)

    # after migration 0031 the worker counts every day once, with nothing queued
    async with services.transaction() as session:
        await session.execute(delete(DAILY))
        await session.execute(update(RollupState).where(RollupState.id == STATE_ID)
                              .values(daily_ready=False))
    async with services.read() as session:
        assert await (await fact_source(session, filters()[0])).daily(session) is None  # type: ignore[union-attr]
    await refresh(services)
    async with services.read() as session:
        for report in daily_filters():
            await recount(session, report)
    await assert_same_figures(services)


async def test_a_rank_of_the_stored_values_and_the_edges(services: Services) -> None:
    """``_values_at_ranks`` equals the sorted union of the stored values (per part and key,
    from the database) and the edges at every rank, with ties within and across them; a
    count that is not the expected one gives None (the caller sorts the facts)."""
    rng = random.Random(13)
    for _ in range(40):
        groups = {}
        parts = []
        for part, key in ((0, 1), (0, 2), (1, 1)):
            stored = [rng.choice((1.0, 2.0, 2.0, 3.5, 4.0, rng.random() * 5))
                      for _ in range(rng.randint(0, 12))]
            edges = sorted(rng.choice((0.5, 2.0, 3.5, 6.0, rng.random() * 7))
                           for _ in range(rng.randint(0, 5)))
            if not stored and not edges:
                continue
            groups[(part, key)] = (stored, edges)
            parts += [select(literal(part, Integer).label("part"),
                             literal(key, Integer).label("key"),
                             literal(value, Float).label("seconds")) for value in stored]
        asks = {place: Ask(expected=len(stored) + len(edges), edges=edges,
                           ranks=set(range(1, len(stored) + len(edges) + 1)))
                for place, (stored, edges) in groups.items()}
        async with services.read() as session:
            found = await _values_at_ranks(session, parts, asks, keyed=True)
            assert found == {place: dict(enumerate(sorted(stored + edges), start=1))
                             for place, (stored, edges) in groups.items()}
            if asks:
                next(iter(asks.values())).expected += 1
                assert await _values_at_ranks(session, parts, asks, keyed=True) is None
