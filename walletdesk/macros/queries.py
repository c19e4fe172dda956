"""Reading canned replies: who sees which, search, and one filled in for a conversation.

Personal replies are seen by their owner only (managers included: they are personal);
team replies by the team's members and by supervisors and admins, who manage them; replies
for everyone by every agent.
"""

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import is_manager, sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.customers.models import Customer
from walletdesk.customers.views import display_name
from walletdesk.errors import NotFound
from walletdesk.macros.models import CannedReply, CannedReplyText, Scope
from walletdesk.macros.render import fill_placeholders, pick_text

PICKER_LIMIT = 20
SCOPE_ORDER = {Scope.personal: 0, Scope.team: 1, Scope.everyone: 2}


def visible_replies(agent: Agent) -> ColumnElement[bool]:
    team_rule = (CannedReply.scope == Scope.team) if is_manager(agent) else and_(
        CannedReply.scope == Scope.team, CannedReply.team_id.in_(agent.team_ids or [-1]))
    return or_(
        and_(CannedReply.scope == Scope.personal, CannedReply.owner_agent_id == agent.id),
        team_rule,
        CannedReply.scope == Scope.everyone,
    )


def can_see(agent: Agent, reply: CannedReply) -> bool:
    if reply.scope == Scope.personal:
        return reply.owner_agent_id == agent.id
    if reply.scope == Scope.team:
        return is_manager(agent) or reply.team_id in agent.team_ids
    return True


def can_manage(agent: Agent, reply: CannedReply) -> bool:
    if reply.scope == Scope.personal:
        return reply.owner_agent_id == agent.id
    return is_manager(agent)


def _search(term: str) -> ColumnElement[bool]:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        func.lower(CannedReply.shortcut).like(pattern, escape="\\"),
        func.lower(CannedReply.title).like(pattern, escape="\\"),
        exists().where(CannedReplyText.canned_reply_id == CannedReply.id,
                       func.lower(CannedReplyText.text).like(pattern, escape="\\")),
    )


async def list_canned_replies(session: AsyncSession, agent: Agent, search: str | None = None,
                              limit: int = 200) -> list[CannedReply]:
    """The replies the agent sees: their own first, then their teams', then everyone's;
    shortcuts that start with the search term before those that only contain it."""
    query = select(CannedReply).where(visible_replies(agent))
    term = (search or "").strip()
    if term:
        query = query.where(_search(term))
    rows = list((await session.scalars(query.order_by(CannedReply.shortcut)
                                       .limit(min(max(limit, 1), 500)))).all())
    prefix = term.lower()
    return sorted(rows, key=lambda r: (bool(prefix) and not r.shortcut.lower().startswith(prefix),
                                       SCOPE_ORDER[Scope(r.scope)], r.shortcut.lower()))


async def get_canned_reply(session: AsyncSession, agent: Agent, reply_id: int) -> CannedReply:
    reply = await session.get(CannedReply, reply_id)
    if reply is None or not can_see(agent, reply):
        raise NotFound("canned reply not found")
    return reply


def canned_reply_payload(reply: CannedReply, viewer: Agent) -> dict[str, Any]:
    return {"id": reply.id, "shortcut": reply.shortcut, "title": reply.title,
            "scope": reply.scope, "team_id": reply.team_id,
            "owner_agent_id": reply.owner_agent_id,
            "texts": {t.language: t.text for t in reply.texts},
            "can_manage": can_manage(viewer, reply),
            "updated_at": reply.updated_at.isoformat()}


async def replies_for_conversation(session: AsyncSession, agent: Agent, conversation_id: int,
                                   search: str | None, default_language: str,
                                   limit: int = PICKER_LIMIT) -> list[dict[str, Any]]:
    """What the reply box's "/" picker offers: each reply in the conversation's language
    with its placeholders filled. For agents who may not see personal data (outsourced) the
    customer's name is left out: they never get it, and the customer is not greeted with
    the masked form ("Hi D***") they see."""
    conversation = await conversation_for_agent(session, agent, conversation_id)
    customer = await session.get(Customer, conversation.customer_id)
    name = display_name(customer, agent) if customer and sees_personal_data(agent) else ""
    values = {"customer_name": name,
              "agent_name": agent.display_name, "conversation_id": str(conversation.id)}
    rows = []
    for reply in await list_canned_replies(session, agent, search):
        picked = pick_text(reply, conversation.language, default_language)
        if picked is None:
            continue
        language, text = picked
        rows.append({"id": reply.id, "shortcut": reply.shortcut, "title": reply.title,
                     "scope": reply.scope, "language": language,
                     "text": fill_placeholders(text, values)})
    # those written in the customer's language first (a reply only in Chinese is still
    # offered to an English conversation, after them), each group in the order above
    rows.sort(key=lambda row: row["language"] != conversation.language)
    return rows[:limit]

