"""The staffing plan: forecast contacts, agents needed, the roster, and the gaps (read-only)."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team, agent_teams
from walletdesk.config import Settings
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.routing.hours import parse_clock
from walletdesk.staffing.erlang import agents_needed, service_level, traffic_of, with_shrinkage
from walletdesk.staffing.forecast import INTERVAL_S, PER_WEEK, forecast_contacts
from walletdesk.staffing.handle_time import ACTIVE_GAP_CAP, HandleTime, handle_time
from walletdesk.staffing.models import Shift, TeamOverflow

INTERVAL = timedelta(seconds=INTERVAL_S)


@dataclass
class IntervalPlan:
    starts: datetime
    contacts: float
    on_queue: int  # agents answering, by Erlang C
    needed: int  # rostered, with shrinkage
    rostered: int
    service_level: float | None  # expected with the rostered agents (less shrinkage)

    @property
    def gap(self) -> int:
        """Rostered minus needed: negative is short."""
        return self.rostered - self.needed


@dataclass
class StaffingPlan:
    team_id: int | None
    timezone: str
    starts: datetime
    method: str
    history_intervals: int
    handle_s: float  # an agent's time per conversation: what Erlang C reads (HandleTime.agent_s)
    handle_from_history: bool
    target: float
    answer_within_s: int
    shrinkage: float
    active_s: float = 0.0  # an agent's active time on a conversation (HandleTime.active_s)
    concurrency: float = 1.0  # conversations an agent handles at once
    handled_conversations: int = 0  # measured for the handling time
    intervals: list[IntervalPlan] = field(default_factory=list)
    # the roster: its agents, and those of them with no shift entered
    agents: int = 0
    agents_without_shifts: int = 0

    @property
    def active_gap_cap_min(self) -> int:
        """The most an agent's message counts of the time before it (``ACTIVE_GAP_CAP``)."""
        return int(ACTIVE_GAP_CAP.total_seconds() // 60)

    @property
    def roster_entered(self) -> bool:
        """Whether any agent of the roster has a shift: without one, nobody's hours are known,
        and a need is not a shortfall (a desk that has not entered its roster is not short
        every half-hour)."""
        return self.agents_without_shifts < self.agents

    @property
    def short_intervals(self) -> int:
        """Half-hours short against the roster entered (none counted without a roster)."""
        if not self.roster_entered:
            return 0
        return sum(1 for i in self.intervals if i.gap < 0)

    @property
    def short_agent_hours(self) -> float:
        if not self.roster_entered:
            return 0.0
        return sum(-i.gap for i in self.intervals if i.gap < 0) * INTERVAL_S / 3600


@dataclass
class GapSpan:
    """Consecutive short half-hours, as one stretch of time in the plan's time zone."""

    starts: datetime  # the first short half-hour's start
    ends: datetime  # the last short half-hour's start + 30 minutes
    half_hours: int
    contacts: float  # the most in one half-hour
    needed: int  # the most
    rostered: int  # the fewest
    gap: int  # the worst

    @property
    def end_day(self) -> date:
        """The day the span ends on (a span ending at midnight ends on the day before, at
        24:00)."""
        return (self.ends - timedelta(microseconds=1)).date()

    @property
    def end_clock(self) -> str:
        """The span's end as HH:MM, midnight as 24:00 (the end of a day, as shifts write it)."""
        if (self.ends.hour, self.ends.minute) == (0, 0):
            return "24:00"
        return self.ends.strftime("%H:%M")


def gap_spans(intervals: list[IntervalPlan], timezone: str = "UTC") -> list[GapSpan]:
    """The short half-hours merged into spans of consecutive ones, in ``timezone``."""
    zone = ZoneInfo(timezone)
    spans: list[GapSpan] = []
    for interval in intervals:
        if interval.gap >= 0:
            continue
        last = spans[-1] if spans else None
        ends = (interval.starts + INTERVAL).astimezone(zone)
        if last is not None and last.ends == interval.starts:
            last.ends = ends
            last.half_hours += 1
            last.contacts = max(last.contacts, interval.contacts)
            last.needed = max(last.needed, interval.needed)
            last.rostered = min(last.rostered, interval.rostered)
            last.gap = min(last.gap, interval.gap)
        else:
            spans.append(GapSpan(interval.starts.astimezone(zone), ends, 1, interval.contacts,
                                 interval.needed, interval.rostered, interval.gap))
    return spans


@dataclass
class GapRun:
    """Gap spans at the same times on consecutive days (Monday to Friday 09:00–12:00), as
    one row of the page's gaps; a span that does not repeat is a run of one."""

    spans: list[GapSpan]

    @property
    def first(self) -> GapSpan:
        return self.spans[0]

    @property
    def last(self) -> GapSpan:
        return self.spans[-1]

    @property
    def days(self) -> int:
        return len(self.spans)

    @property
    def over_midnight(self) -> bool:
        """Each span ends on the day after it starts (not at its midnight)."""
        return self.first.end_day != self.first.starts.date()

    @property
    def half_hours(self) -> int:
        return sum(span.half_hours for span in self.spans)

    @property
    def contacts(self) -> float:
        return max(span.contacts for span in self.spans)

    @property
    def needed(self) -> int:
        return max(span.needed for span in self.spans)

    @property
    def rostered(self) -> int:
        return min(span.rostered for span in self.spans)

    @property
    def gap(self) -> int:
        return min(span.gap for span in self.spans)


def _daily_key(span: GapSpan) -> tuple[str, str, int]:
    return (span.starts.strftime("%H:%M"), span.end_clock,
            (span.end_day - span.starts.date()).days)


def gap_runs(spans: list[GapSpan]) -> list[GapRun]:
    """``spans`` (in time order) with those repeating on consecutive days at the same times
    joined, in the order their first span starts."""
    runs: list[GapRun] = []
    latest: dict[tuple[str, str, int], GapRun] = {}  # the run last extended, per times
    for span in spans:
        key = _daily_key(span)
        run = latest.get(key)
        if run is not None and span.starts.date() - run.last.starts.date() == timedelta(days=1):
            run.spans.append(span)
        else:
            run = GapRun([span])
            runs.append(run)
            latest[key] = run
    return runs


def _floor_interval(moment: datetime) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % INTERVAL_S, UTC)


