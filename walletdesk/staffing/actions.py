"""Staffing actions: an agent's weekly shifts and a team's overflow threshold (supervisors and
admins)."""

import functools
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import delete

from walletdesk.accounts.access import MANAGER_ROLES
from walletdesk.accounts.models import Agent, Team
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.routing.hours import DAYS, InvalidHours, day_name, parse_clock
from walletdesk.services import Services
from walletdesk.staffing.models import Shift, TeamOverflow

MAX_SHIFTS = 21  # three a day
MAX_THRESHOLD_S = 24 * 3600


@dataclass
class ShiftIn:
    weekday: int  # 0 = Monday
    starts: str
    ends: str


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _may_plan(actor: Agent) -> None:
    if actor.role not in MANAGER_ROLES:
        raise Forbidden("only supervisors and admins plan staffing")


def parse_day_spec(text: str, agent: str, weekday: int) -> list[ShiftIn]:
    """One day's shifts as the page's form writes them, "09:00-13:00, 14:00-18:00" (""
    none), for ``agent`` (their name, for a refusal) on ``weekday`` (0 = Monday)."""
    shifts = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        starts, sep, ends = part.partition("-")
        if not sep or not starts.strip() or not ends.strip():
            raise Invalid("{agent}, {day}: write {shift} as a start and an end, "
                          "HH:MM-HH:MM (e.g. 09:00-17:00)", agent=agent,
                          day=day_name(DAYS[weekday]), shift=part)
        shifts.append(ShiftIn(weekday, starts.strip(), ends.strip()))
    return shifts


def _clock(value: str, agent: str, weekday: int) -> tuple[int, int]:
    try:
        return parse_clock(value)
    except InvalidHours as exc:
        raise Invalid("{agent}, {day}: {value} is not a time of day; write HH:MM, from 00:00 "
                      "to 24:00", agent=agent, day=day_name(DAYS[weekday]),
                      value=value or '""') from exc


def check_shifts(shifts: list[ShiftIn], timezone: str, agent: str) -> list[ShiftIn]:
    """The shifts, each time written HH:MM ("9:00" is "09:00"), or Invalid naming ``agent``
    (their name), the day and what is wrong."""
    # only the IANA names: a folder of the database ("America") is no zone (ZoneInfo raised
    # IsADirectoryError on it, an error page)
    if timezone not in _time_zones():
        raise Invalid("{agent}: unknown time zone {timezone}; use an IANA name such as "
                      "Asia/Shanghai, Europe/Madrid or UTC", agent=agent,
                      timezone=repr(timezone))
    if len(shifts) > MAX_SHIFTS:
        raise Invalid("{agent}: at most {max} shifts a week", agent=agent, max=MAX_SHIFTS)
    by_day: dict[int, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    checked = []
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise Invalid("weekday is 0 (Monday) to 6 (Sunday)")
        starts = _clock(shift.starts, agent, shift.weekday)
        ends = _clock(shift.ends, agent, shift.weekday)
        day = day_name(DAYS[shift.weekday])
        if starts >= ends:
            raise Invalid("{agent}, {day}: {starts} is not before {ends}", agent=agent, day=day,
                          starts=shift.starts, ends=shift.ends)
        for other_start, other_end in by_day.get(shift.weekday, []):
            if starts < other_end and other_start < ends:
                raise Invalid("{agent}, {day}: shifts overlap ({starts}-{ends})", agent=agent,
                              day=day, starts=shift.starts, ends=shift.ends)
        by_day.setdefault(shift.weekday, []).append((starts, ends))
        checked.append(ShiftIn(shift.weekday, f"{starts[0]:02d}:{starts[1]:02d}",
                               f"{ends[0]:02d}:{ends[1]:02d}"))
    return checked


async def set_shifts(services: Services, actor: Agent, agent_id: int, shifts: list[ShiftIn],
                     timezone: str) -> list[Shift]:
    """Replace the agent's weekly shifts."""
    _may_plan(actor)
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        shifts = check_shifts(shifts, timezone, agent.display_name)
        await session.execute(delete(Shift).where(Shift.agent_id == agent_id))
        rows = [Shift(agent_id=agent_id, weekday=s.weekday, starts=s.starts, ends=s.ends,
                      timezone=timezone) for s in sorted(shifts, key=lambda s: (s.weekday,
                                                                                 s.starts))]
        session.add_all(rows)
        record_audit(session, actor_agent_id=actor.id, action="staffing.shifts",
                     target_type="agent", target_id=agent_id,
                     detail={"shifts": len(rows), "timezone": timezone})
        await session.flush()
        return rows


async def set_week(services: Services, actor: Agent, agent_id: int, days: list[str],
                   timezone: str) -> list[Shift]:
    """Replace the agent's weekly shifts from the page's form: ``days``, Monday to Sunday,
    each day's shifts as typed ("09:00-13:00, 14:00-18:00")."""
    _may_plan(actor)
    async with services.read() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        name = agent.display_name
    shifts: list[ShiftIn] = []
    for weekday, text in enumerate(days[:7]):  # the refusal names the first day that is wrong
        shifts += parse_day_spec(text, name, weekday)
        check_shifts(shifts, timezone, name)
    return await set_shifts(services, actor, agent_id, shifts, timezone)


async def set_overflow_threshold(services: Services, actor: Agent, team_id: int,
                                 wait_threshold_s: int | None) -> TeamOverflow:
    """A team's own overflow threshold in seconds (None: the global setting)."""
    _may_plan(actor)
    if wait_threshold_s is not None and not 0 <= wait_threshold_s <= MAX_THRESHOLD_S:
        raise Invalid("the threshold is 0 to {max} seconds", max=MAX_THRESHOLD_S)
    async with services.transaction() as session:
        if await session.get(Team, team_id) is None:
            raise NotFound("team not found")
        row = await session.get(TeamOverflow, team_id)
        if row is None:
            row = TeamOverflow(team_id=team_id)
            session.add(row)
        row.wait_threshold_s, row.updated_at = wait_threshold_s, utcnow()
        record_audit(session, actor_agent_id=actor.id, action="staffing.overflow_threshold",
                     target_type="team", target_id=team_id,
                     detail={"wait_threshold_s": wait_threshold_s})
        return row
