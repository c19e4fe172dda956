"""Read-only selectors for agents and teams."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from walletdesk.accounts.models import Agent, ApiToken, Team
from walletdesk.errors import NotFound


async def list_teams(session: AsyncSession) -> list[Team]:
    query = select(Team).options(selectinload(Team.agents)).order_by(Team.name)
    return list((await session.scalars(query)).unique().all())


async def list_agents(session: AsyncSession, *, active_only: bool = False) -> list[Agent]:
    query = select(Agent).order_by(Agent.display_name)
    if active_only:
        query = query.where(Agent.is_active)
    return list((await session.scalars(query)).unique().all())


async def load_agent(session: AsyncSession, agent_id: int) -> Agent | None:
    """The agent with its teams loaded, fresh from the database (safe to read team_ids)."""
    return await session.get(Agent, agent_id, options=[selectinload(Agent.teams)],
                             populate_existing=True)


async def get_agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("agent not found")
    return agent


async def get_team(session: AsyncSession, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound("team not found")
    return team


async def list_api_tokens(session: AsyncSession, agent_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.agent_id == agent_id).order_by(ApiToken.id.desc())
    return list((await session.scalars(query)).unique().all())