async def _team_agent_ids(session: AsyncSession, team_id: int | None) -> list[int] | None:
    if team_id is None:
        return None
    return list((await session.scalars(select(agent_teams.c.agent_id).where(
        agent_teams.c.team_id == team_id))).all())


async def contact_history(session: AsyncSession, start: datetime, end: datetime,
                          team_id: int | None) -> list[float]:
    """Contacts that reached a person (queued for an agent), per interval in [start, end)."""
    query = select(Conversation.queued_at).where(
        Conversation.queued_at >= start, Conversation.queued_at < end)
    if team_id is not None:
        query = query.where(Conversation.team_id == team_id)
    counts = [0.0] * int((end - start) / INTERVAL)
    for (queued_at,) in (await session.execute(query)).all():
        index = int((queued_at - start) / INTERVAL)
        if 0 <= index < len(counts):
            counts[index] += 1
    return counts


@dataclass
class RosterRow:
    agent: Agent
    shifts: list[Shift]


async def roster(session: AsyncSession, team_id: int | None = None) -> list[RosterRow]:
    """Every active agent (of the team) with their weekly shifts, by name."""
    query = select(Agent).where(Agent.is_active).order_by(Agent.display_name, Agent.id)
    agent_ids = await _team_agent_ids(session, team_id)
    if agent_ids is not None:
        query = query.where(Agent.id.in_(agent_ids))
    agents = list((await session.scalars(query)).unique().all())
    shifts = (await session.scalars(select(Shift).where(
        Shift.agent_id.in_([a.id for a in agents]))
        .order_by(Shift.weekday, Shift.starts))).all() if agents else []
    by_agent: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_agent.setdefault(shift.agent_id, []).append(shift)
    return [RosterRow(agent, by_agent.get(agent.id, [])) for agent in agents]


