"""Read-only selectors for the inbox, a conversation's messages and a customer's history."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from walletdesk.accounts.access import (
    can_view_conversation,
    sees_personal_data,
    visible_conversations,
)
from walletdesk.accounts.models import Agent
from walletdesk.conversations.models import (
    OPEN_STATUSES,
    Attachment,
    Conversation,
    Message,
    Status,
)
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.errors import NotFound
from walletdesk.labels.models import ConversationLabel, Label

PAGE_SIZE = 50
# what inbox rows and the conversation view show besides ids
WITH_PEOPLE = (joinedload(Conversation.customer), joinedload(Conversation.team),
               joinedload(Conversation.assignee))


class InboxView(StrEnum):
    mine = "mine"
    unassigned = "unassigned"
    team = "team"
    all = "all"
    resolved = "resolved"
    snoozed = "snoozed"  # mine, snoozed (walletdesk.conversations.snooze); out of the others


class InboxSort(StrEnum):
    """The inbox's orders. The last activity is the latest public message of the customer or
    an agent (``last_message_at``; the bot's and the desk's notices do not count)."""

    recent = "recent"  # "Newest": the latest activity first, whatever the priority (default)
    priority = "priority"  # the most urgent priority first, then the latest activity
    sla = "sla"  # the nearest SLA deadline first (first reply, else resolution)


@dataclass
class InboxFilter:
    view: InboxView = InboxView.mine
    team_id: int | None = None
    language: str | None = None
    search: str | None = None
    limit: int = PAGE_SIZE
    sort: InboxSort = InboxSort.recent
    label_id: int | None = None  # only conversations with this label (walletdesk.labels)


async def list_inbox(session: AsyncSession, agent: Agent, flt: InboxFilter) -> list[Conversation]:
    query = select(Conversation).where(visible_conversations(agent)).options(*WITH_PEOPLE)
    if flt.view in (InboxView.mine, InboxView.unassigned, InboxView.team, InboxView.all):
        query = query.where(Conversation.snoozed_at.is_(None))  # back when due
    if flt.view == InboxView.mine:
        query = query.where(Conversation.assignee_id == agent.id,
                            Conversation.status.in_(OPEN_STATUSES))
    elif flt.view == InboxView.snoozed:
        query = query.where(Conversation.assignee_id == agent.id,
                            Conversation.snoozed_at.is_not(None),
                            Conversation.status.in_(OPEN_STATUSES))
    elif flt.view == InboxView.unassigned:
        query = query.where(Conversation.status == Status.queued)
    elif flt.view == InboxView.team:
        query = query.where(Conversation.status.in_(OPEN_STATUSES))
        team_ids = [flt.team_id] if flt.team_id else agent.team_ids
        query = query.where(Conversation.team_id.in_(team_ids or [-1]))
    elif flt.view == InboxView.all:  # every open conversation; finished ones under "resolved"
        query = query.where(Conversation.status.in_(OPEN_STATUSES))
    elif flt.view == InboxView.resolved:
        query = query.where(Conversation.status.in_((Status.resolved, Status.closed)))
    if flt.team_id and flt.view != InboxView.team:
        query = query.where(Conversation.team_id == flt.team_id)
    if flt.language:
        query = query.where(Conversation.language == flt.language)
    if flt.label_id:
        query = query.where(exists().where(ConversationLabel.conversation_id == Conversation.id,
                                           ConversationLabel.label_id == flt.label_id))
    if flt.search and flt.search.strip():
        query = query.where(_search_condition(flt.search.strip(),
                                              personal=sees_personal_data(agent)))
    if flt.sort == InboxSort.sla:
        deadline = case((Conversation.first_response_at.is_(None),
                         Conversation.first_response_due_at),
                        else_=Conversation.resolution_due_at)
        # no deadline last (portable: NULLS LAST is not SQLite syntax before 3.30)
        query = query.order_by(deadline.is_(None), deadline, Conversation.priority.desc())
    elif flt.sort == InboxSort.priority:
        query = query.order_by(Conversation.priority.desc(), Conversation.last_message_at.desc(),
                               Conversation.id.desc())
    else:
        query = query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    return list((await session.scalars(query.limit(min(max(flt.limit, 1), 200)))).unique().all())


def _search_condition(term: str, *, personal: bool = True) -> ColumnElement[bool]:
    """Message text by substring; customers by their exact name, email, phone or channel id
    (those are encrypted at rest, so they are matched by keyed hash, whole and any case);
    labels by their name. Not ``personal`` (an outsourced viewer, who sees personal data
    masked): labels and conversation numbers only — message text holds personal data in
    clear, so text search would find a customer by a name the viewer cannot see."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    digest = keyed_hash(term)
    customer_match = exists().where(
        Customer.id == Conversation.customer_id,
        or_(Customer.name_hash == digest, Customer.email_hash == digest,
            Customer.phone_hash == digest, Customer.verified_user_hash == digest),
    )
    identity_match = exists().where(
        CustomerIdentity.customer_id == Conversation.customer_id,
        CustomerIdentity.external_hash == digest,
    )
    text_match = exists().where(
        and_(Message.conversation_id == Conversation.id,
             func.lower(Message.text).like(pattern, escape="\\"))
    )
    # a label's name, whole and any case ("refund" finds the conversations labelled Refund)
    label_match = exists().where(ConversationLabel.conversation_id == Conversation.id,
                                 Label.id == ConversationLabel.label_id,
                                 func.lower(Label.name) == term.lower())
    conditions = [customer_match, identity_match, text_match, label_match] if personal \
        else [label_match]
    # a conversation number: ASCII digits ("²" is a digit too) that fit the 32-bit id column
    if term.isascii() and term.isdigit() and len(term) <= 10 and int(term) < 2**31:
        conditions.append(Conversation.id == int(term))
    return or_(*conditions)


