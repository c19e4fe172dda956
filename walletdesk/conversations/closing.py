"""Closing resolved conversations for good once their reopen window has passed.

Within ``reopen_window_s`` of being resolved, a customer who writes again reopens the
conversation; after it, the conversation is closed and a new message starts a new one.
Resolving schedules the ``conversation.close`` job at the end of the window; the job closes
the conversation only if it is still resolved since then (a reopen made the job moot).
"""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.audit.actions import record_audit
from walletdesk.config import Settings
from walletdesk.conversations.messages import emit_conversation_changed, lock_conversation
from walletdesk.conversations.models import Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.registry import JobContext, job_handler

CLOSE_JOB = "conversation.close"


async def schedule_close(session: AsyncSession, settings: Settings,
                         conversation: Conversation) -> None:
    """Called when a conversation is resolved (by an agent or the bot)."""
    resolved_at = conversation.resolved_at or utcnow()
    await schedule_job(session, CLOSE_JOB, {"conversation_id": conversation.id},
                       due_at=resolved_at + timedelta(seconds=settings.reopen_window_s),
                       dedupe_key=f"close:{conversation.id}:{resolved_at.isoformat()}")


@job_handler(CLOSE_JOB)
async def close_resolved(ctx: JobContext) -> None:
    conversation = await lock_conversation(ctx.session, int(ctx.job.payload["conversation_id"]))
    if conversation is None or conversation.status != Status.resolved \
            or conversation.resolved_at is None:
        return  # deleted, reopened or already closed: nothing to do
    if conversation.resolved_at + timedelta(seconds=ctx.services.settings.reopen_window_s) \
            > utcnow():
        return  # reopened and resolved again since: that resolve scheduled its own job
    conversation.status = Status.closed
    conversation.updated_at = utcnow()
    emit_conversation_changed(ctx.session, conversation)
    record_audit(ctx.session, actor_agent_id=None, action="conversation.close",
                 target_type="conversation", target_id=conversation.id)
