"""The headline figures of a period beside those of the period before, and every report of a
period at once on one session (``all_reports``: what the tests recount; the reports page
fetches each panel on its own, walletdesk.reports.page)."""

import asyncio

from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from walletdesk.reports.agents import agents_report
from walletdesk.reports.daily import daily_duration_figures, new_customer_count
from walletdesk.reports.figures import (
    Agents,
    Figure,
    Outcome,
    Reasons,
    Satisfaction,
    Speed,
    Summary,
    Volume,
)
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.hourly import measured
from walletdesk.reports.measures import duration_figures, rate
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reasons import reasons_report
from walletdesk.reports.rollups import FactSource, fact_source
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.volume import period_of, volume_report


def headline_of(volume: Volume, speed: Speed, outcome: Outcome,
              satisfaction: Satisfaction) -> dict[str, float | None]:
    return {
        "conversations": volume.conversations, "messages": volume.messages,
        "new_customers": volume.new_customers,
        "first_response_median_s": speed.first_response.median_s,
        "first_response_p90_s": speed.first_response.p90_s,
        "resolution_median_s": speed.resolution.median_s,
        "resolution_p90_s": speed.resolution.p90_s,
        "resolution_rate": outcome.resolution_rate, "reopen_rate": outcome.reopen_rate,
        "bot_containment_rate": outcome.bot_containment_rate,
        "csat": satisfaction.csat, "csat_average": satisfaction.average,
    }


HEADLINE_COUNTS = ("conversations", "messages", "resolved", "ever_resolved", "reopened",
                   "with_bot", "bot_contained", "ratings", "rating_sum", "happy")


async def _headline_from_facts(session: AsyncSession, report: ReportFilter,
                               source: FactSource) -> dict[str, float | None]:
    """The same figures as ``headline_of`` of the four reports, in two queries of the rollup."""
    facts = source.facts
    view = await source.hourly(session, totals=True)
    days = await source.daily(session, customers=False)  # (its new customers alone)
    if view is not None:
        (total, messages, resolved, ever_resolved, reopened, bot, contained, ratings,
         rating_sum, happy) = (view.total(name) for name in HEADLINE_COUNTS)
        if days is not None:
            new = new_customer_count(days)
        else:
            new = int(await session.scalar(select(func.count(case(
                (facts.c.customer_first_at >= report.start_utc, facts.c.customer_id))
                .distinct()))) or 0)
    else:
        row = (await session.execute(select(
            func.count(), func.coalesce(func.sum(facts.c.messages), 0),
            func.count(case((facts.c.customer_first_at >= report.start_utc,
                             facts.c.customer_id)).distinct()),
            func.count(case((facts.c.is_resolved, 1))),
            func.count(case((facts.c.ever_resolved, 1))),
            func.count(case((facts.c.reopened, 1))), func.count(case((facts.c.with_bot, 1))),
            func.count(case((facts.c.bot_contained, 1))), func.count(facts.c.survey_rating),
            func.coalesce(func.sum(facts.c.survey_rating), 0),
            func.count(case((facts.c.survey_rating >= 4, 1)))))).one()
        (total, messages, new, resolved, ever_resolved, reopened, bot, contained, ratings,
         rating_sum, happy) = (int(v or 0) for v in row)
    names = ["first_response_s", "resolution_s"]
    durations = None if days is None else await daily_duration_figures(session, days, names)
    if durations is None:
        durations = await duration_figures(session, facts, names, measured(view, names))
    _, first_median, first_p90 = durations["first_response_s"]
    _, resolution_median, resolution_p90 = durations["resolution_s"]
    return {
        "conversations": total, "messages": messages, "new_customers": new,
        "first_response_median_s": first_median, "first_response_p90_s": first_p90,
        "resolution_median_s": resolution_median, "resolution_p90_s": resolution_p90,
        "resolution_rate": rate(resolved, total), "reopen_rate": rate(reopened, ever_resolved),
        "bot_containment_rate": rate(contained, bot), "csat": rate(happy, ratings),
        "csat_average": round(rating_sum / ratings, 4) if ratings else None,
    }


async def period_headline(session: AsyncSession, report: ReportFilter,
                             live: bool) -> dict[str, float | None]:
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _headline_from_facts(session, report, source)
    return headline_of(*await _parts(session, report, live=live))


async def _parts(session: AsyncSession, report: ReportFilter, *,
                 live: bool = False) -> tuple[Volume, Speed, Outcome, Satisfaction]:
    return (await volume_report(session, report, live=live),
            await speed_report(session, report, live=live),
            await outcome_report(session, report, live=live),
            await satisfaction_report(session, report, comments_limit=100, live=live))


# the headline figures that are counts: whole numbers in the API and the CSV ("61", not
# "61.0"), whatever the query summed them as; rates and durations stay as they are
COUNT_FIGURES = frozenset({"conversations", "messages", "new_customers"})


def _figure(key: str, value: float | None, before: float | None) -> Figure:
    if key in COUNT_FIGURES:
        value, before = (None if v is None else int(round(v)) for v in (value, before))
    change = None if value is None or before is None else (
        value - before if key in COUNT_FIGURES else round(value - before, 4))
    return Figure(key=key, current=value, previous=before, change=change)


def summary_of(report: ReportFilter, now: dict[str, float | None],
             before: dict[str, float | None]) -> Summary:
    return Summary(period=period_of(report), previous_period=period_of(report.previous()),
                   figures=[_figure(key, value, before[key]) for key, value in now.items()])


async def summary_report(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> Summary:
    """From the rollup where it covers the periods (walletdesk.reports.rollups), else (or
    with ``live``) from the four reports computed live. On PostgreSQL the previous period is
    computed meanwhile on a second connection of the same database (SQLite has one)."""
    engine = session.bind
    if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql":
        async with AsyncSession(engine) as beside:
            now, before = await asyncio.gather(
                period_headline(session, report, live),
                period_headline(beside, report.previous(), live))
    else:
        now = await period_headline(session, report, live)
        before = await period_headline(session, report.previous(), live)
    return summary_of(report, now, before)


class AllReports(BaseModel):
    summary: Summary
    volume: Volume
    speed: Speed
    outcome: Outcome
    satisfaction: Satisfaction
    agents: Agents
    reasons: Reasons


async def all_reports(session: AsyncSession, report: ReportFilter, *,
                      live: bool = False) -> AllReports:
    volume, speed, outcome, satisfaction = await _parts(session, report, live=live)
    before = await period_headline(session, report.previous(), live)
    now = headline_of(volume, speed, outcome, satisfaction)
    return AllReports(summary=summary_of(report, now, before),
                      volume=volume, speed=speed, outcome=outcome, satisfaction=satisfaction,
                      agents=await agents_report(session, report),
                      reasons=await reasons_report(session, report))
