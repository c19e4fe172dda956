"""The values the reports' filters offer: channels, categories and languages seen in the
conversations, and the teams, agents and labels."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team
from walletdesk.conversations.models import Conversation
from walletdesk.labels.models import Label

MAX_CHOICES = 200


@dataclass
class FilterChoices:
    channels: list[str]
    categories: list[str]
    languages: list[str]
    teams: list[tuple[int, str]]
    agents: list[tuple[int, str]]
    labels: list[tuple[int, str]]


async def _distinct(session: AsyncSession, column: object) -> list[str]:
    rows = await session.scalars(select(column).where(column.is_not(None))  # type: ignore[attr-defined]
                                 .distinct().order_by(column).limit(MAX_CHOICES))
    return [value for value in rows if value]


async def filter_choices(session: AsyncSession) -> FilterChoices:
    return FilterChoices(
        channels=await _distinct(session, Conversation.channel),
        categories=await _distinct(session, Conversation.category),
        languages=await _distinct(session, Conversation.language),
        teams=[(i, n) for i, n in await session.execute(
            select(Team.id, Team.name).order_by(Team.name))],
        agents=[(i, n) for i, n in await session.execute(
            select(Agent.id, Agent.display_name).order_by(Agent.display_name))],
        labels=[(i, n) for i, n in await session.execute(
            select(Label.id, Label.name).order_by(Label.name))])
