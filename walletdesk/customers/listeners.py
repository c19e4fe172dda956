"""The after-commit listener (subscribed in walletdesk.listeners): a customer with no stored
name who introduces themselves ("my name is Ana Lopez", "我叫陈静") gets that name. Agents see
it in the side panel; outsourced agents' views mask it in every later message as well, not
only in the one that gave it (walletdesk.customers.masking takes the stored name as known)."""

import structlog

from walletdesk.conversations.models import Conversation
from walletdesk.customers.models import Customer
from walletdesk.customers.self_names import self_introduced_names
from walletdesk.events.bus import Event
from walletdesk.services import Services

log = structlog.get_logger(__name__)

MAX_NAME_CHARS = 80


async def remember_introduced_name(services: Services, event: Event) -> None:
    names = self_introduced_names(str(event.get("text") or ""))
    if not names:
        return
    async with services.transaction() as session:
        conversation = await session.get(Conversation, int(event["conversation_id"]))
        if conversation is None:
            return
        customer = await session.get(Customer, conversation.customer_id)
        if customer is None or customer.display_name or customer.erased_at is not None:
            return  # a name given by the channel or an agent stays; an erased one stays erased
        customer.display_name = names[0].strip()[:MAX_NAME_CHARS]
    log.info("customer_name_introduced", customer_id=conversation.customer_id)
