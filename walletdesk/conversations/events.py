"""The domain events the conversation actions record for after-commit listeners.

They are not published to clients (the live events are, see walletdesk.services.emit);
each runs its listeners once, in the process that committed it (walletdesk.listeners
says who listens to what). They carry what a listener needs to decide whether it has
anything to do without reading the database, so a message nobody reacts to costs nothing.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations.models import Conversation, Message
from walletdesk.services import emit_after_commit

# a customer's message was stored: the bot answers, routing routes, the SLA clock resumes
CUSTOMER_MESSAGE = "conversation.customer_message"
# an agent answered the customer: the resolution clock pauses while the desk waits on them
AGENT_REPLIED = "conversation.agent_replied"
# resolved by an agent: the rating request, and the queue of the freed teams
RESOLVED = "conversation.resolved"
# reopened by an agent (Reopen): the resolution clock runs again (the desk works on it)
REOPENED = "conversation.reopened"
# handed to a team or agent: routing picks an agent (team only), the freed teams' queues move
ASSIGNED = "conversation.assigned"
# an earlier message was rewritten because a secret spanned it (walletdesk.conversations.
# redaction): records that quote its text follow
MESSAGE_REDACTED = "conversation.message_redacted"


def customer_message(session: AsyncSession, conversation: Conversation, message: Message, *,
                     route: bool = False, prefer_agent_id: int | None = None,
                     resume_sla: bool = False) -> None:
    emit_after_commit(session, {
        "type": CUSTOMER_MESSAGE, "conversation_id": conversation.id,
        "message_id": message.id, "text": message.text, "status": str(conversation.status),
        "assignee_id": conversation.assignee_id, "route": route,
        "prefer_agent_id": prefer_agent_id, "resume_sla": resume_sla,
    })


def record(session: AsyncSession, kind: str, conversation: Conversation,
           **detail: Any) -> None:
    emit_after_commit(session, {"type": kind, "conversation_id": conversation.id,
                                "status": str(conversation.status), **detail})
