"""The customers' written comments on their ratings, to read and filter: lowest ratings
first, then the newest; by rating, by words in the comment, by the report's filters (the
agent and team the survey names count too), a page at a time.

The page of a large cohort (no filter, or one of channel, team, language, category) is read
in its order from an index (``ix_surveys_comments``: the rated surveys with a comment by
rating and answer time, migration 0032): per rating the newest first, as many as the page
needs, so a period of many surveys is not sorted for one page; a small cohort (an agent, a
label, two filters) sorts its few comments. The total
comes from the rollup's facts (``survey_commented``, a partial index on the start) where
it covers the period and no words are searched, else from the surveys."""

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team
from walletdesk.cases.models import Survey
from walletdesk.errors import Invalid
from walletdesk.reports.figures import Comment, Period
from walletdesk.reports.filters import ReportFilter, cohort_ids
from walletdesk.reports.hourly import cohort_scope
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.satisfaction import conversation_link
from walletdesk.reports.volume import period_of

PAGE = 50
MAX_PAGE = 500
MAX_SEARCH = 100
RATINGS = (1, 2, 3, 4, 5)


class TeamComment(Comment):
    team: str


class Comments(BaseModel):
    period: Period
    total: int = Field(description="comments matching the filters")
    offset: int
    comments: list[TeamComment] = Field(description="lowest ratings first, then the newest")


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def commented_in_order(conditions: list[ColumnElement[bool]], ratings: list[int] | None,
                       count: int) -> Any:
    """The ids of the first ``count`` rated surveys with a comment matching ``conditions``
    in the comments' order (rating, then the newest): per rating the newest ``count`` (the
    index read backwards, stopping there), together. Order the outer query again."""
    parts = []
    for rating in sorted(set(ratings or RATINGS)):
        part = (select(Survey.id.label("id"))
                .where(*conditions, Survey.rating == rating, Survey.comment != "")
                .order_by(Survey.answered_at.desc(), Survey.id.desc()).limit(count)
                .subquery())
        parts.append(select(part.c.id))
    return union_all(*parts).subquery("chosen")


async def comments_report(session: AsyncSession, report: ReportFilter, *,
                          ratings: list[int] | None = None, search: str | None = None,
                          offset: int = 0, limit: int = PAGE,
                          live: bool = False) -> Comments:
    if ratings and any(not 1 <= r <= 5 for r in ratings):
        raise Invalid("ratings are 1 to 5")
    if search and len(search) > MAX_SEARCH:
        raise Invalid("the search is at most {max} characters", max=MAX_SEARCH)
    offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
    conditions = [Survey.conversation_id.in_(cohort_ids(report))]
    words = search.strip() if search and search.strip() else None
    if words:
        conditions.append(func.lower(Survey.comment).like(
            f"%{_escaped(words.lower())}%", escape="\\"))
    total = None
    source = None if live or words else await fact_source(session, report)
    if source is not None:
        f = source.facts.c
        total = int(await session.scalar(
            select(func.count()).select_from(source.facts)
            .where(f.survey_commented,
                   *([f.survey_rating.in_(ratings)] if ratings else []))) or 0)
    if total is None:
        total = int(await session.scalar(select(func.count()).select_from(Survey).where(
            *conditions, Survey.rating.in_(ratings) if ratings else Survey.rating.is_not(None),
            Survey.comment != "")) or 0)
    if cohort_scope(report) is None:  # a small cohort (an agent, a label): sort its few
        chosen_ones = [*conditions, Survey.comment != "",
                       Survey.rating.in_(ratings) if ratings else Survey.rating.is_not(None)]
    else:  # a large one: in the index's order, no sort of the period's comments
        chosen = commented_in_order(conditions, ratings, offset + limit)
        chosen_ones = [Survey.id.in_(select(chosen.c.id))]
    rows = await session.execute(
        select(Survey.conversation_id, Survey.rating, Survey.comment, Agent.display_name,
               Team.name, Survey.channel, Survey.answered_at)
        .outerjoin(Agent, Agent.id == Survey.agent_id).outerjoin(Team, Team.id == Survey.team_id)
        .where(*chosen_ones)
        .order_by(Survey.rating, Survey.answered_at.desc(), Survey.id.desc())
        .offset(offset).limit(limit))
    return Comments(period=period_of(report), total=total, offset=offset, comments=[
        TeamComment(conversation_id=cid, rating=rating, comment=comment, agent=agent or "",
                    team=team or "", channel=channel, answered_at=answered_at,
                    link=conversation_link(cid))
        for cid, rating, comment, agent, team, channel, answered_at in rows])
