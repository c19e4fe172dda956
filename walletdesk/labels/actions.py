"""Changing labels: define them (managers), put them on conversations (agents), map bot and
conversation categories to them (managers), and apply those rules (the rules listener).

Every change to a conversation's labels is announced with the ordinary ``conversation``
event, so every workspace showing the conversation refreshes its row and header.
"""

import re
import unicodedata

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import can_view_conversation, is_manager
from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.conversations.messages import emit_conversation_changed, lock_conversation
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.labels.models import ConversationLabel, Label, LabelRule, LabelRuleApplied
from walletdesk.labels.queries import conversation_labels, get_label
from walletdesk.services import Services, emit

NAME_MAX = 40
DESCRIPTION_MAX = 200
CATEGORY_MAX = 40
LABELS_PER_CONVERSATION = 20
_COLOR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})")
RULES_CHANGED = "labels.rules_changed"


def clean_color(color: str) -> str:
    """"#1A7F37" or "#17c" → "#1a7f37" / "#1177cc"; anything else is refused."""
    value = color.strip().lower() if isinstance(color, str) else ""
    if not _COLOR.fullmatch(value):
        raise Invalid("colour must be a hex colour such as #1a7f37")
    return value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])


def _clean_name(name: str) -> str:
    value = unicodedata.normalize("NFC", name if isinstance(name, str) else "").strip()
    value = " ".join(value.split())
    if not 0 < len(value) <= NAME_MAX:
        raise Invalid("a label name of 1 to {max} characters is required", max=NAME_MAX)
    return value


def clean_category(category: str) -> str:
    value = category.strip() if isinstance(category, str) else ""
    if not 0 < len(value) <= CATEGORY_MAX:
        raise Invalid("a category of 1 to {max} characters is required", max=CATEGORY_MAX)
    return value


def _require_manager(actor: Agent) -> None:
    if not is_manager(actor):
        raise Forbidden("only supervisors and admins manage labels")


async def _name_taken(session: AsyncSession, name: str, except_id: int | None = None) -> bool:
    query = select(Label.id).where(func.lower(Label.name) == name.lower())
    if except_id is not None:
        query = query.where(Label.id != except_id)
    return await session.scalar(query) is not None


async def create_label(services: Services, actor: Agent, *, name: str, color: str,
                       description: str = "") -> Label:
    _require_manager(actor)
    name, color = _clean_name(name), clean_color(color)
    description = (description or "").strip()[:DESCRIPTION_MAX]
    async with services.transaction() as session:
        if await _name_taken(session, name):
            raise Conflict("a label named {name} exists", name=repr(name))
        label = Label(name=name, color=color, description=description)
        session.add(label)
        await session.flush()
        record_audit(session, actor_agent_id=actor.id, action="label.create",
                     target_type="label", target_id=label.id,
                     detail={"name": name, "color": color})
        return label


async def update_label(services: Services, actor: Agent, label_id: int, *,
                       name: str | None = None, color: str | None = None,
                       description: str | None = None) -> Label:
    _require_manager(actor)
    async with services.transaction() as session:
        label = await get_label(session, label_id)
        if name is not None:
            name = _clean_name(name)
            if await _name_taken(session, name, label.id):
                raise Conflict("a label named {name} exists", name=repr(name))
            label.name = name
        if color is not None:
            label.color = clean_color(color)
        if description is not None:
            label.description = description.strip()[:DESCRIPTION_MAX]
        record_audit(session, actor_agent_id=actor.id, action="label.update",
                     target_type="label", target_id=label.id,
                     detail={"name": label.name, "color": label.color})
        return label


async def delete_label(services: Services, actor: Agent, label_id: int) -> None:
    """The label goes from every conversation and rule too."""
    _require_manager(actor)
    async with services.transaction() as session:
        label = await get_label(session, label_id)
        # its conversation labels and rules go by ON DELETE CASCADE (both engines enforce it)
        await session.execute(delete(Label).where(Label.id == label.id))
        record_audit(session, actor_agent_id=actor.id, action="label.delete",
                     target_type="label", target_id=label_id, detail={"name": label.name})
        emit(session, {"type": RULES_CHANGED})


