"""GDPR: everything we hold about a customer (export), and erasing it.

Erasure removes the personal data (name, e-mail, channel ids, verified user id) and the text of
every message, bot turn and subject in their conversations; the rows stay, so counts, times,
statuses and ratings — the aggregates — are kept. Both actions are written to the audit log.
"""

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from walletdesk.audit.actions import record_audit
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Conversation, Message
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import NotFound
from walletdesk.services import Services

ERASED = "[erased]"


async def export_customer(services: Services, actor_id: int | None,
                          customer_id: int) -> dict[str, Any]:
    async with services.transaction() as session:
        customer = await session.get(Customer, customer_id,
                                     options=[selectinload(Customer.identities)])
        if customer is None:
            raise NotFound("customer not found")
        conversations = (await session.scalars(
            select(Conversation).where(Conversation.customer_id == customer_id)
            .order_by(Conversation.id))).all()
        ids = [c.id for c in conversations]
        messages = (await session.scalars(
            select(Message).where(Message.conversation_id.in_(ids or [-1]))
            .order_by(Message.conversation_id, Message.seq))).all()
        turns = (await session.scalars(
            select(BotTurn).where(BotTurn.conversation_id.in_(ids or [-1]))
            .order_by(BotTurn.id))).all()
        record_audit(session, actor_agent_id=actor_id, action="customer.export",
                     target_type="customer", target_id=customer_id)
        by_conversation: dict[int, list[dict[str, Any]]] = {}
        for m in messages:
            if not m.is_internal:  # staff notes are not the customer's data
                by_conversation.setdefault(m.conversation_id, []).append({
                    "seq": m.seq, "from": m.sender_kind, "text": m.text,
                    "at": m.created_at.isoformat()})
        return {
            "customer": {
                "id": customer.id, "name": customer.display_name, "email": customer.email,
                "language": customer.language, "verified_user_id": customer.verified_user_id,
                "phone": customer.phone,
                "followup_opt_out_at": (customer.followup_opt_out_at.isoformat()
                                        if customer.followup_opt_out_at else None),
                "created_at": customer.created_at.isoformat(),
                "last_seen_at": customer.last_seen_at.isoformat(),
                "identities": [{"channel": i.channel, "id": i.external_id}
                               for i in customer.identities],
            },
            "conversations": [{
                "id": c.id, "channel": c.channel, "status": c.status, "subject": c.subject,
                "created_at": c.created_at.isoformat(),
                "messages": by_conversation.get(c.id, []),
            } for c in conversations],
            "bot_turns": [{"conversation_id": t.conversation_id, "question": t.query,
                           "outcome": t.outcome, "helpful": t.helpful,
                           "at": t.created_at.isoformat()} for t in turns],
        }


async def erase_customer(services: Services, actor_id: int | None, customer_id: int) -> None:
    async with services.transaction() as session:
        if not await erase_in(session, customer_id, actor_id=actor_id, reason="request"):
            raise NotFound("customer not found")


async def erase_in(session: AsyncSession, customer_id: int, *, actor_id: int | None,
                   reason: str) -> bool:
    """Erase one customer's personal data inside the caller's transaction; audited."""
    customer = await session.get(Customer, customer_id,
                                 options=[selectinload(Customer.identities)])
    if customer is None:
        return False
    customer.display_name = ""
    customer.email = None
    customer.phone = None
    customer.verified_user_id = None
    customer.erased_at = utcnow()
    for identity in customer.identities:
        # keep the row (so the channel cannot re-attach the old history), not the id
        identity.external_id = f"erased:{uuid.uuid4().hex}"
    ids = list((await session.scalars(
        select(Conversation.id).where(Conversation.customer_id == customer_id))).all())
    if ids:
        await session.execute(update(Message).where(Message.conversation_id.in_(ids))
                              .values(text=ERASED, sender_name=""))
        await session.execute(update(BotTurn).where(BotTurn.conversation_id.in_(ids))
                              .values(query=ERASED))
        await session.execute(update(Conversation).where(Conversation.id.in_(ids))
                              .values(subject=ERASED, last_message_preview=ERASED))
    record_audit(session, actor_agent_id=actor_id, action="customer.erase",
                 target_type="customer", target_id=customer_id,
                 detail={"conversations": len(ids), "reason": reason})
    return True
