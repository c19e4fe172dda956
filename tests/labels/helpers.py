"""Data for the labels and canned replies tests, made with the real actions."""

import httpx

from walletdesk.accounts.actions import create_api_token
from walletdesk.accounts.models import Agent, Team
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.services import Services


async def conversation_in(services: Services, admin: Agent, team: Team, visitor: str, *,
                          text: str = "Hello, my transfer is stuck", name: str = "Lin Xiaoyu",
                          language: str = "en", category: str | None = None) -> Conversation:
    """A customer's conversation, transferred to ``team``'s queue."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, customer_name=name, language=language,
        category=category))
    return await assign_conversation(services, admin, delivered.conversation.id,
                                     team_id=team.id)


async def bearer(services: Services, agent: Agent) -> dict[str, str]:
    _, token = await create_api_token(services, agent, "tests")
    return {"Authorization": f"Bearer {token}"}


def detail(response: httpx.Response) -> str:
    body = response.json()
    return body["detail"] if isinstance(body["detail"], str) else str(body["detail"])
