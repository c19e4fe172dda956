"""Speed: first response, resolution and handling times (median and p90, calendar and
business hours) and SLA attainment. The timestamps are selected in SQL; the durations in
working hours and the percentiles are computed in Python (docs/reports.md)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.models import Conversation, Status
from walletdesk.reports.daily import daily_duration_figures
from walletdesk.reports.figures import Durations, Speed
from walletdesk.reports.filters import ReportFilter, cohort_ids, conversation_conditions
from walletdesk.reports.hourly import measured
from walletdesk.reports.measures import (
    WorkingHours,
    duration_figures,
    first_agent_reply,
    first_customer_message,
    median,
    percentile,
    rate,
)
from walletdesk.reports.rollups import FactSource, fact_source
from walletdesk.reports.volume import period_of

RESOLVED = (Status.resolved, Status.closed)
SLA_COUNTS = ("first_response_due", "first_response_breached", "resolution_due",
              "resolution_breached")


class Timeline(NamedTuple):
    conversation_id: int
    team_id: int | None
    assignee_id: int | None
    first_customer_at: datetime
    first_reply_at: datetime | None
    assigned_at: datetime | None
    resolved_at: datetime | None


async def timelines(session: AsyncSession, report: ReportFilter) -> list[Timeline]:
    """Per conversation of the report that a customer wrote in: its measured moments."""
    ids = cohort_ids(report)
    first_customer = first_customer_message(ids)
    first_reply = first_agent_reply(ids, first_customer)
    resolved_at = case((Conversation.status.in_(RESOLVED), Conversation.resolved_at),
                       else_=None)
    rows = await session.execute(
        select(Conversation.id, Conversation.team_id, Conversation.assignee_id,
               first_customer.c.at, first_reply.c.at, Conversation.assigned_at, resolved_at)
        .join(first_customer, first_customer.c.cid == Conversation.id)
        .outerjoin(first_reply, first_reply.c.cid == Conversation.id)
        .where(*conversation_conditions(report)))
    return [Timeline(*row) for row in rows]


def durations(pairs: Sequence[tuple[int | None, datetime, datetime]],
              hours: WorkingHours) -> Durations:
    calendar = [(end - start).total_seconds() for _, start, end in pairs]
    business = [hours.seconds(team_id, start, end) for team_id, start, end in pairs]
    return Durations(count=len(pairs), median_s=median(calendar),
                     p90_s=percentile(calendar, 0.9), business_median_s=median(business),
                     business_p90_s=percentile(business, 0.9))


def first_response_pairs(rows: Sequence[Timeline]) -> list[tuple[int | None, datetime, datetime]]:
    return [(r.team_id, r.first_customer_at, r.first_reply_at) for r in rows
            if r.first_reply_at is not None]


def resolution_pairs(rows: Sequence[Timeline]) -> list[tuple[int | None, datetime, datetime]]:
    return [(r.team_id, r.first_customer_at, r.resolved_at) for r in rows
            if r.resolved_at is not None and r.resolved_at >= r.first_customer_at]


def handling_pairs(rows: Sequence[Timeline]) -> list[tuple[int | None, datetime, datetime]]:
    """From the (last) assignment to an agent to the resolve, for conversations a person
    answered."""
    return [(r.team_id, r.assigned_at, r.resolved_at) for r in rows
            if r.resolved_at is not None and r.assigned_at is not None
            and r.first_reply_at is not None and r.resolved_at >= r.assigned_at]


async def _speed_from_facts(session: AsyncSession, report: ReportFilter,
                            source: FactSource) -> Speed:
    facts = source.facts
    names = [f"{measure}{kind}" for measure in ("first_response", "resolution", "handling")
             for kind in ("_s", "_business_s")]
    view = await source.hourly(session, totals=True)
    days = await source.daily(session, customers=False)
    figures = None if days is None else await daily_duration_figures(session, days, names)
    if figures is None:
        figures = await duration_figures(session, facts, names, measured(view, names))

    def durations_of(measure: str) -> Durations:
        count, median_s, p90_s = figures[f"{measure}_s"]
        _, business_median, business_p90 = figures[f"{measure}_business_s"]
        return Durations(count=count, median_s=median_s, p90_s=p90_s,
                         business_median_s=business_median, business_p90_s=business_p90)

    if view is not None:
        sla: Any = [view.total(name) for name in SLA_COUNTS]
    else:
        sla = (await session.execute(select(
            *(func.count(case((facts.c[name], 1))) for name in SLA_COUNTS)))).one()
    return _speed(report, durations_of("first_response"), durations_of("resolution"),
                  durations_of("handling"), *(int(v) for v in sla))


def _speed(report: ReportFilter, first_response: Durations, resolution: Durations,
           handling: Durations, first_due: int, first_breached: int, resolution_due: int,
           resolution_breached: int) -> Speed:
    return Speed(
        period=period_of(report), first_response=first_response, resolution=resolution,
        handling=handling,
        sla_first_response_due=first_due, sla_first_response_breached=first_breached,
        sla_resolution_due=resolution_due, sla_resolution_breached=resolution_breached,
        sla_first_response_attainment=rate(first_due - first_breached, first_due),
        sla_resolution_attainment=rate(resolution_due - resolution_breached, resolution_due))


async def speed_report(session: AsyncSession, report: ReportFilter, *,
                       live: bool = False) -> Speed:
    """From the rollup where it covers the period (walletdesk.reports.rollups), else (or
    with ``live``) from the conversations and messages."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _speed_from_facts(session, report, source)
    rows = await timelines(session, report)
    hours = await WorkingHours.load(session)
    sla = (await session.execute(
        select(func.count(Conversation.first_response_due_at),
               func.count(case((Conversation.first_response_breached.is_(True), 1))),
               func.count(Conversation.resolution_due_at),
               func.count(case((Conversation.resolution_breached.is_(True), 1))))
        .where(*conversation_conditions(report)))).one()
    return _speed(report, durations(first_response_pairs(rows), hours),
                  durations(resolution_pairs(rows), hours), durations(handling_pairs(rows), hours),
                  *(int(v) for v in sla))
