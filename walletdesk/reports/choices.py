"""The values the reports' filters offer: channels, categories and languages seen in the
conversations, the teams, agents and labels, and the contact reasons (the resolve picker's,
the knowledge base's categories and the labels, with the categories seen; each reason once:
walletdesk.conversations.reasons).

The reports page shows them at once (decision 0039), so at a million conversations they are
not read from the conversations (a scan of each column): where the rollup is built, the
values its hourly rows hold (the conversations it counted) and those of the conversations
newer than it — the same values, in the same order (tests/reports/test_page.py).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team
from walletdesk.conversations.contact_reasons import contact_reason_choices
from walletdesk.conversations.models import Conversation
from walletdesk.conversations.reasons import category_first, merged_reasons
from walletdesk.labels.models import Label
from walletdesk.reports.hourly import HOURLY
from walletdesk.reports.rollup_models import RollupState
from walletdesk.reports.rollups import STATE_ID

MAX_CHOICES = 200


@dataclass
class FilterChoices:
    channels: list[str]
    categories: list[str]
    languages: list[str]
    teams: list[tuple[int, str]]
    agents: list[tuple[int, str]]
    labels: list[tuple[int, str]]
    reasons: list[str]


async def _distinct(session: AsyncSession, column: Any, dimension: str,
                    covered_until: datetime | None) -> list[str]:
    if covered_until is None:  # no rollup (yet): the conversations themselves
        rows = await session.scalars(select(column).where(column.is_not(None))
                                     .distinct().order_by(column).limit(MAX_CHOICES))
        return [value for value in rows if value]
    h = HOURLY.c
    # the rows' values are "=" and the value ("" for none); plus the newer conversations'
    stored = select(func.substr(h.value, 2).label("value")).where(
        h.dimension == dimension, h.value != literal("", String))
    newer = select(column.label("value")).where(column.is_not(None),
                                                Conversation.created_at >= covered_until)
    values = union(stored, newer).subquery("choices")
    rows = await session.scalars(select(values.c.value).order_by(values.c.value)
                                 .limit(MAX_CHOICES))
    return [value for value in rows if value]


async def filter_choices(session: AsyncSession, *, rollup: bool = True) -> FilterChoices:
    """``rollup`` False: read the conversations, never the rollup (a recount)."""
    state = await session.get(RollupState, STATE_ID) if rollup else None
    covered = None if state is None else state.covered_until
    categories = await _distinct(session, Conversation.category, "category", covered)
    return FilterChoices(
        channels=await _distinct(session, Conversation.channel, "channel", covered),
        categories=categories,
        languages=await _distinct(session, Conversation.language, "language", covered),
        teams=[(i, n) for i, n in await session.execute(
            select(Team.id, Team.name).order_by(Team.name))],
        agents=[(i, n) for i, n in await session.execute(
            select(Agent.id, Agent.display_name).order_by(Agent.display_name))],
        labels=[(i, n) for i, n in await session.execute(
            select(Label.id, Label.name).order_by(Label.name))],
        reasons=merged_reasons(category_first(
            [*await contact_reason_choices(session), *categories])))
