"""What the agent workspace shows when it opens a conversation or a customer."""

from typing import Any

from walletdesk.accounts.access import is_manager, sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.bot.queries import conversation_turns, turn_payload
from walletdesk.conversations.messages import conversation_payload, message_payload
from walletdesk.conversations.queries import (
    InboxFilter,
    conversation_for_agent,
    customer_conversations,
    list_inbox,
    messages_after,
)
from walletdesk.customers.masking import mask_personal_text
from walletdesk.customers.queries import get_customer
from walletdesk.customers.views import (
    audit_personal_data_view,
    customer_payload,
    display_name,
)
from walletdesk.errors import NotFound
from walletdesk.labels.queries import label_payload, labels_by_conversation
from walletdesk.services import Services


async def open_conversation(services: Services, agent: Agent,
                            conversation_id: int) -> dict[str, Any]:
    async with services.transaction() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        customer = await get_customer(session, conversation.customer_id)
        others = await customer_conversations(session, agent, conversation.customer_id)
        messages = await messages_after(session, conversation.id, 0, include_internal=True)
        turns = await conversation_turns(session, conversation.id)
        audit_personal_data_view(session, agent, customer)
        known = [customer.display_name, customer.email, customer.phone]
        return {
            "conversation": conversation_payload(conversation, agent),
            "assignee_name": conversation.assignee.display_name if conversation.assignee else None,
            "team_name": conversation.team.name if conversation.team else None,
            "customer": customer_payload(customer, agent),
            "other_conversations": [conversation_payload(c, agent, known) for c in others
                                    if c.id != conversation.id],
            "messages": [message_payload(m, agent, known) for m in messages],
            "bot_turns": [_turn(t, agent, known) for t in turns],
        }


def _turn(turn: Any, agent: Agent, known: list[str | None]) -> dict[str, Any]:
    """A bot turn; its query is the customer's words: masked like a message for outsourced
    agents."""
    payload = turn_payload(turn)
    if sees_personal_data(agent) or not isinstance(payload["query"], str):
        return payload
    return {**payload, "query": mask_personal_text(payload["query"], known)}


async def customer_profile(services: Services, agent: Agent, customer_id: int) -> dict[str, Any]:
    async with services.transaction() as session:
        customer = await get_customer(session, customer_id)
        others = await customer_conversations(session, agent, customer_id)
        if not others and not is_manager(agent):
            # the same answer as for no such customer: ids cannot be enumerated
            raise NotFound("customer not found")
        audit_personal_data_view(session, agent, customer)
        return {"customer": customer_payload(customer, agent),
                "conversations": [conversation_payload(c, agent, [
                    customer.display_name, customer.email, customer.phone]) for c in others]}


async def inbox(services: Services, agent: Agent, flt: InboxFilter) -> list[dict[str, Any]]:
    """Inbox rows: the conversation summary plus who the customer, assignee and team are."""
    async with services.read() as session:
        rows = await list_inbox(session, agent, flt)
        labels = await labels_by_conversation(session, [c.id for c in rows])
        return [
            {**conversation_payload(c, agent),
             "customer_name": display_name(c.customer, agent) or f"Visitor #{c.customer_id}",
             "assignee_name": c.assignee.display_name if c.assignee else None,
             "team_name": c.team.name if c.team else None,
             "labels": [label_payload(label) for label in labels.get(c.id, [])]}
            for c in rows
        ]
