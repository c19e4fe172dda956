"""CSAT per team: the ratings of the period's conversations, by the team the survey names
(the team that resolved the conversation; "" for the bot's).

Without a filter, from the rollup where it covers the period: the hourly rows'
``survey_team`` breakdown (surveys, ratings, their sum and the happy ones per UTC hour and
team, migration 0032); with a filter, or ``live``, from the surveys of the cohort."""

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Team
from walletdesk.cases.models import Survey
from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter, cohort_ids
from walletdesk.reports.hourly import ALL, cohort_scope, from_value
from walletdesk.reports.measures import rate
from walletdesk.reports.rollups import fact_source
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


async def _from_rollup(session: AsyncSession, report: ReportFilter
                       ) -> list[tuple[int | None, int, int, int, int]] | None:
    """(team id, asked, ratings, rating sum, happy) per team the surveys name; None: the
    rollup does not cover the period."""
    if cohort_scope(report) != (ALL, ""):
        return None  # a filter: the surveys of the cohort (as fast as the facts here)
    source = await fact_source(session, report)
    if source is None:
        return None
    view = await source.hourly(session, "survey_team", totals=True)
    assert view is not None  # no filter
    return [(None if from_value(value) is None else int(from_value(value) or 0),
             counts["surveys"], counts["ratings"], counts["rating_sum"], counts["happy"])
            for value, counts in view.breakdowns["survey_team"].items() if counts["surveys"]]


async def team_satisfaction_report(session: AsyncSession, report: ReportFilter, *,
                                   live: bool = False) -> TeamSatisfaction:
    counted: Any = None if live else await _from_rollup(session, report)
    if counted is None:
        counted = [(team_id, int(asked), int(ratings), int(total or 0), int(good))
                   for team_id, asked, ratings, total, good in await session.execute(
                       select(Survey.team_id, func.count(), func.count(Survey.rating),
                              func.sum(Survey.rating), func.count(case((Survey.rating >= 4, 1))))
                       .where(Survey.conversation_id.in_(cohort_ids(report)))
                       .group_by(Survey.team_id))]
    ids = {team_id for team_id, *_ in counted if team_id is not None}
    names = dict((await session.execute(
        select(Team.id, Team.name).where(Team.id.in_(ids)))).all()) if ids else {}
    teams = [TeamSatisfactionRow(
        team_id=team_id, team=names.get(team_id, "") if team_id is not None else "",
        asked=asked, ratings=ratings, response_rate=rate(ratings, asked),
        average=round(total / ratings, 4) if ratings else None, csat=rate(good, ratings))
        for team_id, asked, ratings, total, good in counted]
    teams.sort(key=lambda row: (-row.ratings, -row.asked, row.team))
    return TeamSatisfaction(period=period_of(report), teams=teams)