async def _viewable(session: AsyncSession, agent: Agent, conversation_id: int) -> Conversation:
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None or not can_view_conversation(agent, conversation):
        raise NotFound("conversation not found")
    return conversation


async def add_conversation_label(services: Services, agent: Agent, conversation_id: int,
                                 label_id: int) -> list[Label]:
    """Any agent who may see the conversation labels it; adding twice changes nothing."""
    async with services.transaction() as session:
        conversation = await _viewable(session, agent, conversation_id)
        label = await get_label(session, label_id)
        current = await conversation_labels(session, conversation.id)
        if any(existing.id == label.id for existing in current):
            return current
        if len(current) >= LABELS_PER_CONVERSATION:
            raise Invalid("a conversation has at most {max} labels", max=LABELS_PER_CONVERSATION)
        session.add(ConversationLabel(conversation_id=conversation.id, label_id=label.id,
                                      source="agent", added_by_agent_id=agent.id))
        conversation.updated_at = utcnow()
        emit_conversation_changed(session, conversation)
        return sorted([*current, label], key=lambda item: item.name)


async def remove_conversation_label(services: Services, agent: Agent, conversation_id: int,
                                    label_id: int) -> list[Label]:
    async with services.transaction() as session:
        conversation = await _viewable(session, agent, conversation_id)
        row = await session.get(ConversationLabel, (conversation.id, label_id))
        if row is None:
            raise NotFound("the conversation does not have this label")
        await session.delete(row)
        conversation.updated_at = utcnow()
        emit_conversation_changed(session, conversation)
        await session.flush()
        return await conversation_labels(session, conversation.id)


async def add_label_rule(services: Services, actor: Agent, *, category: str,
                         label_id: int) -> LabelRule:
    """Conversations of ``category`` (the bot's matched one, or the conversation's own such
    as "scam" or "complaint") get the label from now on."""
    _require_manager(actor)
    category = clean_category(category)
    async with services.transaction() as session:
        label = await get_label(session, label_id)
        exists = await session.scalar(select(LabelRule.id).where(
            LabelRule.category == category, LabelRule.label_id == label.id))
        if exists is not None:
            raise Conflict("this rule exists")
        rule = LabelRule(category=category, label_id=label.id)
        session.add(rule)
        await session.flush()
        record_audit(session, actor_agent_id=actor.id, action="label_rule.create",
                     target_type="label_rule", target_id=rule.id,
                     detail={"category": category, "label": label.name})
        emit(session, {"type": RULES_CHANGED})
        return rule


async def delete_label_rule(services: Services, actor: Agent, rule_id: int) -> None:
    _require_manager(actor)
    async with services.transaction() as session:
        rule = await session.get(LabelRule, rule_id)
        if rule is None:
            raise NotFound("rule not found")
        await session.delete(rule)
        record_audit(session, actor_agent_id=actor.id, action="label_rule.delete",
                     target_type="label_rule", target_id=rule_id,
                     detail={"category": rule.category})
        emit(session, {"type": RULES_CHANGED})


async def apply_category_rules(services: Services, conversation_id: int,
                               category: str) -> list[Label]:
    """Put the labels mapped to ``category`` on the conversation, once per conversation and
    category. Returns the labels added (none if the rules ran before).

    Raises IntegrityError when another process applied them at the same moment."""
    async with services.transaction() as session:
        if await session.get(LabelRuleApplied, (conversation_id, category)) is not None:
            return []
        labels = list((await session.scalars(
            select(Label).join(LabelRule, LabelRule.label_id == Label.id)
            .where(LabelRule.category == category))).all())
        if not labels:
            return []
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None:
            return []
        session.add(LabelRuleApplied(conversation_id=conversation.id, category=category))
        present = {label.id for label in await conversation_labels(session, conversation.id)}
        added = [label for label in labels if label.id not in present]
        for label in added:
            session.add(ConversationLabel(conversation_id=conversation.id, label_id=label.id,
                                          source="rule"))
        await session.flush()
        if added:
            conversation.updated_at = utcnow()
            emit_conversation_changed(session, conversation)
        return added
