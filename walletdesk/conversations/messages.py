"""Appending a message to a conversation, and the payloads clients receive.

``append_message`` is the one place a message row is written. It is called only from the
message-path actions (``receive_message``, ``send_message``) and from routing for system
notices, always inside their transaction, with the conversation row locked.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import mask_name, sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.conversations.attachments import AttachmentIn, attach
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import schedule_job
from walletdesk.metrics import MESSAGES
from walletdesk.services import emit

PREVIEW_CHARS = 140


async def lock_conversation(session: AsyncSession, conversation_id: int) -> Conversation | None:
    """Load a conversation for writing; concurrent writers of it wait (PostgreSQL row lock)."""
    return await session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update(of=Conversation)
        .execution_options(populate_existing=True)
    )


# channels whose customers are not connected live: their messages are sent by a job
DELIVERY_JOBS = {"email": "email.send"}


def needs_delivery(conversation: Conversation, message: Message) -> bool:
    """Agent and bot replies go out; of the desk's own notices, the rating request and what
    the customer is told about their complaint."""
    if conversation.channel not in DELIVERY_JOBS or message.is_internal:
        return False
    if message.sender_kind in (SenderKind.agent, SenderKind.bot):
        return True
    return message.sender_kind == SenderKind.system and \
        (message.meta or {}).get("kind") in ("csat", "complaint")


def message_payload(message: Message, viewer: Agent | None = None) -> dict[str, Any]:
    """A message as clients get it; for a ``viewer`` who may not see personal data (an
    outsourced agent) the customer's name is masked."""
    payload = {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_kind": message.sender_kind,
        "sender_name": message.sender_name,
        "text": message.text,
        "internal": message.is_internal,
        "client_id": message.client_id,
        "meta": message.meta,
        "created_at": message.created_at.isoformat(),
    }
    return payload if viewer is None or sees_personal_data(viewer) else masked_message(payload)


def masked_message(payload: dict[str, Any]) -> dict[str, Any]:
    """A message payload without the customer's name (agents' names are not masked)."""
    if payload["sender_kind"] != SenderKind.customer:
        return payload
    return {**payload, "sender_name": mask_name(payload["sender_name"])}


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    """A conversation summary for inbox lists and live updates (no personal data)."""
    return {
        "id": conversation.id,
        "customer_id": conversation.customer_id,
        "channel": conversation.channel,
        "status": conversation.status,
        "priority": conversation.priority,
        "language": conversation.language,
        "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id,
        # False while the assignee has not opened or answered what was given to them away
        "assignee_joined": conversation.assignee_joined_at is not None,
        "subject": conversation.subject,
        "category": conversation.category,
        "last_seq": conversation.last_seq,
        "preview": conversation.last_message_preview,
        "after_hours": conversation.after_hours,
        "has_secret_redaction": conversation.has_secret_redaction,
        "handoff_reason": conversation.handoff_reason,
        "last_message_at": conversation.last_message_at.isoformat(),
        "created_at": conversation.created_at.isoformat(),
        "sla": sla_payload(conversation),
        "snoozed": conversation.snoozed_at is not None,
        "snooze_due_at": (conversation.snooze_due_at.isoformat()
                          if conversation.snooze_due_at else None),
    }


def sla_payload(conversation: Conversation) -> dict[str, Any] | None:
    """The clock the agent is racing: the first reply until it is sent, then resolution."""
    if conversation.sla_policy_id is None or conversation.status in (
            Status.resolved, Status.closed):
        return None
    if conversation.first_response_at is None and conversation.first_response_due_at:
        clock, due = "first_response", conversation.first_response_due_at
        breached = conversation.first_response_breached
    else:
        clock, due = "resolution", conversation.resolution_due_at
        breached = conversation.resolution_breached
    return {"clock": clock, "due": due.isoformat() if due else None, "breached": breached,
            "paused": conversation.sla_paused_at is not None}


def emit_conversation_changed(session: AsyncSession, conversation: Conversation) -> None:
    emit(session, {"type": "conversation", "conversation": conversation_payload(conversation)})


async def append_message(
    session: AsyncSession,
    conversation: Conversation,
    *,
    sender_kind: SenderKind,
    text: str,
    sender_name: str = "",
    sender_agent_id: int | None = None,
    internal: bool = False,
    client_id: str | None = None,
    meta: dict[str, Any] | None = None,
    files: list[tuple[AttachmentIn, str]] | None = None,
) -> Message:
    now = utcnow()
    conversation.last_seq += 1
    conversation.updated_at = now
    message = Message(
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        sender_kind=sender_kind,
        sender_name=sender_name,
        sender_agent_id=sender_agent_id,
        text=text,
        is_internal=internal,
        client_id=client_id,
        meta=meta,
        created_at=now,
    )
    if not internal and sender_kind != SenderKind.system:
        # the inbox shows what people said, not "X joined"
        conversation.last_message_at = now
        conversation.last_message_preview = text[:PREVIEW_CHARS]
    session.add(message)
    await session.flush()
    if files:
        rows = attach(session, message, files)
        await session.flush()
        message.meta = {**(meta or {}), "attachments": [
            {"id": row.id, "filename": row.filename, "content_type": row.content_type,
             "size": row.size} for row in rows]}
    if needs_delivery(conversation, message):
        await schedule_job(session, DELIVERY_JOBS[conversation.channel],
                           {"message_id": message.id}, dedupe_key=f"deliver:{message.id}")
    MESSAGES.labels(sender_kind=str(sender_kind)).inc()
    emit(
        session,
        {
            "type": "message",
            "conversation_id": conversation.id,
            "customer_id": conversation.customer_id,
            "team_id": conversation.team_id,
            "assignee_id": conversation.assignee_id,
            "status": conversation.status,
            "message": message_payload(message),
        },
    )
    return message
