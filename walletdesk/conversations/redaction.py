"""The protect step across messages: a secret split over a customer's consecutive messages.

Called by ``receive_message`` inside its transaction, before the new message is stored. The
customer's previous one or two messages in the conversation (written in the last
``RECENT`` minutes) are read with the new text by the pure detector
(:func:`walletdesk.safety.across.protect_with_previous`); when together they hold a
recovery phrase or a key, the earlier messages are rewritten in place (their text, the
bot's record of them — after commit —, the conversation's subject if it came from one), flagged in
``meta["secret_removed"]``, and a ``message_edited`` event replaces them on every screen.
The new message carries the findings, so the customer is warned once, by the usual notice.

A bare 64-hex value removed only for its shape (a transaction id or a private key?) is
listed in the result's ``unverified``; on a first reading the message path may check it on
the chains and read the message again with ``keep`` (docs/decisions/0044).
"""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.conversations import events
from walletdesk.conversations.messages import message_payload
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.db.base import utcnow
from walletdesk.safety.across import MAX_EARLIER, protect_with_previous, unverified_alone
from walletdesk.safety.protect import Protected
from walletdesk.services import emit

RECENT = timedelta(minutes=10)


async def protect_with_recent(session: AsyncSession, conversation: Conversation,
                              text: str, keep: frozenset[str] | None = None) -> Protected:
    """``text`` (the customer's new message, not yet stored) protected, reading it after the
    customer's recent messages; earlier parts of a secret are removed from those too.

    ``keep``: None on a first reading, else the values found on a chain as transactions.
    ``unverified`` lists the bare 64-hex values whose removal rests only on their shape."""
    rows = list((await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id,
               Message.sender_kind == SenderKind.customer,
               Message.is_internal.is_(False),
               Message.created_at >= utcnow() - RECENT)
        .order_by(Message.seq.desc())
        .limit(MAX_EARLIER)
    )).all())
    rows.reverse()
    previous = [row.text for row in rows]
    result = protect_with_previous(previous, text, keep or frozenset())
    for index, new_text in result.earlier.items():
        await _rewrite(session, conversation, rows[index], new_text)
    if result.protected.has_secret:  # (after a chain check too: the notice names the shape)
        result.protected.unverified = unverified_alone(previous, text)
    return result.protected


async def _rewrite(session: AsyncSession, conversation: Conversation, message: Message,
                   new_text: str) -> None:
    old_first_line = message.text.split("\n")[0][:200]
    message.text = new_text
    message.meta = {**(message.meta or {}), "secret_removed": True}
    if conversation.subject == old_first_line:
        conversation.subject = new_text.split("\n")[0][:200]
    # records quoting it (the bot's turn) follow after commit (walletdesk.listeners)
    events.record(session, events.MESSAGE_REDACTED, conversation, message_id=message.id,
                  text=new_text)
    conversation.has_secret_redaction = True
    emit(session, {
        "type": "message_edited",
        "conversation_id": conversation.id,
        "customer_id": conversation.customer_id,
        "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id,
        "status": conversation.status,
        "message": message_payload(message),
    })