def covers(shift: Shift, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(shift.timezone))
    if local.weekday() != shift.weekday:
        return False
    clock = (local.hour, local.minute)
    return parse_clock(shift.starts) <= clock < parse_clock(shift.ends)


def rostered_at(rows: list[RosterRow], moment: datetime) -> int:
    return sum(1 for row in rows if any(covers(s, moment) for s in row.shifts))


@dataclass
class PlanInputs:
    """What the plan is computed from, read in one session (the computing needs none)."""

    team_id: int | None
    starts: datetime
    history: list[float]
    handle: HandleTime
    roster: list[RosterRow]


async def staffing_inputs(session: AsyncSession, settings: Settings, team_id: int | None = None,
                          now: datetime | None = None) -> PlanInputs:
    now = now or utcnow()
    starts = _floor_interval(now) + INTERVAL
    history_start = starts - timedelta(weeks=settings.staffing_history_weeks)
    history = await contact_history(session, history_start, starts, team_id)
    first = next((i for i, count in enumerate(history) if count), None)
    return PlanInputs(team_id=team_id, starts=starts,
                      # from the first contact on: a new desk is not weeks of zeros
                      history=history[first:] if first is not None else [],
                      handle=await handle_time(session, settings, history_start, team_id),
                      roster=await roster(session, team_id))


def compute_plan(inputs: PlanInputs, settings: Settings) -> StaffingPlan:
    """The coming ``staffing_forecast_weeks`` per interval: contacts forecast from the
    history, agents needed for the target service level plus shrinkage, agents rostered, and
    the gap. CPU only (the forecast's fit): run it off the event loop."""
    forecast = forecast_contacts(inputs.history, settings.staffing_forecast_weeks * PER_WEEK)
    handle = inputs.handle
    handle_s = handle.agent_s
    plan = StaffingPlan(team_id=inputs.team_id, timezone=settings.staffing_timezone,
                        starts=inputs.starts, method=forecast.method,
                        history_intervals=forecast.history_intervals, handle_s=handle_s,
                        handle_from_history=handle.from_history,
                        target=settings.staffing_service_level,
                        answer_within_s=settings.staffing_answer_within_s,
                        shrinkage=settings.staffing_shrinkage, active_s=handle.active_s,
                        concurrency=handle.concurrency,
                        handled_conversations=handle.conversations,
                        agents=len(inputs.roster),
                        agents_without_shifts=sum(1 for row in inputs.roster
                                                  if not row.shifts))
    for index, contacts in enumerate(forecast.contacts):
        moment = inputs.starts + index * INTERVAL
        on_queue = agents_needed(contacts, INTERVAL_S, handle_s,
                                 target=settings.staffing_service_level,
                                 answer_within_s=settings.staffing_answer_within_s)
        rostered = rostered_at(inputs.roster, moment)
        answering = int(rostered * (1 - settings.staffing_shrinkage))
        expected = (service_level(answering, traffic_of(contacts, INTERVAL_S, handle_s),
                                  handle_s, settings.staffing_answer_within_s)
                    if contacts > 0 else None)
        plan.intervals.append(IntervalPlan(
            starts=moment, contacts=contacts, on_queue=on_queue,
            needed=with_shrinkage(on_queue, settings.staffing_shrinkage), rostered=rostered,
            service_level=expected))
    return plan


async def staffing_plan(session: AsyncSession, settings: Settings, team_id: int | None = None,
                        now: datetime | None = None) -> StaffingPlan:
    inputs = await staffing_inputs(session, settings, team_id, now)
    return await asyncio.to_thread(compute_plan, inputs, settings)


@dataclass
class OverflowSetting:
    team: Team
    wait_threshold_s: int | None  # the team's own; None: the global setting


async def overflow_settings(session: AsyncSession) -> list[OverflowSetting]:
    teams = (await session.scalars(select(Team).order_by(Team.name))).unique().all()
    own = {row.team_id: row.wait_threshold_s
           for row in (await session.scalars(select(TeamOverflow))).all()}
    return [OverflowSetting(team, own.get(team.id)) for team in teams]
