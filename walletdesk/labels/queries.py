"""Reading labels: the list, a conversation's labels, the rules."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.errors import NotFound
from walletdesk.kb.models import Article
from walletdesk.labels.models import ConversationLabel, Label, LabelRule


def text_color(color: str) -> str:
    """Black or white, whichever reads better on ``color`` ("#rrggbb")."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def label_payload(label: Label) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "color": label.color,
            "text_color": text_color(label.color), "description": label.description}


async def list_labels(session: AsyncSession) -> list[Label]:
    return list((await session.scalars(select(Label).order_by(Label.name))).all())


async def get_label(session: AsyncSession, label_id: int) -> Label:
    label = await session.get(Label, label_id)
    if label is None:
        raise NotFound("label not found")
    return label


async def labels_by_conversation(session: AsyncSession,
                                 conversation_ids: Sequence[int]) -> dict[int, list[Label]]:
    """The labels of each conversation (for inbox rows), by name."""
    found: dict[int, list[Label]] = defaultdict(list)
    if not conversation_ids:
        return found
    rows = await session.execute(
        select(ConversationLabel.conversation_id, Label)
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(ConversationLabel.conversation_id.in_(list(conversation_ids)))
        .order_by(Label.name))
    for conversation_id, label in rows.all():
        found[conversation_id].append(label)
    return found


async def conversation_labels(session: AsyncSession, conversation_id: int) -> list[Label]:
    """A conversation's labels (check the viewer may see the conversation first)."""
    return (await labels_by_conversation(session, [conversation_id])).get(conversation_id, [])


async def list_rules(session: AsyncSession) -> list[tuple[LabelRule, Label]]:
    rows = await session.execute(
        select(LabelRule, Label).join(Label, Label.id == LabelRule.label_id)
        .order_by(LabelRule.category, Label.name))
    return [(rule, label) for rule, label in rows.all()]


async def rule_categories(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.scalars(select(LabelRule.category).distinct())).all())


def rule_payload(rule: LabelRule, label: Label) -> dict[str, Any]:
    return {"id": rule.id, "category": rule.category, "label": label_payload(label)}


async def category_choices(session: AsyncSession, fixed: Sequence[str]) -> list[str]:
    """Categories a rule can name: the knowledge base's (what the bot matches) and ``fixed``
    ones that conversations get otherwise (scam reports, complaints)."""
    found = set((await session.scalars(select(Article.category).distinct())).all())
    return sorted({c for c in found if c} | set(fixed))
