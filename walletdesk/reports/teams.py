"""CSAT per team: the ratings of the period's conversations, by the team the survey names
(the team that resolved the conversation; "" for the bot's)."""

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Team
from walletdesk.cases.models import Survey
from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter, cohort_ids
from walletdesk.reports.measures import rate
from walletdesk.reports.volume import period_of


class TeamSatisfactionRow(BaseModel):
    team_id: int | None
    team: str
    asked: int
    ratings: int
    response_rate: float | None
    average: float | None
    csat: float | None = Field(description="share of ratings 4 or 5")


class TeamSatisfaction(BaseModel):
    period: Period
    teams: list[TeamSatisfactionRow]


async def team_satisfaction_report(session: AsyncSession,
                                   report: ReportFilter) -> TeamSatisfaction:
    rows = await session.execute(
        select(Survey.team_id, Team.name, func.count(), func.count(Survey.rating),
               func.sum(Survey.rating), func.count(case((Survey.rating >= 4, 1))))
        .outerjoin(Team, Team.id == Survey.team_id)
        .where(Survey.conversation_id.in_(cohort_ids(report)))
        .group_by(Survey.team_id, Team.name))
    teams = [TeamSatisfactionRow(
        team_id=team_id, team=name or "", asked=int(asked), ratings=int(ratings),
        response_rate=rate(int(ratings), int(asked)),
        average=round(float(total) / int(ratings), 4) if ratings else None,
        csat=rate(int(good), int(ratings)))
        for team_id, name, asked, ratings, total, good in rows]
    teams.sort(key=lambda row: (-row.ratings, -row.asked, row.team))
    return TeamSatisfaction(period=period_of(report), teams=teams)
