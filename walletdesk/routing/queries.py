"""Read-only figures about queues for supervisors."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Presence, Team, agent_teams
from walletdesk.config import Settings
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.routing.actions import agent_loads, return_time, speaks, team_is_open
from walletdesk.routing.hours import next_opening
from walletdesk.routing.presence import available, is_connected


@dataclass
class QueueFigures:
    team: Team
    open_now: bool
    waiting: int
    active: int
    agents_online: int  # online and connected: the agents routing offers work to
    oldest_wait_s: int | None


async def _available_by_team(session: AsyncSession, settings: Settings,
                             now: datetime) -> dict[int, int]:
    """Per team, its agents routing may offer work to now (walletdesk.routing.presence)."""
    return dict((await session.execute(
        select(agent_teams.c.team_id, func.count())
        .join(Agent, Agent.id == agent_teams.c.agent_id)
        .where(available(settings, now))
        .group_by(agent_teams.c.team_id))).all())


async def queue_overview(session: AsyncSession, settings: Settings) -> list[QueueFigures]:
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
    online = await _available_by_team(session, settings, now)
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


@dataclass
class AgentTarget:
    agent: Agent
    load: int  # conversations assigned and active now
    speaks_language: bool
    # seen within the grace (walletdesk.routing.presence): "online" without it reads "online,
    # not connected", and is offered nothing by routing
    connected: bool


@dataclass
class TeamTarget:
    team: Team
    open_now: bool
    opens_label: str | None  # when a closed team is back, as customers are told
    agents_online: int


async def transfer_targets(session: AsyncSession, settings: Settings, actor: Agent,
                           conversation: Conversation, locale: str | None = None
                           ) -> tuple[list[AgentTarget], list[TeamTarget]]:
    """Who a conversation can be handed to, with what the choice depends on: presence (online
    and connected first, then online but not connected, away, offline), load against
    capacity, the conversation's language; the teams with whether they are open and how many
    of their agents routing offers work to.
    Never the actor, nor the agent who has the conversation now (a transfer to them is
    refused: walletdesk.conversations.assignment). ``locale``: the reader's, for when a closed
    team is back."""
    now = utcnow()
    language = conversation.language
    holder = conversation.assignee_id if conversation.status in ACTIVE_STATUSES else None
    agents = [a for a in (await session.scalars(
        select(Agent).where(Agent.is_active, Agent.id != actor.id)
        .order_by(Agent.display_name))).unique().all() if a.id != holder]
    loads = await agent_loads(session, [a.id for a in agents])
    order = {Presence.online: 0, Presence.away: 2, Presence.offline: 3}

    def rank(target: AgentTarget) -> tuple[int, bool, float, str]:
        presence = order.get(target.agent.presence, 4)
        if presence == 0 and not target.connected:
            presence = 1
        return (presence, not target.speaks_language,
                target.load / max(target.agent.capacity, 1), target.agent.display_name)

    agent_rows = sorted(
        (AgentTarget(a, loads.get(a.id, 0), speaks(a, language),
                     is_connected(a, settings, now)) for a in agents), key=rank)
    online = await _available_by_team(session, settings, now)
    team_rows = []
    for team in (await session.scalars(select(Team).order_by(Team.name))).unique().all():
        open_now = team_is_open(team, now)
        opens = None if open_now else next_opening(team.weekly_hours, team.holidays,
                                                   team.timezone, now)
        team_rows.append(TeamTarget(team, open_now,
                                    return_time(opens, team.timezone, locale)
                                    if opens else None,
                                    online.get(team.id, 0)))
    return agent_rows, team_rows
