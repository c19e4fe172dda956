"""The figures the reports page's panels show beside those of
walletdesk.reports.summary.all_reports, on one session: complaints, follow-up calls, points,
first-contact resolution, time online, CSAT per team, the filtered comments and the contact
reasons' trend (what the tests compare each panel with)."""

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.comments import Comments, comments_report
from walletdesk.reports.complaints import ComplaintsReport, complaints_report
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.first_contact import FirstContact, first_contact_report
from walletdesk.reports.followups import FollowUpsReport, followups_report
from walletdesk.reports.points import PointsReport, points_report
from walletdesk.reports.presence import PresenceReport, presence_report
from walletdesk.reports.reason_trend import ReasonTrend, reason_trend_report
from walletdesk.reports.teams import TeamSatisfaction, team_satisfaction_report


class MoreReports(BaseModel):
    first_contact: FirstContact
    teams: TeamSatisfaction
    comments: Comments
    presence: PresenceReport
    complaints: ComplaintsReport
    followups: FollowUpsReport
    points: PointsReport
    reason_trend: ReasonTrend


async def page_extras(session: AsyncSession, report: ReportFilter, *,
                      ratings: list[int] | None = None,
                      search: str | None = None) -> MoreReports:
    return MoreReports(
        first_contact=await first_contact_report(session, report),
        teams=await team_satisfaction_report(session, report, live=True),
        comments=await comments_report(session, report, ratings=ratings, search=search,
                                        live=True),
        presence=await presence_report(session, report),
        complaints=await complaints_report(session, report),
        followups=await followups_report(session, report),
        points=await points_report(session, report),
        reason_trend=await reason_trend_report(session, report))
