"""The SLA clocks' and the rating request's after-commit listeners (subscribed in
walletdesk.listeners): the resolution clock pauses while the desk waits on the customer and
resumes when they write; a resolved conversation asks for a rating."""

from walletdesk.cases.sla import pause_sla, resume_sla
from walletdesk.cases.surveys import ask_for_rating
from walletdesk.conversations.messages import emit_conversation_changed, lock_conversation
from walletdesk.conversations.models import Status
from walletdesk.events.bus import Event
from walletdesk.services import Services


async def resume_sla_on_reply(services: Services, event: Event) -> None:
    if not event["resume_sla"]:
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.sla_paused_at is None:
            return
        await resume_sla(session, conversation)
        emit_conversation_changed(session, conversation)


async def pause_sla_on_answer(services: Services, event: Event) -> None:
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.status != Status.waiting_customer \
                or conversation.resolution_due_at is None \
                or conversation.sla_paused_at is not None:
            return  # the customer wrote meanwhile, or no clock runs
        pause_sla(conversation)
        emit_conversation_changed(session, conversation)


async def ask_for_rating_on_resolve(services: Services, event: Event) -> None:
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.status != Status.resolved:
            return  # reopened meanwhile
        await ask_for_rating(session, conversation)
