"""The customers' written comments on their ratings, to read and filter: lowest ratings
first, then the newest; by rating, by words in the comment, by the report's filters (the
agent and team the survey names count too), a page at a time."""

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team
from walletdesk.cases.models import Survey
from walletdesk.errors import Invalid
from walletdesk.reports.figures import Comment, Period
from walletdesk.reports.filters import ReportFilter, cohort_ids
from walletdesk.reports.satisfaction import conversation_link
from walletdesk.reports.volume import period_of

PAGE = 50
MAX_PAGE = 500
MAX_SEARCH = 100


class TeamComment(Comment):
    team: str


class Comments(BaseModel):
    period: Period
    total: int = Field(description="comments matching the filters")
    offset: int
    comments: list[TeamComment] = Field(description="lowest ratings first, then the newest")


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def comments_report(session: AsyncSession, report: ReportFilter, *,
                          ratings: list[int] | None = None, search: str | None = None,
                          offset: int = 0, limit: int = PAGE) -> Comments:
    if ratings and any(not 1 <= r <= 5 for r in ratings):
        raise Invalid("ratings are 1 to 5")
    if search and len(search) > MAX_SEARCH:
        raise Invalid(f"the search is at most {MAX_SEARCH} characters")
    conditions = [Survey.conversation_id.in_(cohort_ids(report)), Survey.rating.is_not(None),
                  Survey.comment != ""]
    if ratings:
        conditions.append(Survey.rating.in_(ratings))
    if search and search.strip():
        conditions.append(func.lower(Survey.comment).like(
            f"%{_escaped(search.strip().lower())}%", escape="\\"))
    total = int(await session.scalar(select(func.count()).select_from(Survey)
                                     .where(*conditions)) or 0)
    rows = await session.execute(
        select(Survey.conversation_id, Survey.rating, Survey.comment, Agent.display_name,
               Team.name, Survey.channel, Survey.answered_at)
        .outerjoin(Agent, Agent.id == Survey.agent_id).outerjoin(Team, Team.id == Survey.team_id)
        .where(*conditions)
        .order_by(Survey.rating, Survey.answered_at.desc(), Survey.id.desc())
        .offset(max(0, offset)).limit(max(1, min(limit, MAX_PAGE))))
    return Comments(period=period_of(report), total=total, offset=max(0, offset), comments=[
        TeamComment(conversation_id=cid, rating=rating, comment=comment, agent=agent or "",
                    team=team or "", channel=channel, answered_at=answered_at,
                    link=conversation_link(cid))
        for cid, rating, comment, agent, team, channel, answered_at in rows])
