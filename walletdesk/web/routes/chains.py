"""Transfers looked up on chain, beside the conversation (docs/chains.md): the agent's side
panel lists them and refreshes one. Agents who may see the conversation; outsourced agents
get the addresses masked (walletdesk.chains.queries)."""

from typing import Any

from fastapi import APIRouter, HTTPException, status

from walletdesk.chains.actions import RefreshTooSoon, refresh_lookup
from walletdesk.chains.queries import panel_lookups
from walletdesk.web.deps import ApiAgent, RowId, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["chains"])


@router.get("/conversations/{conversation_id}/chain-lookups")
async def lookups(conversation_id: RowId, agent: ApiAgent, services: ServicesDep
                  ) -> list[dict[str, Any]]:
    """The transfers looked up for this conversation, newest first, with explorer links."""
    return await panel_lookups(services, agent, conversation_id)


@router.post("/conversations/{conversation_id}/chain-lookups/{lookup_id}/refresh")
async def refresh(conversation_id: RowId, lookup_id: RowId, agent: ApiAgent,
                  services: ServicesDep) -> dict[str, Any]:
    """Ask the chain again (not the cache) and store what it says now; 429 with Retry-After
    when the lookup was checked moments ago (the panel shows the detail: "checked 5 s ago;
    refresh again in 15 s"), 422 when it was erased with the customer's data."""
    try:
        return await refresh_lookup(services, agent, conversation_id, lookup_id)
    except RefreshTooSoon as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, exc.detail,
                            {"Retry-After": str(exc.retry_after_s)}) from exc
