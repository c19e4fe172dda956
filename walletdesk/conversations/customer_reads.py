"""What the customer has seen of their web chat: the launcher's unread count, and whether an
agent's reply still waits for them (walletdesk.email.away_replies mails it if it does)."""

from sqlalchemy import case, select, update

from walletdesk.conversations.models import Conversation
from walletdesk.services import Services


async def mark_read_by_customer(services: Services, customer_id: int, conversation_id: int,
                                seq: int) -> int:
    """The customer's widget showed everything up to ``seq``; the stored mark only moves
    forward and never past the conversation's last message. Returns the mark."""
    async with services.transaction() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.customer_id == customer_id,
                   Conversation.customer_read_seq < seq)
            .values(customer_read_seq=case((Conversation.last_seq < seq, Conversation.last_seq),
                                           else_=seq)))
        mark = await session.scalar(select(Conversation.customer_read_seq).where(
            Conversation.id == conversation_id, Conversation.customer_id == customer_id))
    return int(mark or 0)

