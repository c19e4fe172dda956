"""The customer's context beside a conversation (walletdesk.customer_context): the operator's
answer about the verified customer and the device report, masked for outsourced agents."""

from typing import Any

from fastapi import APIRouter

from walletdesk.customer_context.views import conversation_context
from walletdesk.web.deps import ApiAgent, RowId, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["conversations"])


@router.get("/conversations/{conversation_id}/customer-context")
async def customer_context(conversation_id: RowId, agent: ApiAgent, services: ServicesDep,
                           refresh: bool = False) -> dict[str, Any]:
    """Account level, points, recent transactions, app version and the operator's other
    fields (``operator.state``: ok, unavailable, unverified or not_configured), and what the
    widget reported about the device; ``refresh=true`` asks the operator again."""
    return await conversation_context(services, agent, conversation_id, refresh)
