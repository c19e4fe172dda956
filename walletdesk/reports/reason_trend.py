"""The trend of the top contact reasons: conversations per reason per local day (per week,
Mondays, for periods longer than ``DAILY_UP_TO`` days), the top ``TOP`` reasons of the period
and the rest as "other" (walletdesk.reports.reasons decides each conversation's reason; the
codes that name one reason are one series, merged when read: ``reason_shown``)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.hourly import (
    ALL,
    HOUR,
    HOURLY,
    cohort_scope,
    hour_of,
    stored_hours,
    utc_hour,
    whole_hours,
)
from walletdesk.reports.measures import utc_quarter_hour
from walletdesk.reports.reasons import reason_rows, reason_shown
from walletdesk.reports.rollups import FactSource, fact_source
from walletdesk.reports.volume import period_of

TOP = 6
DAILY_UP_TO = 62
OTHER = "other"
MOMENT = timedelta(microseconds=1)


class ReasonSeries(BaseModel):
    reason: str = Field(description="'' = none; 'other' = every reason beyond the top ones")
    total: int
    counts: list[int] = Field(description="one per bucket")


class ReasonTrend(BaseModel):
    period: Period
    bucket: str = Field(description="day | week")
    buckets: list[date] = Field(description="the first day of each bucket")
    series: list[ReasonSeries]


def bucket_start(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


async def _reason_quarters(session: AsyncSession, report: ReportFilter, live: bool, top: int
                           ) -> tuple[list[tuple[str | None, str | datetime, int]],
                                      Counter[str] | None]:
    """(reason code, UTC quarter hour or hour of start, conversations): from the rollup's
    hourly rows (no filter: then the codes come as their reasons', those beyond the ``top``
    summed as None, with every reason's total beside) or facts where it covers the period,
    else (or with ``live``) from the conversations."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        if cohort_scope(report) == (ALL, ""):
            return await _split_day_hours(session, report, source, top)
        facts = source.facts
        # per UTC hour where every hour is a whole local hour (a quarter of the rows)
        quarter = (utc_hour(facts.c.created_at) if whole_hours(report)
                   else utc_quarter_hour(facts.c.created_at)).label("quarter")
        return [(reason, key, int(count)) for reason, key, count in await session.execute(
            select(facts.c.reason, quarter, func.count()).group_by(facts.c.reason, quarter))
                ], None
    rows = reason_rows(report)
    quarter = utc_quarter_hour(rows.c.created_at).label("quarter")
    return [(reason, key, int(count)) for reason, key, count in await session.execute(
        select(rows.c.reason, quarter, func.count()).group_by(rows.c.reason, quarter))], None


def _reason_of(value: str) -> str:
    """The reason of a stored ``reason`` value (``"=<kind>:<reason>"``)."""
    return value[1:].split(":", 1)[1]


def _quarter_moment(key: str | datetime) -> datetime:
    moment = key if isinstance(key, datetime) else datetime.fromisoformat(key)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _split_day_hours(session: AsyncSession, report: ReportFilter, source: FactSource,
                           top: int) -> tuple[list[tuple[str | None, str | datetime, int]],
                                              Counter[str]]:
    """No filter, in any zone: the reasons' totals and the UTC hours that lie wholly inside
    one local day from the hourly rows (the top reasons per hour, the others summed as
    None; only the hours and conversations, read from the index on the dimension and the
    hour), and from the facts per quarter hour only the hour a day that a local midnight
    splits (Asia/Kolkata: 18:00 UTC), the partial hours at the period's ends and the
    conversations newer than the rollup's hours (decisions 0039, 0043)."""
    first, until = stored_hours(report, min(hour_of(source.covered_until), report.end_utc))
    zone, hour = report.zone, first
    split: set[datetime] = set()
    while hour < until:
        if hour.astimezone(zone).date() != (hour + HOUR - MOMENT).astimezone(zone).date():
            split.add(hour)
        hour += HOUR
    h = HOURLY.c
    stored = [h.dimension == "reason", h.hour >= first, h.hour < until]
    totals: Counter[str] = Counter()
    by_value = dict((await session.execute(
        select(h.value, func.sum(h.conversations)).where(*stored).group_by(h.value))).all())
    for value, count in by_value.items():
        totals[_reason_of(value)] += int(count)
    ranges = sorted((at, at + HOUR) for at in split)
    if first > report.start_utc:
        ranges.append((report.start_utc, first))
    if until < report.end_utc:
        ranges.append((until, report.end_utc))
    from_facts: list[tuple[str, str | datetime, int]] = []
    if ranges:
        facts = source.facts
        quarter = utc_quarter_hour(facts.c.created_at).label("quarter")
        for reason, key, count in await session.execute(
                select(facts.c.reason, quarter, func.count())
                .where(or_(*(and_(facts.c.created_at >= low, facts.c.created_at < high)
                             for low, high in ranges)))
                .group_by(facts.c.reason, quarter)):
            from_facts.append((reason, key, int(count)))
            if not first <= _quarter_moment(key) < until:  # not in the stored hours' totals
                totals[reason] += int(count)
    for reason, _, _ in from_facts:
        totals[reason] += 0  # known, for its reason
    shown_of = reason_shown(totals)  # one series per reason, whatever its codes
    merged: Counter[str] = Counter()
    for reason, count in totals.items():
        merged[shown_of[reason]] += count
    shown = set(sorted(merged, key=lambda r: (-merged[r], r))[:top])
    keep = {value for value in by_value if shown_of[_reason_of(value)] in shown}
    kept = case((h.value.in_(keep or {""}), h.value), else_=None).label("kept")
    counted: list[tuple[str | None, str | datetime, int]] = []
    hours: dict[datetime, datetime] = {}  # each of ~2,000 hours comes once per reason kept
    reasons: dict[str | None, str | None] = {None: None}
    for value, at, count in await session.execute(
            select(kept, h.hour, func.sum(h.conversations)).where(*stored)
            .group_by(kept, h.hour)):
        if at not in hours:
            hours[at] = hour_of(at)
        if hours[at] not in split:
            if value not in reasons:
                reasons[value] = shown_of[_reason_of(value)]
            counted.append((reasons[value], hours[at], int(count)))
    counted += [(shown_of[reason] if shown_of[reason] in shown else None, key, count)
                for reason, key, count in from_facts]
    return counted, +merged


async def reason_trend_report(session: AsyncSession, report: ReportFilter, *,
                              top: int = TOP, live: bool = False) -> ReasonTrend:
    counted, known = await _reason_quarters(session, report, live, top)
    if known is None:  # per code: one series per reason
        per_code: Counter[str] = Counter()
        for reason, _, count in counted:
            per_code[reason or ""] += count
        shown_of = reason_shown(per_code)
        counted = [(shown_of[reason or ""], key, count) for reason, key, count in counted]
    weekly = len(report.days) > DAILY_UP_TO
    buckets = sorted({bucket_start(day, weekly) for day in report.days})
    cells: Counter[tuple[str | None, date]] = Counter()
    totals: Counter[str] = Counter()
    bucket_of: dict[str | datetime, date] = {}  # per hour or quarter: every reason has it
    for reason, key, count in counted:
        bucket = bucket_of.get(key)
        if bucket is None:
            moment = key if isinstance(key, datetime) else datetime.fromisoformat(key)
            local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) \
                .astimezone(report.zone)
            bucket = bucket_of[key] = bucket_start(local.date(), weekly)
        cells[(reason, bucket)] += int(count)
        if reason is not None:
            totals[reason] += int(count)
    totals = known if known is not None else totals
    ranked = sorted(totals, key=lambda reason: (-totals[reason], reason))
    shown, rest = ranked[:top], ranked[top:]
    series = [ReasonSeries(reason=reason, total=totals[reason],
                           counts=[cells[(reason, b)] for b in buckets]) for reason in shown]
    if rest:  # summed already (None) from the hourly rows, else here
        series.append(ReasonSeries(
            reason=OTHER, total=sum(totals[r] for r in rest),
            counts=[cells[(None, b)] + sum(cells[(r, b)] for r in rest) for b in buckets]))
    return ReasonTrend(period=period_of(report), bucket="week" if weekly else "day",
                       buckets=buckets, series=series)
