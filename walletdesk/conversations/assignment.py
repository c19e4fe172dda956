"""Giving a conversation to an agent, and telling the customer they joined.

The two steps every assignment takes, whoever decides it: routing (walletdesk.routing),
an agent taking a conversation by answering it, a supervisor's transfer, a reopen. They
live here so that the conversation actions need not import routing.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.models import Agent, Presence
from walletdesk.accounts.queries import load_agent
from walletdesk.conversations.messages import append_message, emit_conversation_changed
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation, SenderKind, Status
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid


async def assign_to(session: AsyncSession, conversation: Conversation, agent: Agent, *,
                    present: bool | None = None) -> None:
    """Give the conversation to ``agent``. The customer is told "<name> joined" only if the
    agent is there (``present``; by default: online and connected); otherwise that they wait
    for an agent, and the join is announced when the agent opens or answers it
    (``announce_join``).

    Refused (Invalid, nothing changed or written) when ``agent`` already has it: a transfer
    to its holder would only tell the customer a second time that they joined."""
    if conversation.assignee_id == agent.id and conversation.status in ACTIVE_STATUSES:
        raise Invalid("{name} already has this conversation: choose another agent or a team",
                      name=agent.display_name)
    # the agent may come from another session (the signed-in user): use this session's copy
    attached = await load_agent(session, agent.id)
    assert attached is not None
    agent = attached
    if present is None:  # online, and not noticed gone by the queue sweep (decision 0059)
        present = agent.presence == Presence.online and agent.connection_lost_at is None
    now = utcnow()
    conversation.assignee_id = agent.id
    conversation.status = Status.assigned
    conversation.assigned_at = now
    conversation.after_hours = False
    conversation.assignee_joined_at = now if present else None
    await append_message(session, conversation, sender_kind=SenderKind.system,
                         text=i18n.text("agent_joined", conversation.language,
                                        name=agent.display_name) if present
                         else i18n.text("transferred_waiting", conversation.language))
    emit_conversation_changed(session, conversation)


async def announce_join(session: AsyncSession, conversation: Conversation, agent: Agent) -> bool:
    """The assignee opened or answered a conversation given to them while away: now the
    customer is told they joined. False if there was nothing to announce."""
    if conversation.assignee_id != agent.id or conversation.assignee_joined_at is not None \
            or conversation.status not in ACTIVE_STATUSES:
        return False
    conversation.assignee_joined_at = utcnow()
    await append_message(session, conversation, sender_kind=SenderKind.system,
                         text=i18n.text("agent_joined", conversation.language,
                                        name=agent.display_name))
    emit_conversation_changed(session, conversation)
    return True
