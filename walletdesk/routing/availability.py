"""Whether a person could answer a customer now, for the widget's header.

"Online" is said only when someone who could take the customer's conversation is there: an
agent routing would offer it to (online, active and connected: walletdesk.routing.presence,
decision 0059) of the team it goes to (the conversation's, else the one routing would
choose for the customer's language), speaking that language, while the team is open. A
conversation an agent has counts that agent first. Otherwise the widget says replies come
later, or when a closed team is back (the same words as the thread's after-hours notice).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team, agent_teams
from walletdesk.config import Settings
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation
from walletdesk.db.base import utcnow
from walletdesk.routing.actions import choose_team, return_time, speaks, team_is_open
from walletdesk.routing.hours import next_opening
from walletdesk.routing.presence import available, is_available

ONLINE, AWAY, CLOSED = "online", "away", "closed"


async def widget_availability(session: AsyncSession, settings: Settings, language: str | None,
                              conversation: Conversation | None = None) -> dict[str, Any]:
    """``{"state": "online" | "away" | "closed", "agents_online", "opens_at", "opens_label"}``:
    ``online`` someone who could take the conversation is there now; ``away`` the team is
    open but nobody who speaks the language is connected; ``closed`` outside the team's
    working hours (``opens_label``: when it is back, in ``language``; null when it never
    opens in the next 60 days)."""
    now = utcnow()
    if conversation is not None and conversation.language:
        language = conversation.language
    if (conversation is not None and conversation.status in ACTIVE_STATUSES
            and conversation.assignee_id is not None):
        holder = await session.get(Agent, conversation.assignee_id)
        if holder is not None and is_available(holder, settings, now):
            return _answer(ONLINE, 1)
    team = None
    if conversation is not None and conversation.team_id is not None:
        team = await session.get(Team, conversation.team_id)
    if team is None:
        team = await choose_team(session, language, now)
    if team is None:
        return _answer(AWAY, 0)
    if not team_is_open(team, now):
        opens = next_opening(team.weekly_hours, team.holidays, team.timezone, now)
        return _answer(CLOSED, 0, opens.isoformat() if opens else None,
                       return_time(opens, team.timezone, language) if opens else None)
    helpers = [a for a in (await session.scalars(
        select(Agent).join(agent_teams, agent_teams.c.agent_id == Agent.id)
        .where(agent_teams.c.team_id == team.id, available(settings, now)))).unique().all()
        if speaks(a, language)]
    return _answer(ONLINE if helpers else AWAY, len(helpers))


def _answer(state: str, agents: int, opens_at: str | None = None,
            opens_label: str | None = None) -> dict[str, Any]:
    return {"state": state, "agents_online": agents, "opens_at": opens_at,
            "opens_label": opens_label}
