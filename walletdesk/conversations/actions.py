"""The message path: every inbound and outbound message goes through these functions.

``receive_message`` (customer → desk) runs DESIGN.md's steps in one transaction: normalise,
find or create the customer and conversation (idempotent on the client's message id),
protect, persist with the next sequence number, publish after commit. ``send_message``
is its mirror for agents. The other actions change a conversation's state: assign, transfer,
resolve, reopen.

What reacts to a message or a state change — the bot, routing, the SLA clocks, the rating
request — is not called from here: the actions record a domain event
(walletdesk.conversations.events) and those subscribe to it after commit
(walletdesk.listeners). Called from a request the listeners run before the action returns
(so it answers with the routed conversation); the chat socket defers them.

One network call may come before a customer's message is stored, never inside its
transaction: a bare 64-hex value (a transaction id or a private key?) that is the message's
only secret, just after the desk asked for a transaction hash, is looked up on the chains
first (walletdesk.chains.verify; docs/decisions/0044).
"""

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.access import can_view_conversation, is_manager
from walletdesk.accounts.models import Agent, Role, Team
from walletdesk.accounts.queries import load_agent
from walletdesk.audit.actions import record_audit
from walletdesk.chains.verify import (
    ASKED_WITHIN,
    MAX_ANSWERS,
    asks_for_hash,
    transactions_on_chain,
)
from walletdesk.config import Settings
from walletdesk.conversations import events
from walletdesk.conversations.assignment import announce_join, assign_to
from walletdesk.conversations.attachments import AttachmentIn, prepare_attachments
from walletdesk.conversations.closing import schedule_close
from walletdesk.conversations.contact_reasons import checked_contact_reason
from walletdesk.conversations.messages import (
    append_message,
    emit_conversation_changed,
    lock_conversation,
)
from walletdesk.conversations.models import (
    OPEN_STATUSES,
    Conversation,
    Message,
    SenderKind,
    Status,
)
from walletdesk.conversations.redaction import protect_with_recent
from walletdesk.customers.actions import find_or_create_customer
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.metrics import SECRETS_REDACTED
from walletdesk.safety.across import unverified_alone
from walletdesk.safety.protect import KEY_PLACEHOLDER, Finding, Protected, protect_text
from walletdesk.services import Services
from walletdesk.small_talk import only_courtesy

CLIENT_ID_MAX = 64


class _CheckOnChain(Exception):  # noqa: N818 - a turn of the message path, not an error
    """The message's only secret is bare 64-hex values and the desk asked for a hash: roll
    back, ask the chains (outside any transaction), read the message again."""

    def __init__(self, values: list[str]) -> None:
        super().__init__(f"{len(values)} value(s) to check")  # never the values
        self.values = values


@dataclass
class InboundMessage:
    """A customer's message, as every channel adapter hands it over."""

    channel: str
    external_id: str  # the customer's id on that channel
    text: str
    client_id: str | None = None  # the client's / channel's message id: makes retries safe
    conversation_id: int | None = None  # the conversation the client is showing, if any
    customer_name: str | None = None
    customer_email: str | None = None
    language: str | None = None
    category: str | None = None  # set on a new conversation (e.g. "scam" reports)
    verified_user_id: str | None = None  # the channel proved who the customer is
    subject: str | None = None  # an email's subject; else the first line is the subject
    new_conversation: bool = False  # a new email thread: never continue an open conversation
    attachments: list[AttachmentIn] = field(default_factory=list)
    # the channel's own records, written in the message's transaction (e.g. email threading)
    on_stored: Callable[[AsyncSession, Conversation, Message], Awaitable[None]] | None = None


@dataclass
class Delivered:
    conversation: Conversation
    message: Message
    duplicate: bool = False
    findings: list[Finding] = field(default_factory=list)
    customer: Customer | None = None  # the sender of a customer's message


def clean_text(text: str, max_chars: int) -> str:
    """Normalise a message body; refuse empty and oversize ones with a clear reason."""
    if not isinstance(text, str):
        raise Invalid("text must be a string")
    text = unicodedata.normalize("NFC", text).replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid("message is empty")
    if len(text) > max_chars:
        raise Invalid("message is longer than {max} characters", max=max_chars)
    return text


