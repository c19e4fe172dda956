"""Handing a conversation over: who it can go to (with presence, load and opening hours), and
the new assignee's "I'm here" when they open one given to them while they were away."""

from typing import Any

from fastapi import APIRouter, Request

from walletdesk.conversations.actions import accept_conversation
from walletdesk.conversations.messages import conversation_payload
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.routing.queries import transfer_targets
from walletdesk.web.deps import ApiAgent, RowId, ServicesDep
from walletdesk.web.localization import request_locale

router = APIRouter(prefix="/api/v1", tags=["conversations"])


@router.get("/conversations/{conversation_id}/transfer-targets")
async def targets(conversation_id: RowId, agent: ApiAgent, services: ServicesDep,
                  request: Request) -> dict[str, Any]:
    """Agents (not you, nor the one who has it now) with presence, whether they are
    connected (online without it: offered nothing), load/capacity and whether they speak
    the customer's language; teams with whether they are open now and, if not,
    when they are back, in the reader's words (the agent's saved language, as the workspace:
    deps sets it; a token's client, its Accept-Language)."""
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        agents, teams = await transfer_targets(session, services.settings, agent,
                                               conversation, request_locale(request))
    return {
        "agents": [{"id": t.agent.id, "name": t.agent.display_name,
                    "presence": t.agent.presence, "connected": t.connected, "load": t.load,
                    "capacity": t.agent.capacity, "speaks_language": t.speaks_language,
                    "team_ids": t.agent.team_ids} for t in agents],
        "teams": [{"id": t.team.id, "name": t.team.name, "open_now": t.open_now,
                   "opens_label": t.opens_label, "agents_online": t.agents_online}
                  for t in teams],
    }


@router.post("/conversations/{conversation_id}/accept")
async def accept(conversation_id: RowId, agent: ApiAgent, services: ServicesDep
                 ) -> dict[str, Any]:
    """The assignee has opened the conversation: the customer is told they joined (once)."""
    return conversation_payload(await accept_conversation(services, agent, conversation_id),
                                agent)
