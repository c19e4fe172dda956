"""Volume: how many conversations and messages, when, through which channel, about what, in
which language, and from new or returning customers."""

from collections import Counter
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.reports.daily import customer_counts
from walletdesk.reports.figures import Count, DayCount, HourCell, Period, Volume
from walletdesk.reports.filters import ReportFilter, cohort_ids, conversation_conditions
from walletdesk.reports.hourly import (
    ALL,
    breakdown_counts,
    cohort_scope,
    local_hours,
    message_local_hours,
)
from walletdesk.reports.measures import local_counts, quarters_to_local
from walletdesk.reports.rollups import FactSource, fact_source

PUBLIC_SENDERS = (SenderKind.customer, SenderKind.agent, SenderKind.bot)
BREAKDOWNS = ("channel", "category", "language")  # in the order counts_by reads them


def period_of(report: ReportFilter) -> Period:
    return Period(start=report.start, end=report.end, timezone=report.timezone)


def public_message_conditions(report: ReportFilter) -> list:  # type: ignore[type-arg]
    return [Message.conversation_id.in_(cohort_ids(report)),
            Message.sender_kind.in_(PUBLIC_SENDERS), Message.is_internal.is_(False)]


async def _counts_by(session: AsyncSession, report: ReportFilter, column: object) -> list[Count]:
    rows = await session.execute(
        select(column, func.count()).where(*conversation_conditions(report))
        .group_by(column).order_by(func.count().desc(), column))
    return [Count(key=key or "", count=count) for key, count in rows]


async def conversation_count(session: AsyncSession, report: ReportFilter) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Conversation).where(*conversation_conditions(report)))
        or 0)


async def message_count(session: AsyncSession, report: ReportFilter) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Message).where(*public_message_conditions(report)))
        or 0)


async def _volume_from_facts(session: AsyncSession, report: ReportFilter,
                             source: FactSource) -> Volume:
    facts, quarters = source.facts, source.quarters
    view = await source.hourly(session, *BREAKDOWNS)
    if view is not None:
        per_hour = local_hours(view, report)
        message_hours = message_local_hours(view, report)
    else:
        per_hour = await local_counts(session, facts.c.created_at, [], report)
        message_hours = quarters_to_local(await session.execute(
            select(quarters.c.quarter, func.sum(quarters.c.messages))
            .group_by(quarters.c.quarter)), report)
    if cohort_scope(report) == (ALL, ""):
        # each customer once: at their first conversation of the period (the one before it
        # started earlier, or there is none: a new customer), one index read of the facts
        first_here = or_(facts.c.previous_at.is_(None), facts.c.previous_at < report.start_utc)
        customers, new = (await session.execute(select(
            func.count(case((first_here, 1))),
            func.count(case((facts.c.previous_at.is_(None), 1)))))).one()
    elif (days := await source.daily(session, durations=False)) is not None:
        customers, new = customer_counts(days)
    else:
        customers, new = (await session.execute(select(
            func.count(facts.c.customer_id.distinct()),
            func.count(case((facts.c.customer_first_at >= report.start_utc,
                             facts.c.customer_id)).distinct())))).one()

    # the three groupings in one pass, ordered as ``_counts_by`` orders them in SQL: count
    # descending, then the value in code-point order (the C collation) with no value last on
    # PostgreSQL and first on SQLite
    nulls_last = session.bind.dialect.name == "postgresql"
    if view is None:  # a half-hour zone: the breakdowns' totals from the hourly rows still
        view = await source.hourly(session, *BREAKDOWNS, totals=True)
    if view is not None and view.breakdowns:
        groups = [Counter(breakdown_counts(view, breakdown)) for breakdown in BREAKDOWNS]
    else:
        groups = [Counter() for _ in BREAKDOWNS]
        for row in await session.execute(
                select(facts.c.channel, facts.c.category, facts.c.language, func.count())
                .group_by(facts.c.channel, facts.c.category, facts.c.language)):
            for position, counts in enumerate(groups):
                counts[row[position]] += int(row[3])

    def counts_by(position: int) -> list[Count]:
        ordered = sorted(groups[position].items(), key=lambda item: (
            -item[1], (item[0] is None) == nulls_last, item[0] or ""))
        return [Count(key=key or "", count=count) for key, count in ordered]

    return _volume(report, per_hour, message_hours, int(customers), int(new),
                   counts_by(0), counts_by(1), counts_by(2))


def _volume(report: ReportFilter, per_hour: Counter[datetime],
            message_hours: Counter[datetime], customer_count: int, new: int,
            by_channel: list[Count], by_category: list[Count],
            by_language: list[Count]) -> Volume:
    days: Counter[date] = Counter()
    message_days: Counter[date] = Counter()
    cells: Counter[tuple[int, int]] = Counter()
    for moment, count in per_hour.items():
        days[moment.date()] += count
        cells[(moment.weekday(), moment.hour)] += count
    for moment, count in message_hours.items():
        message_days[moment.date()] += count
    return Volume(
        period=period_of(report), conversations=sum(per_hour.values()),
        messages=sum(message_hours.values()), customers=customer_count, new_customers=new,
        returning_customers=customer_count - new,
        # every day of the period, zeros included (a chart's gaps are real quiet days)
        by_day=[DayCount(day=day, conversations=days[day], messages=message_days[day])
                for day in report.days],
        by_hour=[HourCell(weekday=weekday, hour=hour, conversations=cells[(weekday, hour)])
                 for weekday in range(7) for hour in range(24)],
        by_channel=by_channel, by_category=by_category, by_language=by_language)


async def volume_report(session: AsyncSession, report: ReportFilter, *,
                        live: bool = False) -> Volume:
    """From the rollup where it covers the period (walletdesk.reports.rollups), else (or
    with ``live``) counted from the conversations and messages."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _volume_from_facts(session, report, source)
    conditions = conversation_conditions(report)
    per_hour = await local_counts(session, Conversation.created_at, conditions, report)
    message_hours = await local_counts(session, Message.created_at,
                                       public_message_conditions(report), report)
    customers = select(Conversation.customer_id).where(*conditions).distinct().subquery()
    first_ever = (select(Conversation.customer_id, func.min(Conversation.created_at).label("at"))
                  .where(Conversation.customer_id.in_(select(customers.c.customer_id)))
                  .group_by(Conversation.customer_id).subquery())
    customer_count = int(await session.scalar(select(func.count()).select_from(customers)) or 0)
    new = int(await session.scalar(select(func.count()).select_from(first_ever)
                                   .where(first_ever.c.at >= report.start_utc)) or 0)
    return _volume(report, per_hour, message_hours, customer_count, new,
                   await _counts_by(session, report, Conversation.channel),
                   await _counts_by(session, report, Conversation.category),
                   await _counts_by(session, report, Conversation.language))
