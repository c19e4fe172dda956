"""@mentions of agents in internal notes.

An agent writes ``@Display Name`` in an internal note (the workspace completes names as they
type). ``record_mentions`` is an after-commit listener of the message event: it finds the
mentioned agents, stores one ``NoteMention`` each and sends each a live ``notification``
event; a mention not yet read is listed again on the agent's next load. Agents who may not
see the conversation are not notified (the note would tell them what they may not read):
the workspace offers only the agents who may (``mentionable_agents``), and the writer gets a
``mentions_skipped`` notice naming those a note mentioned in vain.
With several server processes each receives the event: the unique (message, agent) pair
makes the mention, and its notification, happen once.
"""

import re
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import can_view_conversation
from walletdesk.accounts.models import Agent
from walletdesk.accounts.queries import list_agents
from walletdesk.conversations.models import Conversation, Message, NoteMention, SenderKind
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid
from walletdesk.events.bus import Event
from walletdesk.services import Services, emit

log = structlog.get_logger(__name__)
EXCERPT_CHARS = 140
MAX_MARK = 500


def mentioned_agents(text: str, agents: list[Agent]) -> list[Agent]:
    """The agents whose ``@Display Name`` appears in ``text`` (any case; a longer name wins
    over a shorter one it starts with: "@Ann Lee" is Ann Lee, not Ann)."""
    if "@" not in text:
        return []
    found: list[Agent] = []
    taken: list[tuple[int, int]] = []
    for agent in sorted(agents, key=lambda a: len(a.display_name), reverse=True):
        name = agent.display_name.strip()
        if not name:
            continue
        pattern = re.compile("@" + re.escape(name) + r"(?![\w])", re.IGNORECASE)
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            if agent not in found:
                found.append(agent)
    return found


def mention_payload(mention: NoteMention, message: Message | None) -> dict[str, Any]:
    return {
        "id": mention.id,
        "conversation_id": mention.conversation_id,
        "message_id": mention.message_id,
        "by": message.sender_name if message is not None else "",
        "excerpt": message.text[:EXCERPT_CHARS] if message is not None else "",
        "created_at": mention.created_at.isoformat(),
        "read": mention.read_at is not None,
    }


async def _record(session: AsyncSession, message_id: int) -> None:
    message = await session.get(Message, message_id)
    if message is None or not message.is_internal or message.sender_kind != SenderKind.agent:
        return
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None:
        return
    agents = mentioned_agents(message.text, await list_agents(session, active_only=True))
    already = set((await session.scalars(select(NoteMention.agent_id).where(
        NoteMention.message_id == message.id))).all())
    skipped = [agent.display_name for agent in agents
               if agent.id != message.sender_agent_id
               and not can_view_conversation(agent, conversation)]
    for agent in agents:
        if agent.id == message.sender_agent_id or agent.id in already \
                or not can_view_conversation(agent, conversation):
            continue
        mention = NoteMention(message_id=message.id, conversation_id=conversation.id,
                              agent_id=agent.id, by_agent_id=message.sender_agent_id)
        session.add(mention)
        await session.flush()
        emit(session, {"type": "notification", "kind": "mention", "agent_id": agent.id,
                       "conversation_id": conversation.id,
                       "mention": mention_payload(mention, message)})
    if skipped and message.sender_agent_id is not None and not already:
        # the writer learns who was not told
        emit(session, {"type": "notification", "kind": "mentions_skipped",
                       "agent_id": message.sender_agent_id, "conversation_id": conversation.id,
                       "message_id": message.id, "mentions_skipped": skipped})


async def record_mentions(services: Services, event: Event) -> None:
    """After-commit listener: store and announce the mentions in a new internal note."""
    if event.get("type") != "message":
        return
    message = event["message"]
    if not message.get("internal") or message.get("sender_kind") != SenderKind.agent \
            or "@" not in message.get("text", ""):
        return
    try:
        async with services.transaction() as session:
            await _record(session, int(message["id"]))
    except IntegrityError:
        log.info("mentions_recorded_elsewhere", message_id=message["id"])


async def mentionable_agents(services: Services, agent: Agent,
                             conversation_id: int) -> list[dict[str, Any]]:
    """The active agents (other than ``agent``) who may see the conversation, by name: the
    ones a note there can notify. 404 if ``agent`` may not see it either."""
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        return [{"id": other.id, "name": other.display_name}
                for other in sorted(await list_agents(session, active_only=True),
                                    key=lambda a: a.display_name.lower())
                if other.id != agent.id and can_view_conversation(other, conversation)]


async def unread_mentions(services: Services, agent: Agent) -> list[dict[str, Any]]:
    """The agent's unread mentions, newest first, in conversations they may still see."""
    async with services.read() as session:
        rows = (await session.execute(
            select(NoteMention, Message, Conversation)
            .join(Message, Message.id == NoteMention.message_id)
            .join(Conversation, Conversation.id == NoteMention.conversation_id)
            .where(NoteMention.agent_id == agent.id, NoteMention.read_at.is_(None))
            .order_by(NoteMention.id.desc()).limit(200))).all()
        return [mention_payload(mention, message) for mention, message, conversation in rows
                if can_view_conversation(agent, conversation)]


async def mark_mentions_read(services: Services, agent: Agent, *,
                             conversation_id: int | None = None,
                             mention_ids: list[int] | None = None) -> int:
    """Mark the agent's own mentions read: those of one conversation, or the ids given, or
    (neither given) all of them. Returns how many changed."""
    if mention_ids is not None and len(mention_ids) > MAX_MARK:
        raise Invalid("at most {max} mentions at a time", max=MAX_MARK)
    query = update(NoteMention).where(NoteMention.agent_id == agent.id,
                                      NoteMention.read_at.is_(None))
    if conversation_id is not None:
        query = query.where(NoteMention.conversation_id == conversation_id)
    if mention_ids is not None:
        query = query.where(NoteMention.id.in_(mention_ids or [-1]))
    async with services.transaction() as session:
        result = await session.execute(query.values(read_at=utcnow())
                                       .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