def clean_client_id(client_id: str | None) -> str | None:
    if client_id is None:
        return None
    if not isinstance(client_id, str) or not 0 < len(client_id) <= CLIENT_ID_MAX:
        raise Invalid("client_id must be a string of 1 to {max} characters", max=CLIENT_ID_MAX)
    return client_id


async def _existing(session: AsyncSession, conversation_id: int,
                    client_id: str | None) -> Message | None:
    if client_id is None:
        return None
    return await session.scalar(
        select(Message).where(Message.conversation_id == conversation_id,
                              Message.client_id == client_id)
    )


async def _open_conversation(session: AsyncSession, settings: Settings, customer: Customer,
                             inbound: InboundMessage) -> Conversation | None:
    """The conversation the message continues: the client's or the open one; None: a new
    one is needed."""
    if inbound.new_conversation:
        return None
    if inbound.conversation_id is not None:
        conversation = await lock_conversation(session, inbound.conversation_id)
        if conversation is None or conversation.customer_id != customer.id:
            raise NotFound("conversation not found")
        return conversation if conversation.status != Status.closed else None
    latest_id = await session.scalar(
        select(Conversation.id)
        .where(Conversation.customer_id == customer.id,
               Conversation.channel == inbound.channel,
               Conversation.status != Status.closed)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if latest_id is None:
        return None
    conversation = await lock_conversation(session, latest_id)
    assert conversation is not None
    reopen_until = (conversation.resolved_at or utcnow()) + timedelta(
        seconds=settings.reopen_window_s)
    return conversation if conversation.is_open or utcnow() < reopen_until else None


async def _new_conversation(session: AsyncSession, customer: Customer, inbound: InboundMessage,
                            text: str, bot_active: bool) -> Conversation:
    """``text``: the message, protected (its first line is the subject without one)."""
    conversation = Conversation(
        customer_id=customer.id,
        channel=inbound.channel,
        status=Status.bot if bot_active and not inbound.category else Status.queued,
        category=inbound.category,
        language=inbound.language or customer.language,
        subject=(inbound.subject or text.split("\n")[0])[:200],
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def receive_message(services: Services, inbound: InboundMessage, *,
                          defer_listeners: bool = False) -> Delivered:
    """A customer's message from any channel: the one inbound path (see module doc).

    ``defer_listeners``: the bot, routing and SLA clock react in the background rather than
    before this returns (the chat socket: the customer is acknowledged first)."""
    settings = services.settings
    text = clean_text(inbound.text, settings.max_message_chars)
    client_id = clean_client_id(inbound.client_id)
    inbound.language = i18n.customer_language(inbound.language, settings.default_language) \
        if inbound.language else None
    # protect before anything is stored: the subject here, the message in _receive (once,
    # read with the customer's last messages)
    if inbound.subject:
        inbound.subject = protect_text(inbound.subject).text
    files, refused = prepare_attachments(settings, inbound.attachments)
    verified: frozenset[str] | None = None  # None: the chains were not asked
    attempt = 0
    while True:
        try:
            delivered = await _receive(services, inbound, client_id, files, refused,
                                       raw_text=text, defer_listeners=defer_listeners,
                                       verified=verified)
            break
        except IntegrityError:
            # two deliveries of the same new message raced; the second finds the first
            if attempt:
                raise
            attempt += 1
        except _CheckOnChain as check:  # rolled back; once per message
            verified = await transactions_on_chain(services, check.values, text)
    if not (defer_listeners or delivered.duplicate):  # as the listeners left it
        delivered.conversation = await _reloaded(services, delivered.conversation)
    return delivered


async def _asked_for_hash(session: AsyncSession, conversation: Conversation) -> bool:
    """Was the desk's last message to the customer (the bot's or an agent's, lately) a
    question for a transaction hash? Supporting context only: it lets the chains be asked,
    never keeps a value by itself."""
    since = utcnow() - ASKED_WITHIN
    last = (await session.execute(
        select(Message.text, Message.meta, Message.seq)
        .where(Message.conversation_id == conversation.id,
               Message.sender_kind.in_([SenderKind.bot, SenderKind.agent]),
               Message.is_internal.is_(False),
               Message.created_at >= since)
        .order_by(Message.seq.desc()).limit(1))).first()
    if last is None or not asks_for_hash(last.text, last.meta):
        return False
    # a cap (chains.verify.MAX_ANSWERS): the next few answers to the question, and not
    # after that many removed values lately (the bot asking again does not reset it)
    customer = (Message.conversation_id == conversation.id,
                Message.sender_kind == SenderKind.customer)
    answers = await session.scalar(select(func.count()).select_from(Message).where(
        *customer, Message.seq > last.seq))
    removed = await session.scalar(select(func.count()).select_from(Message).where(
        *customer, Message.created_at >= since,
        Message.text.contains(KEY_PLACEHOLDER, autoescape=True)))
    return (answers or 0) < MAX_ANSWERS and (removed or 0) < MAX_ANSWERS


async def _reloaded(services: Services, conversation: Conversation) -> Conversation:
    async with services.read() as session:
        return await session.get(Conversation, conversation.id) or conversation


async def _receive(services: Services, inbound: InboundMessage, client_id: str | None,
                   files: list[tuple[AttachmentIn, str]], refused: list[dict[str, str]], *,
                   raw_text: str, defer_listeners: bool,
                   verified: frozenset[str] | None = None) -> Delivered:
    settings = services.settings
    async with services.transaction(defer_listeners=defer_listeners) as session:
        customer = await find_or_create_customer(
            session, channel=inbound.channel, external_id=inbound.external_id,
            display_name=inbound.customer_name, email=inbound.customer_email,
            language=inbound.language, verified_user_id=inbound.verified_user_id,
        )
        bot_active = services.bot is not None and services.bot.active
        conversation = await _open_conversation(session, settings, customer, inbound)
        protected: Protected
        if conversation is None:
            protected = protect_text(raw_text)  # nothing earlier to read it with
            if protected.has_secret:  # a bare 64-hex as the first message: the shape notice
                protected.unverified = unverified_alone([], raw_text)
            conversation = await _new_conversation(session, customer, inbound, protected.text,
                                                   bot_active)
        else:
            existing = await _existing(session, conversation.id, client_id)
            if existing is not None:
                return Delivered(conversation, existing, duplicate=True, customer=customer)
            # read with the customer's last messages (a phrase sent 6 + 6)
            protected = await protect_with_recent(session, conversation, raw_text, verified)
            if verified is None and protected.unverified \
                    and await _asked_for_hash(session, conversation):
                raise _CheckOnChain(protected.unverified)  # a transaction id sent alone?
        inbound.text = protected.text

        was_new = conversation.last_seq == 0
        previous_status = conversation.status
        message = await append_message(
            session, conversation, sender_kind=SenderKind.customer, text=protected.text,
            sender_name=customer.display_name, client_id=client_id, files=files,
            meta={"attachments_refused": refused} if refused else None,
        )
        if inbound.on_stored is not None:
            await inbound.on_stored(session, conversation, message)
        # a phrase or key in an attached text file was removed as one typed: the same notice
        in_files = sum(1 for item, _ in files if item.secret_removed)
        if protected.has_secret or in_files:
            SECRETS_REDACTED.inc(len(protected.findings) + in_files)
            conversation.has_secret_redaction = True
            # only the shape of a key: it may have been a transaction id (how to send one)
            notice = "hex_removed" if protected.unverified else "secret_removed"
            await append_message(session, conversation, sender_kind=SenderKind.system,
                                 text=i18n.text(notice, conversation.language))

        route, prefer_agent_id, resume_sla = False, None, False
        if previous_status == Status.waiting_customer:
            conversation.status = Status.assigned
            resume_sla = True
            emit_conversation_changed(session, conversation)
        elif previous_status == Status.resolved and conversation.assignee_id is None \
                and bot_active:
            conversation.resolved_at = None  # the bot had solved it: back to the bot
            conversation.status = Status.bot
            emit_conversation_changed(session, conversation)
        elif previous_status == Status.resolved and not only_courtesy(protected.text):
            conversation.resolved_at = None  # reopened: routing gives it back (a listener)
            # and the resolution clock, paused while it was resolved, runs again
            route, prefer_agent_id, resume_sla = True, conversation.assignee_id, True
        # ("thanks", "ok", "bye" to a conversation an agent resolved: in the thread, not
        # reopened — walletdesk.small_talk)
        elif conversation.status != Status.bot and (
                was_new or (previous_status == Status.queued and conversation.team_id is None)):
            route = True
        # otherwise nothing changed but the new message, whose own event says it all
        events.customer_message(session, conversation, message, route=route,
                                prefer_agent_id=prefer_agent_id, resume_sla=resume_sla)
        return Delivered(conversation, message, findings=protected.findings, customer=customer)


async def _viewable(session: AsyncSession, agent: Agent, conversation_id: int) -> Conversation:
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None or not can_view_conversation(agent, conversation):
        raise NotFound("conversation not found")
    return conversation


async def send_message(services: Services, agent: Agent, conversation_id: int, text: str, *,
                       client_id: str | None = None, internal: bool = False,
                       attachments: list[AttachmentIn] | None = None) -> Delivered:
    """An agent's reply or internal note: the outbound mirror of ``receive_message``."""
    settings = services.settings
    text = clean_text(text, settings.max_message_chars)
    client_id = clean_client_id(client_id)
    files, refused = prepare_attachments(settings, attachments or [])
    async with services.transaction() as session:
        conversation = await _viewable(session, agent, conversation_id)
        existing = await _existing(session, conversation.id, client_id)
        if existing is not None:
            return Delivered(conversation, existing, duplicate=True)
        if conversation.status == Status.closed and not internal:
            raise Invalid("conversation is closed; the customer must write again")
        protected = protect_text(text)
        if not internal and conversation.status in (Status.queued, Status.bot):
            # replying to a waiting conversation takes it
            await assign_to(session, conversation, agent, present=True)
        elif not internal:  # given to them while away: the customer learns they are here
            await announce_join(session, conversation, agent)
        message = await append_message(
            session, conversation, sender_kind=SenderKind.agent, text=protected.text,
            sender_name=agent.display_name, sender_agent_id=agent.id, internal=internal,
            client_id=client_id, files=files,
            meta={"attachments_refused": refused} if refused else None,
        )
        if protected.has_secret:
            conversation.has_secret_redaction = True
        if not internal:
            if conversation.first_response_at is None:
                conversation.first_response_at = message.created_at
            if conversation.status == Status.assigned:
                conversation.status = Status.waiting_customer
                # the desk waits on the customer: the SLA clock pauses (a listener)
                events.record(session, events.AGENT_REPLIED, conversation)
        emit_conversation_changed(session, conversation)
        return Delivered(conversation, message, findings=protected.findings)


async def assign_conversation(services: Services, actor: Agent, conversation_id: int, *,
                              agent_id: int | None = None,
                              team_id: int | None = None) -> Conversation:
    """Assign to an agent, or transfer to a team (whose routing picks an agent).

    The customer hears "<name> joined" only when the new agent is online (or takes it
    themselves); otherwise that they were transferred and wait for the agent, who is
    announced when they open or answer it (``accept_conversation``)."""
    if agent_id is None and team_id is None:
        raise Invalid("give an agent_id or a team_id")
    async with services.transaction() as session:
        conversation = await _viewable(session, actor, conversation_id)
        if conversation.status == Status.closed:
            raise Invalid("conversation is closed")
        if agent_id is not None and agent_id != actor.id and actor.role == Role.outsourced \
                and conversation.assignee_id != actor.id:
            raise Forbidden("outsourced agents can only hand over their own conversations")
        previous_assignee = (await load_agent(session, conversation.assignee_id)
                             if conversation.assignee_id else None)
        freed_teams = list(previous_assignee.team_ids) if previous_assignee else []
        if team_id is not None:
            team = await session.get(Team, team_id)
            if team is None:
                raise NotFound("team not found")
            conversation.team_id = team.id
        transfer = previous_assignee is not None
        if agent_id is not None:
            target = await load_agent(session, agent_id)
            if target is None or not target.is_active:
                raise NotFound("agent not found")
            if conversation.team_id is not None and conversation.team_id not in target.team_ids \
                    and not is_manager(target) and target.team_ids:
                conversation.team_id = await _team_for(session, target, conversation.language)
            await assign_to(session, conversation, target,
                            present=True if target.id == actor.id else None)
        record_audit(session, actor_agent_id=actor.id, action="conversation.assign",
                     target_type="conversation", target_id=conversation.id,
                     detail={"agent_id": agent_id, "team_id": team_id,
                             "from_agent_id": previous_assignee.id if previous_assignee else None})
        # to a team: its routing picks an agent; either way the freed teams' queues move
        events.record(session, events.ASSIGNED, conversation, route=agent_id is None,
                      waiting_notice="transferred_waiting" if transfer else "queued",
                      freed_team_ids=freed_teams)
    return await _reloaded(services, conversation)


async def _team_for(session: AsyncSession, agent: Agent, language: str | None) -> int:
    """Of the agent's teams, the one a conversation given to them belongs to: one that speaks
    its language, then one of the agent's own (not outsourced), then the first (an English
    conversation given to Mei went to her Chinese team, counted there in reports and SLAs)."""
    teams = (await session.scalars(select(Team).where(Team.id.in_(agent.team_ids))
                                   .order_by(Team.id))).all()
    if not teams:
        return agent.team_ids[0]

    def rank(team: Team) -> tuple[int, int, int]:
        speaks = bool(language) and language in team.languages
        return (0 if speaks else 1, 1 if team.is_outsourced else 0, 0 if team.is_default else 1)

    return min(teams, key=rank).id


async def accept_conversation(services: Services, agent: Agent,
                              conversation_id: int) -> Conversation:
    """The assignee opened a conversation given to them while they were away: the customer
    is told they joined (once; nothing for anyone else or when it was announced already)."""
    async with services.transaction() as session:
        conversation = await _viewable(session, agent, conversation_id)
        await announce_join(session, conversation, agent)
        return conversation


async def resolve_conversation(services: Services, actor: Agent, conversation_id: int,
                               contact_reason: str | None = None) -> Conversation:
    """``contact_reason``: optional, why the customer wrote (contact_reason_choices)."""
    async with services.transaction() as session:
        conversation = await _viewable(session, actor, conversation_id)
        if conversation.status in (Status.resolved, Status.closed):
            return conversation
        reason = await checked_contact_reason(session, contact_reason)
        if reason is not None:
            conversation.contact_reason = reason
        assignee = (await load_agent(session, conversation.assignee_id)
                    if conversation.assignee_id else None)
        freed_teams = assignee.team_ids if assignee else []
        conversation.status = Status.resolved
        conversation.resolved_at = utcnow()
        conversation.after_hours = False
        await append_message(session, conversation, sender_kind=SenderKind.system,
                             text=i18n.text("resolved", conversation.language),
                             meta={"kind": "resolved"})  # reports count reopens from it
        await schedule_close(session, services.settings, conversation)
        emit_conversation_changed(session, conversation)
        record_audit(session, actor_agent_id=actor.id, action="conversation.resolve",
                     target_type="conversation", target_id=conversation.id)
        # the rating request, and the freed teams' queues move (listeners)
        events.record(session, events.RESOLVED, conversation,
                      freed_team_ids=list(freed_teams))
    return await _reloaded(services, conversation)


async def reopen_conversation(services: Services, actor: Agent,
                              conversation_id: int) -> Conversation:
    async with services.transaction() as session:
        conversation = await _viewable(session, actor, conversation_id)
        if conversation.status in OPEN_STATUSES:
            return conversation
        conversation.resolved_at = None
        await assign_to(session, conversation, actor, present=True)
        record_audit(session, actor_agent_id=actor.id, action="conversation.reopen",
                     target_type="conversation", target_id=conversation.id)
        # the agent works on it again: the resolution clock runs (a listener)
        events.record(session, events.REOPENED, conversation)
        return conversation
