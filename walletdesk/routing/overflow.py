"""Overflow: when the wait in a queue is too long, new conversations go to an outsourced team.

The expected wait of a new conversation in a team's queue comes from the queue (the
conversations waiting ahead of it in its language), the online and connected agents who speak
it (walletdesk.routing.presence; their capacity and current load) and the recent handling
time (assigned → resolved, the last ``HANDLE_WINDOW`` of the team's resolved conversations;
``average_handle_s`` without enough of them). The team's own threshold (``team_overflow``),
else ``WALLETDESK_OVERFLOW_WAIT_S``, decides: past it, the conversation goes to an open
outsourced team that serves the language (its agents see masked data only, as always), and
the customer is told the expected wait and offered to keep the page open, get the answer by
e-mail or book a call back (walletdesk.staffing.overflow_choices records the choice).
"""

import math
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team, agent_teams
from walletdesk.config import Settings
from walletdesk.conversations.models import ACTIVE_STATUSES, Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.i18n import N_, translate
from walletdesk.routing.presence import available
from walletdesk.routing.waits import wait_label
from walletdesk.staffing.models import OverflowOffer, TeamOverflow

# a domain event (after commit): a conversation went to an outsourced team, whose queue
# drains then (walletdesk.listeners)
OVERFLOWED = "routing.overflowed"
HANDLE_WINDOW = timedelta(days=7)
HANDLE_SAMPLE = 200  # the newest resolved conversations read for the handling time
HANDLE_MIN_SAMPLE = 10  # fewer: the configured average_handle_s
HANDLE_CACHE_S = 60.0  # the handling time is read at most once a minute per team and process
# keyed by the database and the team row (its id and creation time: a team deleted and made
# again with the same id, as in tests on SQLite, is not the same team)
_handle_cache: dict[tuple[str, int, object], tuple[float, float]] = {}

# what the customer is told, in their language (catalogs: walletdesk/locale)
TEXTS: dict[str, str] = {
    # Translators: {wait} is a duration, e.g. "45 minutes", "3 hours"
    "offer": N_("We're very busy right now: the expected wait is about {wait}. You can keep "
                "this page open, get the answer by e-mail, or book a call back."),
    "offer_unknown": N_("We're very busy right now and can't say how long the wait will be. You "
                        "can keep this page open, get the answer by e-mail, or book a call back."),
}


def offer_text(key: str, language: str | None, **values: object) -> str:
    return translate(TEXTS[key], language, **values)


@dataclass
class QueueLoad:
    """What the expected wait of one more conversation in a team's queue depends on."""

    waiting: int  # conversations in the queue ahead, in the language
    agents: int  # online agents who speak it
    slots: int  # their capacity in total
    free: int  # capacity not used now
    handle_s: float  # recent average handling time

    @property
    def expected_wait_s(self) -> float | None:
        """None: nobody online to answer (the wait has no bound)."""
        if self.slots <= 0:
            return None
        if self.free > self.waiting:
            return 0.0
        # each busy slot frees on average every handle_s: slots/handle_s a second
        return (self.waiting - self.free + 1) * self.handle_s / self.slots


def _speaks(agent: Agent, language: str | None) -> bool:
    return not language or not agent.languages or language in agent.languages


async def recent_handle_s(session: AsyncSession, settings: Settings, team: Team) -> float:
    """The team's average handling time lately (cached a minute per process)."""
    key = (settings.database_url, team.id, team.created_at)
    cached = _handle_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < HANDLE_CACHE_S:
        return cached[1]
    rows = (await session.execute(
        select(Conversation.assigned_at, Conversation.resolved_at)
        .where(Conversation.team_id == team.id, Conversation.resolved_at.is_not(None),
               Conversation.assigned_at.is_not(None),
               Conversation.resolved_at >= utcnow() - HANDLE_WINDOW)
        .order_by(Conversation.resolved_at.desc()).limit(HANDLE_SAMPLE))).all()
    spans = [(resolved - assigned).total_seconds() for assigned, resolved in rows
             if resolved > assigned]
    value = (sum(spans) / len(spans) if len(spans) >= HANDLE_MIN_SAMPLE
             else float(settings.average_handle_s))
    _handle_cache[key] = (now, value)
    return value


