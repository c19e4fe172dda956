"""The lookups of a conversation as the agent's side panel shows them. The addresses in them
are the customer's personal data: masked for outsourced agents."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.networks import label_of
from walletdesk.customers.masking import mask_identifier
from walletdesk.db.base import utcnow

MASKED_FIELDS = ("sender", "recipient", "memo")
PANEL_LIMIT = 20
ASK_NETWORK = "ask_network"  # a lookup waiting for the customer to name the network
ASKED_NETWORK_WITHIN = timedelta(hours=1)


def lookup_payload(row: ChainLookup, agent: Agent) -> dict[str, Any]:
    result = dict(row.result or {})
    if not sees_personal_data(agent):
        for name in MASKED_FIELDS:
            if isinstance(result.get(name), str):
                result[name] = mask_identifier(result[name])
    return {"id": row.id, "conversation_id": row.conversation_id, "message_id": row.message_id,
            "tx": row.tx, "chain": row.chain, "network": label_of(row.chain, result.get("token"))
            if row.chain else None, "named_chain": row.named_chain, "candidates": row.candidates,
            "status": row.status, "result": result,
            "explorer_url": result.get("explorer_url"),
            "created_at": row.created_at.isoformat(), "checked_at": row.checked_at.isoformat()}


async def conversation_lookups(session: AsyncSession, conversation_id: int) -> list[ChainLookup]:
    """Newest first."""
    return list((await session.scalars(
        select(ChainLookup).where(ChainLookup.conversation_id == conversation_id)
        .order_by(ChainLookup.id.desc()).limit(PANEL_LIMIT))).all())


async def panel_lookups(services: Any, agent: Agent, conversation_id: int) -> list[dict[str, Any]]:
    """The side panel's lookups of a conversation the agent may see."""
    from walletdesk.conversations.queries import conversation_for_agent

    async with services.read() as session:
        await conversation_for_agent(session, agent, conversation_id)
        return [lookup_payload(row, agent)
                for row in await conversation_lookups(session, conversation_id)]


async def waiting_for_network(session: AsyncSession, conversation_id: int) -> ChainLookup | None:
    """The conversation's lookup that asked the customer for the network within the hour."""
    return await session.scalar(
        select(ChainLookup)
        .where(ChainLookup.conversation_id == conversation_id,
               ChainLookup.status == ASK_NETWORK,
               ChainLookup.created_at >= utcnow() - ASKED_NETWORK_WITHIN)
        .order_by(ChainLookup.id.desc()).limit(1))
