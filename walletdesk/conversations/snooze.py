"""Snoozing a conversation: out of the active inbox views until a time or the customer's reply.

The due time is stored on the row (``Conversation.snooze_due_at``); a ``conversation.wake``
job due at that time wakes it, so a restart loses nothing. A customer message always wakes a
snoozed conversation: ``wake_on_customer_reply`` is an after-commit listener of the message
event (walletdesk.conversations.listeners), so the message path itself knows nothing of
snoozing. Resolving a snoozed conversation ends the snooze the same way.

Who may snooze: the conversation's assignee, or a supervisor / admin. Only conversations an
agent is working on (assigned, waiting for the customer) can be snoozed; they stay assigned
and keep counting against the agent's capacity.
"""

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import can_view_conversation, is_manager
from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.conversations.messages import emit_conversation_changed, lock_conversation
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.events.bus import Event
from walletdesk.jobs.actions import cancel_job, schedule_job
from walletdesk.jobs.registry import JobContext, job_handler
from walletdesk.services import Services, emit

log = structlog.get_logger(__name__)

WAKE_JOB = "conversation.wake"
MIN_SNOOZE = timedelta(minutes=1)
MAX_SNOOZE = timedelta(days=90)


def _wake_key(conversation_id: int, due: datetime) -> str:
    return f"wake:{conversation_id}:{due.isoformat()}"


def check_snooze_time(until: datetime | None, now: datetime | None = None) -> datetime | None:
    """A wake-up time in the future (within 90 days), or None for "until the customer replies"."""
    if until is None:
        return None
    if until.tzinfo is None:
        raise Invalid("until must include a time zone (e.g. 2026-12-01T09:00:00+08:00)")
    now = now or utcnow()
    if until < now + MIN_SNOOZE:
        raise Invalid("until must be at least a minute from now")
    if until > now + MAX_SNOOZE:
        raise Invalid("a conversation can be snoozed for at most 90 days")
    return until


async def _snoozable(session: AsyncSession, actor: Agent, conversation_id: int) -> Conversation:
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None or not can_view_conversation(actor, conversation):
        raise NotFound("conversation not found")
    if conversation.assignee_id != actor.id and not is_manager(actor):
        raise Forbidden("only the assigned agent or a supervisor can snooze or wake "
                        "this conversation")
    return conversation


async def snooze_conversation(services: Services, actor: Agent, conversation_id: int, *,
                              until: datetime | None) -> Conversation:
    """Snooze until ``until``, or (None) until the customer writes again."""
    until = check_snooze_time(until)
    async with services.transaction() as session:
        conversation = await _snoozable(session, actor, conversation_id)
        if conversation.status not in ACTIVE_STATUSES:
            raise Invalid("only a conversation assigned to an agent can be snoozed")
        if conversation.snooze_due_at is not None:  # snoozed again: the old wake-up is moot
            await cancel_job(session, _wake_key(conversation.id, conversation.snooze_due_at))
        conversation.snoozed_at = utcnow()
        conversation.snooze_due_at = until
        conversation.updated_at = conversation.snoozed_at
        if until is not None:
            await schedule_job(session, WAKE_JOB, {"conversation_id": conversation.id,
                                                   "due": until.isoformat()},
                               due_at=until, dedupe_key=_wake_key(conversation.id, until))
        emit_conversation_changed(session, conversation)
        record_audit(session, actor_agent_id=actor.id, action="conversation.snooze",
                     target_type="conversation", target_id=conversation.id,
                     detail={"until": until.isoformat() if until else "customer_reply"})
        return conversation


async def unsnooze_conversation(services: Services, actor: Agent,
                                conversation_id: int) -> Conversation:
    """Bring a snoozed conversation back now."""
    async with services.transaction() as session:
        conversation = await _snoozable(session, actor, conversation_id)
        if conversation.snoozed_at is None:
            return conversation
        if conversation.snooze_due_at is not None:
            await cancel_job(session, _wake_key(conversation.id, conversation.snooze_due_at))
        _wake(session, conversation, "agent")
        record_audit(session, actor_agent_id=actor.id, action="conversation.unsnooze",
                     target_type="conversation", target_id=conversation.id)
        return conversation


def _wake(session: AsyncSession, conversation: Conversation, reason: str) -> None:
    conversation.snoozed_at = None
    conversation.snooze_due_at = None
    conversation.updated_at = utcnow()
    emit_conversation_changed(session, conversation)
    if reason == "due" and conversation.assignee_id is not None:
        # the assignee's own notice (the customer's message is its own notice otherwise)
        emit(session, {"type": "notification", "kind": "snooze_ended",
                       "agent_id": conversation.assignee_id,
                       "conversation_id": conversation.id,
                       "subject": conversation.subject[:140]})


@job_handler(WAKE_JOB)
async def wake_due(ctx: JobContext) -> None:
    conversation = await lock_conversation(ctx.session, int(ctx.job.payload["conversation_id"]))
    if conversation is None or conversation.snooze_due_at is None:
        return  # woken already (customer reply, agent, resolve) or deleted
    if conversation.snooze_due_at.isoformat() != ctx.job.payload.get("due") \
            or conversation.snooze_due_at > utcnow():
        return  # snoozed again since, with its own job
    _wake(ctx.session, conversation, "due")


async def _wake_if_snoozed(services: Services, conversation_id: int, reason: str) -> None:
    async with services.read() as session:  # most conversations are not snoozed: read first
        snoozed = await session.scalar(select(Conversation.snoozed_at)
                                       .where(Conversation.id == conversation_id))
    if snoozed is None:
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.snoozed_at is None:
            return  # another process woke it first
        if conversation.snooze_due_at is not None:
            await cancel_job(session, _wake_key(conversation.id, conversation.snooze_due_at))
        _wake(session, conversation, reason)


async def wake_on_customer_reply(services: Services, event: Event) -> None:
    """After-commit listener: a customer message wakes its conversation; resolving it ends
    the snooze too."""
    kind = event.get("type")
    if kind == "message" and event["message"]["sender_kind"] == "customer" \
            and event.get("snoozed") is not False:  # the event says: no read needed
        await _wake_if_snoozed(services, int(event["conversation_id"]), "customer_replied")
    elif kind == "conversation":
        summary: dict[str, Any] = event["conversation"]
        if summary.get("snoozed") and summary["status"] not in ACTIVE_STATUSES:
            await _wake_if_snoozed(services, int(summary["id"]), "closed")