async def queue_load(session: AsyncSession, settings: Settings, team: Team,
                     language: str | None, *, exclude_id: int | None = None) -> QueueLoad:
    agents = [a for a in (await session.scalars(
        select(Agent).join(agent_teams, agent_teams.c.agent_id == Agent.id)
        .where(agent_teams.c.team_id == team.id, available(settings, utcnow())))
    ).unique().all() if _speaks(a, language)]
    loads: dict[int, int] = {}
    if agents:
        loads = dict((await session.execute(
            select(Conversation.assignee_id, func.count())
            .where(Conversation.assignee_id.in_([a.id for a in agents]),
                   Conversation.status.in_(ACTIVE_STATUSES))
            .group_by(Conversation.assignee_id))).all())
    waiting_query = select(func.count()).select_from(Conversation).where(
        Conversation.team_id == team.id, Conversation.status == Status.queued,
        Conversation.queued_at.is_not(None),
        Conversation.language.is_(None) if language is None
        else Conversation.language == language)
    if exclude_id is not None:
        waiting_query = waiting_query.where(Conversation.id != exclude_id)
    waiting = int(await session.scalar(waiting_query) or 0)
    slots = sum(max(a.capacity, 0) for a in agents)
    free = sum(max(a.capacity - loads.get(a.id, 0), 0) for a in agents)
    return QueueLoad(waiting=waiting, agents=len(agents), slots=slots, free=free,
                     handle_s=await recent_handle_s(session, settings, team))


async def overflow_threshold(session: AsyncSession, settings: Settings,
                             team: Team) -> int | None:
    own = await session.get(TeamOverflow, team.id)
    if own is not None and own.wait_threshold_s is not None:
        return own.wait_threshold_s
    return settings.overflow_wait_s


def _too_long(wait: float | None, threshold: int) -> bool:
    return wait is None or wait > threshold


@dataclass
class OverflowDecision:
    to_team: Team  # where the conversation waits now (the outsourced team, or its own)
    expected_wait_s: float | None  # in its first team
    offered_wait_s: float | None  # where it waits now


async def decide_overflow(session: AsyncSession, settings: Settings, conversation: Conversation,
                          team: Team, open_teams: list[Team]) -> OverflowDecision | None:
    """None while the wait in ``team`` is within its threshold (or there is none); else the
    team the conversation should wait in: the open outsourced team serving the language with
    the shortest expected wait, if it is shorter; else ``team`` itself (the customer is still
    told the wait and offered the choices)."""
    if team.is_outsourced:
        return None
    threshold = await overflow_threshold(session, settings, team)
    if threshold is None:
        return None
    here = (await queue_load(session, settings, team, conversation.language,
                             exclude_id=conversation.id)).expected_wait_s
    if not _too_long(here, threshold):
        return None
    language = conversation.language
    best: tuple[Team, float | None] | None = None
    for other in open_teams:
        if not other.is_outsourced or other.id == team.id:
            continue
        if language and other.languages and language not in other.languages:
            continue
        wait = (await queue_load(session, settings, other, language,
                                 exclude_id=conversation.id)).expected_wait_s
        if wait is None:
            continue
        if best is None or best[1] is None or wait < best[1]:
            best = (other, wait)
    if best is not None and (here is None or (best[1] is not None and best[1] < here)):
        return OverflowDecision(best[0], here, best[1])
    return OverflowDecision(team, here, here)


def record_offer(session: AsyncSession, conversation: Conversation, from_team: Team,
                 decision: OverflowDecision) -> OverflowOffer:
    offer = OverflowOffer(
        conversation_id=conversation.id, customer_id=conversation.customer_id,
        from_team_id=from_team.id, to_team_id=decision.to_team.id,
        expected_wait_s=_seconds(decision.expected_wait_s),
        offered_wait_s=_seconds(decision.offered_wait_s))
    session.add(offer)
    return offer


def _seconds(value: float | None) -> int | None:
    return None if value is None else int(math.ceil(value))


def offer_message(language: str | None, offered_wait_s: int | None) -> str:
    if offered_wait_s is None:
        return offer_text("offer_unknown", language)
    return offer_text("offer", language, wait=wait_label(offered_wait_s, language))
