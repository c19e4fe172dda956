"""Agents' time online and busy, from the history of their presence changes.

``record_presence_change`` is an after-commit listener of the ``presence`` event (subscribed
by each server process, walletdesk.web.app): it stores the agent's presence and the moment
it changed (``Agent.presence_changed_at``) as one ``PresenceChange``; with several processes
each receives the event and the unique (agent, moment) pair keeps one row. The events of an
online agent's connection (walletdesk.routing.actions: ``connected`` false when the queue
sweep noticed them gone, at the moment routing stopped offering them work; true when they
came back) are stored the same way, as ``NOT_CONNECTED`` and ``online``.

In a period an agent was *online* (or away) from each change to the next, clipped to the
period and to now. Online means what routing means by it (decision 0059): online and
connected; online without a connection counts as *not connected*, neither online nor away.
*Busy* is the online time during which they held at least one conversation assigned to them
now (from its assignment to its resolve): the desk keeps no history of transfers, so a
conversation taken away from them does not count for them."""

from collections import defaultdict
from datetime import datetime

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, agent_teams
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.events.bus import Event
from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.models import PresenceChange
from walletdesk.reports.scope import as_utc
from walletdesk.reports.volume import period_of
from walletdesk.services import Services

log = structlog.get_logger(__name__)
Interval = tuple[datetime, datetime]
# an online agent no longer connected (a PresenceChange's presence; fits its 10 characters)
NOT_CONNECTED = "unseen"


def _change_of(event: Event, agent: Agent) -> tuple[str, datetime]:
    """The state and moment an event says: a connection event's own (the agent's row may
    have moved on since), else the agent's presence and when it changed."""
    if isinstance(event.get("connected"), bool) and isinstance(event.get("changed_at"), str):
        return (str(event["presence"]) if event["connected"] else NOT_CONNECTED,
                as_utc(datetime.fromisoformat(event["changed_at"])))
    return str(agent.presence), agent.presence_changed_at


async def record_presence_change(services: Services, event: Event) -> None:
    if event.get("type") != "presence" or not isinstance(event.get("agent_id"), int):
        return
    try:
        async with services.transaction() as session:
            agent = await session.get(Agent, event["agent_id"])
            if agent is None:
                return
            presence, changed_at = _change_of(event, agent)
            known = await session.scalar(select(PresenceChange.id).where(
                PresenceChange.agent_id == agent.id, PresenceChange.changed_at == changed_at))
            if known is None:
                session.add(PresenceChange(agent_id=agent.id, presence=presence,
                                           changed_at=changed_at))
    except IntegrityError:  # another server process stored the same change
        log.debug("presence_change_already_recorded")


def subscribe_presence_history(services: Services):  # type: ignore[no-untyped-def]
    """Subscribe the listener; returns the function that unsubscribes it."""
    return services.bus.subscribe(lambda event: record_presence_change(services, event))


class PresenceRow(BaseModel):
    agent_id: int
    agent: str
    online_s: float = Field(description="online and connected: offered conversations")
    away_s: float
    busy_s: float = Field(description="online while holding at least one conversation")
    busy_share: float | None = Field(description="busy ÷ online")
    not_connected_s: float = Field(
        default=0.0, description="online but not connected (the workspace closed, the network "
                                 "lost): offered nothing, counted neither online nor away")


class PresenceReport(BaseModel):
    period: Period
    agents: list[PresenceRow]


def states(changes: list[tuple[str, datetime]], start: datetime,
           end: datetime) -> dict[str, list[Interval]]:
    """The intervals of each presence in [start, end), from the changes (oldest first; the
    last one before ``start`` says the presence at ``start``)."""
    result: dict[str, list[Interval]] = defaultdict(list)
    for index, (presence, began) in enumerate(changes):
        until = changes[index + 1][1] if index + 1 < len(changes) else end
        low, high = max(began, start), min(until, end)
        if high > low:
            result[presence].append((low, high))
    return result


def merged(intervals: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for low, high in sorted(intervals):
        if result and low <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return result


def overlap_seconds(first: list[Interval], second: list[Interval]) -> float:
    total = 0.0
    for a_low, a_high in merged(first):
        for b_low, b_high in merged(second):
            low, high = max(a_low, b_low), min(a_high, b_high)
            if high > low:
                total += (high - low).total_seconds()
    return total


def seconds(intervals: list[Interval]) -> float:
    return sum((high - low).total_seconds() for low, high in intervals)


async def presence_report(session: AsyncSession, report: ReportFilter, *,
                          now: datetime | None = None) -> PresenceReport:
    start, end = report.start_utc, min(report.end_utc, now or utcnow())
    agents = select(Agent.id, Agent.display_name)
    if report.agent_id:
        agents = agents.where(Agent.id == report.agent_id)
    if report.team_id:
        agents = agents.where(Agent.id.in_(select(agent_teams.c.agent_id)
                                           .where(agent_teams.c.team_id == report.team_id)))
    names = dict((await session.execute(agents)).all())
    before = (select(PresenceChange.agent_id, func.max(PresenceChange.changed_at).label("at"))
              .where(PresenceChange.changed_at < start).group_by(PresenceChange.agent_id)
              .subquery())
    rows = (await session.execute(
        select(PresenceChange.agent_id, PresenceChange.presence, PresenceChange.changed_at)
        .outerjoin(before, before.c.agent_id == PresenceChange.agent_id)
        .where(PresenceChange.agent_id.in_(names or {-1}), PresenceChange.changed_at < end,
               (PresenceChange.changed_at >= start) | (PresenceChange.changed_at == before.c.at))
        .order_by(PresenceChange.agent_id, PresenceChange.changed_at))).all()
    changes: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for agent_id, presence, changed_at in rows:
        changes[agent_id].append((presence, as_utc(changed_at)))
    held: dict[int, list[Interval]] = defaultdict(list)
    for agent_id, assigned_at, resolved_at in await session.execute(
            select(Conversation.assignee_id, Conversation.assigned_at, Conversation.resolved_at)
            .where(Conversation.assignee_id.in_(list(changes) or [-1]),
                   Conversation.assigned_at.is_not(None), Conversation.assigned_at < end,
                   (Conversation.resolved_at.is_(None)) | (Conversation.resolved_at > start))):
        held[agent_id].append((max(as_utc(assigned_at), start),
                               min(as_utc(resolved_at) if resolved_at else end, end)))
    result = []
    for agent_id, history in changes.items():
        spans = states(history, start, end)
        online = seconds(spans["online"])
        busy = overlap_seconds(spans["online"], [i for i in held[agent_id] if i[1] > i[0]])
        result.append(PresenceRow(agent_id=agent_id, agent=names.get(agent_id, ""),
                                  online_s=online, away_s=seconds(spans["away"]), busy_s=busy,
                                  busy_share=round(busy / online, 4) if online else None,
                                  not_connected_s=seconds(spans[NOT_CONNECTED])))
    result.sort(key=lambda row: (-row.online_s, row.agent))
    return PresenceReport(period=period_of(report), agents=result)