async def conversation_for_agent(session: AsyncSession, agent: Agent,
                                 conversation_id: int) -> Conversation:
    conversation = await session.get(Conversation, conversation_id, options=WITH_PEOPLE,
                                     populate_existing=True)
    if conversation is None or not can_view_conversation(agent, conversation):
        raise NotFound("conversation not found")
    return conversation


async def attachment_for_agent(session: AsyncSession, agent: Agent,
                               attachment_id: int) -> Attachment:
    """An attachment, if the agent may see the conversation it belongs to."""
    found = (await session.execute(
        select(Attachment, Conversation)
        .join(Message, Message.id == Attachment.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Attachment.id == attachment_id))).first()
    if found is None or not can_view_conversation(agent, found[1]):
        raise NotFound("attachment not found")
    return found[0]


async def messages_after(session: AsyncSession, conversation_id: int, after_seq: int = 0, *,
                         include_internal: bool, limit: int = 500) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id,
                                  Message.seq > after_seq)
    if not include_internal:
        query = query.where(Message.is_internal.is_(False))
    return list((await session.scalars(query.order_by(Message.seq).limit(limit))).all())


async def customer_conversations(session: AsyncSession, agent: Agent,
                                 customer_id: int) -> list[Conversation]:
    query = (select(Conversation)
             .where(Conversation.customer_id == customer_id, visible_conversations(agent))
             .order_by(Conversation.id.desc()).limit(50))
    return list((await session.scalars(query)).unique().all())


async def latest_customer_conversation(session: AsyncSession, channel: str,
                                       external_id: str) -> Conversation | None:
    """What the widget shows a returning visitor: their latest conversation."""
    return await session.scalar(
        select(Conversation)
        .join(CustomerIdentity, CustomerIdentity.customer_id == Conversation.customer_id)
        .where(CustomerIdentity.channel == channel,
               CustomerIdentity.external_hash == keyed_hash(external_id),
               Conversation.channel == channel)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
