"""Routing's after-commit listeners (subscribed in walletdesk.listeners).

A new conversation (or one reopened, or waiting with no team) is routed once its first
message is committed; one still waiting after hours is told the next opening again when the
one it was told has passed; a transfer to a team picks an agent there; whatever frees an agent
(a resolve, a transfer) moves the queues of their teams. Each checks, under the
conversation's row lock, that nobody acted on the conversation meanwhile.
"""

from walletdesk.conversations.messages import lock_conversation
from walletdesk.conversations.models import Status
from walletdesk.events.bus import Event
from walletdesk.routing.actions import drain_queues, route_conversation, tell_after_hours_again
from walletdesk.services import Services


async def route_customer_message(services: Services, event: Event) -> None:
    if not event["route"]:
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is None or conversation.status != event["status"] \
                or conversation.assignee_id != event["assignee_id"] \
                or (conversation.status == Status.resolved
                    and conversation.resolved_at is not None):
            return  # someone acted on it since (an agent took it, a resolve)
        await route_conversation(session, services.settings, conversation,
                                 prefer_agent_id=event["prefer_agent_id"])


async def remind_after_hours(services: Services, event: Event) -> None:
    """A customer writing again to a conversation that waits after hours hears the next
    opening when the one they were told has passed (routing.actions.tell_after_hours_again)."""
    if event["route"] or event["status"] != Status.queued:
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, int(event["conversation_id"]))
        if conversation is not None:
            await tell_after_hours_again(session, conversation)


async def route_transfer(services: Services, event: Event) -> None:
    """A transfer to a team picks an agent there; the previous assignee's teams move on."""
    async with services.transaction() as session:
        if event["route"]:
            conversation = await lock_conversation(session, int(event["conversation_id"]))
            if conversation is not None and conversation.status != Status.closed:
                await route_conversation(session, services.settings, conversation,
                                         waiting_notice=event["waiting_notice"])
        await drain_queues(session, services.settings, list(event["freed_team_ids"]))


async def drain_freed_teams(services: Services, event: Event) -> None:
    if not event["freed_team_ids"]:
        return
    async with services.transaction() as session:
        await drain_queues(session, services.settings, list(event["freed_team_ids"]))
