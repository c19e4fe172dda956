"""A message the bot left to its chain lookup is never left without an answer.

The bot does not hand off a message that names a transaction (walletdesk.bot.actions,
``CHAIN_LOOKUP``): the lookup answers it after commit, in a task of its own. That task can
fail (the database busy when it stores the answer), be dropped (a restart while the endpoint
is slow) or die with its process. So the bot's turn schedules this job, due once the lookup
must be over (``lookup_deadline_s``), in the same transaction: if no lookup of that message
was stored by then and the conversation is still with the bot, a person takes it.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.bot.actions import LOOKUP_FALLBACK_JOB, hand_off
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.verify import ASK_HASH_KIND
from walletdesk.conversations.messages import lock_conversation
from walletdesk.conversations.models import Message, SenderKind, Status
from walletdesk.jobs.registry import JobContext, job_handler
from walletdesk.services import Services

HANDOFF_REASON = "chain_unavailable"  # as when the endpoint did not answer


@job_handler(LOOKUP_FALLBACK_JOB)
async def _hand_over_at_the_deadline(ctx: JobContext) -> None:
    await hand_over_if_unanswered(ctx.session, ctx.services,
                                  int(ctx.job.payload["conversation_id"]),
                                  int(ctx.job.payload["message_id"]))


async def hand_over_if_unanswered(session: AsyncSession, services: Services,
                                  conversation_id: int, message_id: int) -> bool:
    """A person takes the conversation if it is still with the bot and no lookup of the
    message was stored (the lookup stores and answers in one transaction); True if so. Also
    called at once when the lookup's task fails (walletdesk.chains.listeners)."""
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None or conversation.status != Status.bot \
            or conversation.assignee_id is not None:
        return False  # a person has it already (or it is gone)
    looked_up = await session.scalar(
        select(ChainLookup.id).where(ChainLookup.message_id == message_id).limit(1))
    if looked_up is not None or await _asked_again(session, conversation_id, message_id):
        return False
    await hand_off(session, services, conversation, HANDOFF_REASON)
    return True


async def _asked_again(session: AsyncSession, conversation_id: int, message_id: int) -> bool:
    """The lookup answered the message by asking for its hash again (a hash cut short:
    walletdesk.chains.actions), which stores no lookup: the customer has their answer."""
    metas = (await session.scalars(select(Message.meta).where(
        Message.conversation_id == conversation_id, Message.id > message_id,
        Message.sender_kind == SenderKind.bot))).all()
    return any((meta or {}).get("kind") == ASK_HASH_KIND for meta in metas)
