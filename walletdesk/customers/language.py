"""The customer's language follows the language their conversations are written in.

A widget customer's language starts as what their browser reports (often English on a
Chinese speaker's phone). When the bot detects the language a conversation is written in,
the customer follows it, unless an agent chose the customer's language in the side panel
(an audited ``customer.edit`` naming ``language``): a person's choice is kept.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.models import Conversation
from walletdesk.customers.models import Customer


async def chosen_by_agent(session: AsyncSession, customer_id: int) -> bool:
    """Whether an agent ever set this customer's language by hand."""
    edits = await session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "customer.edit", AuditEvent.target_type == "customer",
        AuditEvent.target_id == str(customer_id)))
    return any("language" in (detail or {}).get("fields", ()) for detail in edits)


async def follow_conversation_language(session: AsyncSession,
                                       conversation: Conversation) -> None:
    """Call in the transaction that set ``conversation.language`` from detection."""
    language = conversation.language
    if not language:
        return
    customer = await session.get(Customer, conversation.customer_id)
    if customer is None or customer.erased_at is not None or customer.language == language:
        return
    if await chosen_by_agent(session, customer.id):
        return
    customer.language = language
