"""Read-only figures about queues for supervisors."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Presence, Team, agent_teams
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.routing.actions import team_is_open


@dataclass
class QueueFigures:
    team: Team
    open_now: bool
    waiting: int
    active: int
    agents_online: int
    oldest_wait_s: int | None


async def queue_overview(session: AsyncSession) -> list[QueueFigures]:
    now = utcnow()
    waiting = dict((await session.execute(
        select(Conversation.team_id, func.count()).where(Conversation.status == Status.queued)
        .group_by(Conversation.team_id))).all())
    oldest = dict((await session.execute(
        select(Conversation.team_id, func.min(Conversation.queued_at))
        .where(Conversation.status == Status.queued).group_by(Conversation.team_id))).all())
    active = dict((await session.execute(
        select(Conversation.team_id, func.count())
        .where(Conversation.status.in_(ACTIVE_STATUSES)).group_by(Conversation.team_id))).all())
    online = dict((await session.execute(
        select(agent_teams.c.team_id, func.count())
        .join(Agent, Agent.id == agent_teams.c.agent_id)
        .where(Agent.presence == Presence.online, Agent.is_active)
        .group_by(agent_teams.c.team_id))).all())
    teams = (await session.scalars(select(Team).order_by(Team.name))).unique().all()
    return [
        QueueFigures(
            team=team,
            open_now=team_is_open(team, now),
            waiting=waiting.get(team.id, 0),
            active=active.get(team.id, 0),
            agents_online=online.get(team.id, 0),
            oldest_wait_s=int((now - oldest[team.id]).total_seconds())
            if oldest.get(team.id) else None,
        )
        for team in teams
    ]
