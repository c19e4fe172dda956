"""The SLA clocks' and the rating request's after-commit listeners (subscribed in
walletdesk.listeners): the resolution clock pauses while the desk waits on the customer or the
conversation is resolved, and resumes when the customer writes or an agent reopens it; a
resolved conversation asks for a rating."""

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
        if conversation is None or conversation.sla_paused_at is None \
                or conversation.status == Status.closed \
                or (conversation.status == Status.resolved and conversation.resolved_at):
            return  # resolved (again) meanwhile: the clock stays stopped
        # (a reopened one is "resolved" without resolved_at until routing gives it back)
        await resume_sla(session, conversation)
        emit_conversation_changed(session, conversation)


async def resume_sla_on_reopen(services: Services, event: Event) -> None:
    """An agent reopened it: the desk works on it again, so the clock runs (the due time
    moves by the working time it stood still)."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.sla_paused_at is None \
                or conversation.status not in (Status.queued, Status.assigned):
            return  # resolved again, or the agent answered meanwhile (waiting on the customer)
        await resume_sla(session, conversation)
        emit_conversation_changed(session, conversation)


async def pause_sla_on_resolve(services: Services, event: Event) -> None:
    """Resolved: nobody works on it, so its time does not count until it is reopened."""
    await _pause_while(services, event, Status.resolved, announce=False)


async def pause_sla_on_answer(services: Services, event: Event) -> None:
    """The agent answered: the desk waits on the customer."""
    await _pause_while(services, event, Status.waiting_customer, announce=True)


async def _pause_while(services: Services, event: Event, status: Status, *,
                       announce: bool) -> None:
    """Pause the resolution clock of the event's conversation if it is still in ``status``
    (not reopened, or written to by the customer, meanwhile), has a clock and is not paused
    already; ``announce``: tell the workspaces the conversation changed."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.status != status \
                or conversation.resolution_due_at is None \
                or conversation.sla_paused_at is not None:
            return
        pause_sla(conversation)
        if announce:
            emit_conversation_changed(session, conversation)


async def ask_for_rating_on_resolve(services: Services, event: Event) -> None:
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.status != Status.resolved:
            return  # reopened meanwhile
        await ask_for_rating(session, conversation)
