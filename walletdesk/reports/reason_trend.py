"""The trend of the top contact reasons: conversations per reason per local day (per week,
Mondays, for periods longer than ``DAILY_UP_TO`` days), the top ``TOP`` reasons of the period
and the rest as "other" (walletdesk.reports.reasons decides each conversation's reason)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.hourly import utc_hour, whole_hours
from walletdesk.reports.measures import utc_quarter_hour
from walletdesk.reports.reasons import reason_rows
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.volume import period_of

TOP = 6
DAILY_UP_TO = 62
OTHER = "other"


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
    """(reason, UTC quarter hour or hour of start, conversations): from the rollup's hourly
    rows (no filter, a whole-hour zone: then the reasons beyond the ``top`` come summed, as
    None, with every reason's total beside) or facts where it covers the period, else (or
    with ``live``) from the conversations."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        view = await source.hourly(session, "reason")
        if view is not None and view.breakdowns:
            totals: Counter[str] = Counter()
            for value, numbers in view.breakdowns["reason"].items():
                totals[value[1:].split(":", 1)[1]] += numbers["conversations"]
            shown = set(sorted(totals, key=lambda r: (-totals[r], r))[:top])
            keep = {value for value in view.breakdowns["reason"]
                    if value[1:].split(":", 1)[1] in shown}
            by_hour = await source.hourly_breakdown(session, "reason", keep)
            assert by_hour is not None  # a view means no filter
            return [(None if value is None else value[1:].split(":", 1)[1], hour, count)
                    for value, hour, count in by_hour], +totals
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


async def reason_trend_report(session: AsyncSession, report: ReportFilter, *,
                              top: int = TOP, live: bool = False) -> ReasonTrend:
    counted, known = await _reason_quarters(session, report, live, top)
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
