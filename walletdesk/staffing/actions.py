"""Staffing actions: an agent's weekly shifts and a team's overflow threshold (supervisors and
admins)."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def _may_plan(actor: Agent) -> None:
    if actor.role not in MANAGER_ROLES:
        raise Forbidden("only supervisors and admins plan staffing")


def parse_day_spec(text: str) -> list[tuple[str, str]]:
    """ "09:00-13:00, 14:00-18:00" → [("09:00", "13:00"), ("14:00", "18:00")]; "" → []."""
    spans = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        starts, sep, ends = part.partition("-")
        if not sep:
            raise Invalid("{shift}: write a shift as HH:MM-HH:MM", shift=repr(part))
        spans.append((starts.strip(), ends.strip()))
    return spans


def check_shifts(shifts: list[ShiftIn], timezone: str) -> list[ShiftIn]:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid("unknown time zone {timezone}", timezone=repr(timezone)) from exc
    if len(shifts) > MAX_SHIFTS:
        raise Invalid("at most {max} shifts a week", max=MAX_SHIFTS)
    by_day: dict[int, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise Invalid("weekday is 0 (Monday) to 6 (Sunday)")
        try:
            starts, ends = parse_clock(shift.starts), parse_clock(shift.ends)
        except InvalidHours as exc:
            raise Invalid("{reason}", reason=exc.phrase) from exc
        if starts >= ends:
            raise Invalid("{day}: {starts} is not before {ends}", day=day_name(DAYS[shift.weekday]),
                          starts=shift.starts, ends=shift.ends)
        for other_start, other_end in by_day.get(shift.weekday, []):
            if starts < other_end and other_start < ends:
                raise Invalid("{day}: shifts overlap", day=day_name(DAYS[shift.weekday]))
        by_day.setdefault(shift.weekday, []).append((starts, ends))
    return shifts


async def set_shifts(services: Services, actor: Agent, agent_id: int, shifts: list[ShiftIn],
                     timezone: str) -> list[Shift]:
    """Replace the agent's weekly shifts."""
    _may_plan(actor)
    check_shifts(shifts, timezone)
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
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
