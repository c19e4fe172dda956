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
from walletdesk.reports.measures import utc_quarter_hour
from walletdesk.reports.reasons import reason_rows
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


async def reason_trend_report(session: AsyncSession, report: ReportFilter, *,
                              top: int = TOP) -> ReasonTrend:
    rows = reason_rows(report)
    quarter = utc_quarter_hour(rows.c.created_at).label("quarter")
    counted = await session.execute(select(rows.c.reason, quarter, func.count())
                                    .group_by(rows.c.reason, quarter))
    weekly = len(report.days) > DAILY_UP_TO
    buckets = sorted({bucket_start(day, weekly) for day in report.days})
    cells: Counter[tuple[str, date]] = Counter()
    totals: Counter[str] = Counter()
    for reason, key, count in counted:
        local = datetime.strptime(key, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) \
            .astimezone(report.zone)
        cells[(reason, bucket_start(local.date(), weekly))] += int(count)
        totals[reason] += int(count)
    ranked = sorted(totals, key=lambda reason: (-totals[reason], reason))
    shown, rest = ranked[:top], ranked[top:]
    series = [ReasonSeries(reason=reason, total=totals[reason],
                           counts=[cells[(reason, b)] for b in buckets]) for reason in shown]
    if rest:
        series.append(ReasonSeries(
            reason=OTHER, total=sum(totals[r] for r in rest),
            counts=[sum(cells[(r, b)] for r in rest) for b in buckets]))
    return ReasonTrend(period=period_of(report), bucket="week" if weekly else "day",
                       buckets=buckets, series=series)
