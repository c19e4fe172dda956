"""The CSV tables of the reports added beside the first ones (walletdesk.reports.tables):
complaints, follow-up calls, points, first-contact resolution, time online, CSAT per team,
comments and the contact reasons' trend. Same rules: one header row, formulas defused."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.comments import MAX_PAGE, comments_report
from walletdesk.reports.complaints import complaints_report
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.followups import followups_report
from walletdesk.reports.points import points_report
from walletdesk.reports.presence import presence_report
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.tables import Table
from walletdesk.reports.teams import team_satisfaction_report


async def _complaint_categories(session: AsyncSession, report: ReportFilter) -> Table:
    complaints = await complaints_report(session, report)
    return (["category", "complaints"], [(c.key, c.count) for c in complaints.by_category])


async def _complaint_stages(session: AsyncSession, report: ReportFilter) -> Table:
    complaints = await complaints_report(session, report)
    return (["stage", "finished_stays", "median_s", "p90_s", "in_stage_now"],
            [(s.stage, s.stays, s.median_s, s.p90_s, s.still_in_stage)
             for s in complaints.time_in_stage])


async def _compensation(session: AsyncSession, report: ReportFilter) -> Table:
    complaints = await complaints_report(session, report)
    return (["asset", "kind", "complaints", "amount"],
            [(c.asset, c.kind, c.complaints, c.amount) for c in complaints.compensated])


async def _followups(session: AsyncSession, report: ReportFilter) -> Table:
    f = await followups_report(session, report)
    keys = ("tasks", "calls", "reached", "no_answer", "declined", "wrong_number", "opted_out",
            "chat_instead", "open", "reach_rate", "satisfaction_average", "new_cases")
    return (["figure", "value"], [(key, getattr(f, key)) for key in keys])


async def _points(session: AsyncSession, report: ReportFilter) -> Table:
    points = await points_report(session, report)
    return (["day", "credits", "points"],
            [(d.day.isoformat(), d.credits, d.points) for d in points.by_day])


async def _first_contact(session: AsyncSession, report: ReportFilter) -> Table:
    f = await first_contact_report(session, report)
    keys = ("ever_resolved", "reopened", "reopen_rate", "came_back", "first_contact_resolved",
            "first_contact_resolution_rate")
    return (["figure", "value"], [(key, getattr(f, key)) for key in keys])


async def _presence(session: AsyncSession, report: ReportFilter) -> Table:
    presence = await presence_report(session, report)
    return (["agent_id", "agent", "online_s", "away_s", "busy_s", "busy_share"],
            [(a.agent_id, a.agent, a.online_s, a.away_s, a.busy_s, a.busy_share)
             for a in presence.agents])


async def _team_csat(session: AsyncSession, report: ReportFilter) -> Table:
    teams = await team_satisfaction_report(session, report)
    return (["team_id", "team", "asked", "ratings", "response_rate", "average", "csat"],
            [(t.team_id, t.team, t.asked, t.ratings, t.response_rate, t.average, t.csat)
             for t in teams.teams])


async def _all_comments(session: AsyncSession, report: ReportFilter) -> Table:
    comments = await comments_report(session, report, limit=MAX_PAGE)
    return (["conversation_id", "rating", "comment", "agent", "team", "channel", "answered_at",
             "link"],
            [(c.conversation_id, c.rating, c.comment, c.agent, c.team, c.channel,
              c.answered_at.isoformat() if c.answered_at else "", c.link)
             for c in comments.comments])


async def _reason_trend(session: AsyncSession, report: ReportFilter) -> Table:
    trend = await reason_trend_report(session, report)
    return (["bucket", *[s.reason or "(none)" for s in trend.series]],
            [(bucket.isoformat(), *[s.counts[i] for s in trend.series])
             for i, bucket in enumerate(trend.buckets)])


MORE_TABLES: dict[str, Callable[[AsyncSession, ReportFilter], Awaitable[Table]]] = {
    "complaints-by-category": _complaint_categories, "complaint-stages": _complaint_stages,
    "compensation": _compensation, "followups": _followups, "points": _points,
    "first-contact": _first_contact, "presence": _presence, "team-csat": _team_csat,
    "comments-by-team": _all_comments, "contact-reason-trend": _reason_trend,
}
