"""Appending a message to a conversation, and the payloads clients receive.

``append_message`` is the one place a message row is written. It is called only from the
message-path actions (``receive_message``, ``send_message``) and from routing for system
notices, always inside their transaction, with the conversation row locked.
"""

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from walletdesk.accounts.access import mask_name, sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.conversations.attachments import AttachmentIn, attach
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.masking import mask_personal_text
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import schedule_job
from walletdesk.metrics import MESSAGES
from walletdesk.services import emit

PREVIEW_CHARS = 140
# whose public messages an agent's inbox previews, and dates its last activity by: the
# customer's words and the agents' replies; the bot's answers and hand-off notices and the
# desk's system notices come after the customer's words and would hide them
PREVIEWED_SENDERS = (SenderKind.customer, SenderKind.agent)
SUBJECT_CHARS = 200  # a conversation's subject: its first message's first line, cut here
# the run of letters and digits a cut text ends with: maybe the start of a wallet address
# that masking cannot recognise any more (walletdesk.customers.masking finds whole ones)
_CUT_RUN = re.compile(r"[0-9A-Za-z]{7,}$")
# the digits, maybe in groups, a cut text ends with: maybe the start of a card or identity
# number (walletdesk.customers.personal_numbers finds whole ones, by their check digits)
_CUT_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d+(?:[ -]\d+)*[ -]?$")
MIN_CUT_DIGITS = 7


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


def message_payload(message: Message, viewer: Agent | None = None,
                    known: Iterable[str | None] = ()) -> dict[str, Any]:
    """A message as clients get it; for a ``viewer`` who may not see personal data (an
    outsourced agent) the customer's name is masked, and in the text e-mails, phones and
    the ``known`` personal data of the customer (walletdesk.customers.masking)."""
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
    return payload if viewer is None or sees_personal_data(viewer) \
        else masked_message(payload, known)


def masked_message(payload: dict[str, Any], known: Iterable[str | None] = ()) -> dict[str, Any]:
    """A message payload without the customer's name (agents' names are not masked) and
    without e-mails, phones or the customer's known name in its text."""
    known = list(known)
    if payload["sender_kind"] == SenderKind.customer:
        known.append(payload["sender_name"])
        payload = {**payload, "sender_name": mask_name(payload["sender_name"])}
    masked_text = (payload.get("meta") or {}).get("masked_text")
    if isinstance(masked_text, str):  # the writer's own masked form (the customer's amounts)
        payload = {**payload, "text": masked_text}
    if not payload.get("text"):
        return payload
    return {**payload, "text": mask_personal_text(payload["text"], known)}


def masked_conversation(payload: dict[str, Any],
                        known: Iterable[str | None] = ()) -> dict[str, Any]:
    """A conversation summary whose subject and preview (the customer's words) have their
    e-mails, phones and the ``known`` personal data masked."""
    known = list(known)
    return {**payload, **{key: _masked_cut(payload[key], known, cut)
                          for key, cut in (("subject", SUBJECT_CHARS), ("preview", PREVIEW_CHARS))
                          if payload.get(key)}}


def _masked_cut(text: str, known: list[str | None], cut: int) -> str:
    """A text stored cut at ``cut`` characters, masked: a number cut in two at the end is no
    number to the masking any more. Digits the cut text ends with (in groups or not, seven
    or more: the start of a card or identity number, whose end the conversation shows) are
    masked whole; a long run of letters and digits keeps only its first four characters (as
    ``mask_identifier`` shows an address)."""
    if len(text) < cut:
        return mask_personal_text(text, known)
    digits = _CUT_DIGITS.search(text)
    if digits and sum(char.isdigit() for char in digits.group()) >= MIN_CUT_DIGITS:
        text, tail = text[:digits.start()], re.sub(r"\d", "*", digits.group())
    else:
        tail = ""
    masked = mask_personal_text(text, known) + tail
    return _CUT_RUN.sub(lambda m: m.group()[:4] + "***", masked)


def customer_known_data(conversation: Conversation) -> list[str | None]:
    """The customer's name, e-mail and phone, when ``conversation.customer`` is loaded."""
    customer = conversation.__dict__.get("customer")
    if customer is None:
        return []
    return [customer.display_name, customer.email, customer.phone]


def conversation_payload(conversation: Conversation, viewer: Agent | None = None,
                         known: Iterable[str | None] | None = None) -> dict[str, Any]:
    """A conversation summary for inbox lists and live updates; for a ``viewer`` who may not
    see personal data, subject and preview masked (:func:`masked_conversation`; ``known``:
    the customer's data, else taken from ``conversation.customer`` if loaded)."""
    payload = _conversation_payload(conversation)
    if viewer is None or sees_personal_data(viewer):
        return payload
    return masked_conversation(
        payload, customer_known_data(conversation) if known is None else known)


def _conversation_payload(conversation: Conversation) -> dict[str, Any]:
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


def _known_in_session(session: AsyncSession, conversation: Conversation) -> list[str | None]:
    """The customer's name, e-mail and phone if the session has the customer loaded (the
    message path has), without a query."""
    from walletdesk.customers.models import Customer

    customer = session.identity_map.get(identity_key(Customer, conversation.customer_id))
    if not isinstance(customer, Customer):
        return customer_known_data(conversation)
    return [customer.display_name, customer.email, customer.phone]


def emit_conversation_changed(session: AsyncSession, conversation: Conversation) -> None:
    payload = conversation_payload(conversation)
    event: dict[str, Any] = {"type": "conversation", "conversation": payload}
    known = _known_in_session(session, conversation)
    if known:  # what outsourced agents get instead (walletdesk.web.live)
        event["masked_conversation"] = masked_conversation(payload, known)
    emit(session, event)


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
    if not internal and sender_kind in PREVIEWED_SENDERS:
        # the inbox shows what people said, not "X joined" nor the bot's hand-off notice
        conversation.last_message_at = now
        # a message that carries its own masked form (meta "masked_text") is previewed in
        # that form: the one preview column serves outsourced agents too, who read the
        # message so (masked_message)
        masked_text = (meta or {}).get("masked_text")
        shown = masked_text if isinstance(masked_text, str) else text
        conversation.last_message_preview = shown[:PREVIEW_CHARS]
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
    payload = message_payload(message)
    # what outsourced agents get instead (walletdesk.web.live), when the customer is known
    known = _known_in_session(session, conversation)
    emit(
        session,
        {
            "type": "message",
            "conversation_id": conversation.id,
            "customer_id": conversation.customer_id,
            "team_id": conversation.team_id,
            "assignee_id": conversation.assignee_id,
            "status": conversation.status,
            # a customer's message wakes a snoozed conversation (conversations.snooze)
            "snoozed": conversation.snoozed_at is not None,
            "message": payload,
        } | ({"masked_message": masked_message(payload, known)} if known else {}),
    )
    return message
