"""The headline figures of a period beside those of the period before, and every report of a
period at once (the reports page)."""

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.agents import agents_report
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
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reasons import reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.volume import period_of, volume_report


def _headline(volume: Volume, speed: Speed, outcome: Outcome,
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


async def _parts(session: AsyncSession,
                 report: ReportFilter) -> tuple[Volume, Speed, Outcome, Satisfaction]:
    return (await volume_report(session, report), await speed_report(session, report),
            await outcome_report(session, report),
            await satisfaction_report(session, report, comments_limit=100))


def _summary(report: ReportFilter, now: dict[str, float | None],
             before: dict[str, float | None]) -> Summary:
    return Summary(period=period_of(report), previous_period=period_of(report.previous()),
                   figures=[Figure(key=key, current=value, previous=before[key],
                                   change=None if value is None or before[key] is None
                                   else round(value - before[key], 4))  # type: ignore[operator]
                            for key, value in now.items()])


async def summary_report(session: AsyncSession, report: ReportFilter) -> Summary:
    now = _headline(*await _parts(session, report))
    before = _headline(*await _parts(session, report.previous()))
    return _summary(report, now, before)


class AllReports(BaseModel):
    summary: Summary
    volume: Volume
    speed: Speed
    outcome: Outcome
    satisfaction: Satisfaction
    agents: Agents
    reasons: Reasons


async def all_reports(session: AsyncSession, report: ReportFilter) -> AllReports:
    volume, speed, outcome, satisfaction = await _parts(session, report)
    before = _headline(*await _parts(session, report.previous()))
    return AllReports(summary=_summary(report, _headline(volume, speed, outcome, satisfaction),
                                       before),
                      volume=volume, speed=speed, outcome=outcome, satisfaction=satisfaction,
                      agents=await agents_report(session, report),
                      reasons=await reasons_report(session, report))
