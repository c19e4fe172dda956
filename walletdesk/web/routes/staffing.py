"""Staffing: the page /staffing (forecast, agents needed, roster, gaps, overflow thresholds)
and its API (/api/v1/staffing/…). Supervisors and admins only (and their API tokens)."""

import asyncio
from typing import Annotated, Any

from babel.dates import format_skeleton
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from walletdesk.accounts.models import Team
from walletdesk.errors import DomainError, Invalid, NotFound
from walletdesk.i18n import babel_locale
from walletdesk.routing.hours import DAYS
from walletdesk.staffing.actions import (
    MAX_THRESHOLD_S,
    ShiftIn,
    set_overflow_threshold,
    set_shifts,
    set_week,
)
from walletdesk.staffing.queries import (
    StaffingPlan,
    compute_plan,
    gap_runs,
    gap_spans,
    overflow_settings,
    roster,
    staffing_inputs,
)
from walletdesk.web.deps import (
    ApiManager,
    PageManager,
    RowId,
    ServicesDep,
    SignerDep,
    TemplatesDep,
)
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.localization import request_locale
from walletdesk.web.routes.refusals import refusal

api = APIRouter(prefix="/api/v1/staffing", tags=["staffing"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()

TeamQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="one team; all if unset")]


class IntervalOut(BaseModel):
    starts: str
    contacts: float
    on_queue: int
    needed: int
    rostered: int
    gap: int
    service_level: float | None


class PlanOut(BaseModel):
    team_id: int | None
    timezone: str
    method: str
    history_intervals: int
    handle_s: float
    handle_from_history: bool
    target: float
    answer_within_s: int
    shrinkage: float
    roster_entered: bool = Field(description="whether any agent of the roster has a shift; "
                                 "without one no shortfall is counted (short_* are 0)")
    short_intervals: int
    short_agent_hours: float
    intervals: list[IntervalOut]


def plan_out(plan: StaffingPlan) -> PlanOut:
    return PlanOut(
        team_id=plan.team_id, timezone=plan.timezone, method=plan.method,
        history_intervals=plan.history_intervals, handle_s=round(plan.handle_s, 1),
        handle_from_history=plan.handle_from_history, target=plan.target,
        answer_within_s=plan.answer_within_s, shrinkage=plan.shrinkage,
        roster_entered=plan.roster_entered, short_intervals=plan.short_intervals,
        short_agent_hours=plan.short_agent_hours,
        intervals=[IntervalOut(starts=i.starts.isoformat(), contacts=i.contacts,
                               on_queue=i.on_queue, needed=i.needed, rostered=i.rostered,
                               gap=i.gap, service_level=None if i.service_level is None
                               else round(i.service_level, 4)) for i in plan.intervals])


class ShiftBody(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    starts: str = Field(max_length=5, description="HH:MM")
    ends: str = Field(max_length=5, description="HH:MM; 24:00 ends the day")


class ShiftsBody(BaseModel):
    timezone: str = Field(default="UTC", max_length=64)
    shifts: list[ShiftBody] = Field(max_length=21)


class AgentShiftsOut(BaseModel):
    agent_id: int
    name: str
    shifts: list[ShiftBody]
    timezone: str | None


class ThresholdBody(BaseModel):
    wait_threshold_s: int | None = Field(default=None, ge=0, le=86400,
                                         description="seconds; null: the global setting")


async def check_team(session: Any, team_id: int | None) -> None:
    """A team asked for that does not exist is said so (404), never read as "all teams"."""
    if team_id is not None and await session.get(Team, team_id) is None:
        raise NotFound("team {team_id} does not exist", team_id=team_id)


@api.get("/plan", response_model=PlanOut)
async def plan_api(agent: ApiManager, services: ServicesDep, team_id: TeamQuery = None) -> PlanOut:
    """Contacts forecast per 30-minute interval, agents needed (Erlang C + shrinkage), agents
    rostered and the gap (negative: short), for the coming weeks."""
    async with services.read() as session:
        await check_team(session, team_id)
        inputs = await staffing_inputs(session, services.settings, team_id)
    # the forecast's fit is CPU work: off the event loop, and no connection held meanwhile
    return plan_out(await asyncio.to_thread(compute_plan, inputs, services.settings))


@api.get("/shifts", response_model=list[AgentShiftsOut])
async def shifts_api(agent: ApiManager, services: ServicesDep,
                     team_id: TeamQuery = None) -> list[AgentShiftsOut]:
    async with services.read() as session:
        await check_team(session, team_id)
        rows = await roster(session, team_id)
    return [AgentShiftsOut(agent_id=row.agent.id, name=row.agent.display_name,
                           timezone=row.shifts[0].timezone if row.shifts else None,
                           shifts=[ShiftBody(weekday=s.weekday, starts=s.starts, ends=s.ends)
                                   for s in row.shifts]) for row in rows]


@api.put("/shifts/{agent_id}", response_model=AgentShiftsOut)
async def put_shifts_api(agent_id: RowId, body: ShiftsBody, agent: ApiManager,
                         services: ServicesDep) -> AgentShiftsOut:
    """Replace one agent's weekly shifts."""
    rows = await set_shifts(services, agent, agent_id,
                            [ShiftIn(s.weekday, s.starts, s.ends) for s in body.shifts],
                            body.timezone)
    return AgentShiftsOut(agent_id=agent_id, name="", timezone=body.timezone,
                          shifts=[ShiftBody(weekday=s.weekday, starts=s.starts, ends=s.ends)
                                  for s in rows])


@api.put("/overflow/{team_id}", response_model=ThresholdBody)
async def put_threshold_api(team_id: RowId, body: ThresholdBody, agent: ApiManager,
                            services: ServicesDep) -> ThresholdBody:
    """A team's own overflow threshold (expected wait in seconds)."""
    row = await set_overflow_threshold(services, agent, team_id, body.wait_threshold_s)
    return ThresholdBody(wait_threshold_s=row.wait_threshold_s)


# --- the page ---------------------------------------------------------------------------------

def _day_label(locale: str) -> Any:
    """A day as the page's language writes it short, with its date ("Wed, Dec 3")."""
    where = babel_locale(locale)
    return lambda moment: format_skeleton("MMMEd", moment, locale=where)


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                team_id: int | None, error: str | None = None, status_code: int = 200,
                draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: a refused form as typed (``which``: "shifts-<agent id>" or
    "overflow-<team id>"), shown again beside its refusal."""
    async with services.read() as session:
        await check_team(session, team_id)
        inputs = await staffing_inputs(session, services.settings, team_id)
        thresholds = await overflow_settings(session)
    plan = await asyncio.to_thread(compute_plan, inputs, services.settings)
    rows = inputs.roster
    runs = gap_runs(gap_spans(plan.intervals, plan.timezone)) if plan.roster_entered else []
    forms = [f"shifts-{row.agent.id}" for row in rows] + [
        f"overflow-{row.team.id}" for row in thresholds if not row.team.is_outsourced]
    return templates.TemplateResponse(request, "staffing.html", {
        "agent": agent, "csrf_token": signer.csrf_token(request.state.session),
        "plan": plan, "gaps": runs, "day": _day_label(request_locale(request)),
        "plan_json": plan_out(plan).model_dump(mode="json"), "roster": rows,
        "thresholds": thresholds, "team_id": team_id, "days": DAYS,
        "specs": {row.agent.id: [", ".join(f"{s.starts}-{s.ends}" for s in row.shifts
                                           if s.weekday == weekday) for weekday in range(7)]
                  for row in rows},
        "global_threshold": services.settings.overflow_wait_s, "error": error,
        "draft": draft.among(forms),
        "default_timezone": services.settings.staffing_timezone}, status_code=status_code)


@pages.get("/staffing", response_class=HTMLResponse)
async def staffing_page(request: Request, agent: PageManager, services: ServicesDep,
                        signer: SignerDep, templates: TemplatesDep,
                        team_id: TeamQuery = None) -> Response:
    return await _page(request, agent, services, signer, templates, team_id)


@pages.post("/staffing/shifts/{agent_id}")
async def save_shifts_page(agent_id: RowId, request: Request, agent: PageManager,
                           services: ServicesDep, signer: SignerDep,
                           templates: TemplatesDep) -> Response:
    form = await request.form()
    team = str(form.get("team_id", "")).strip()
    team_id = int(team) if team.isascii() and team.isdigit() and len(team) < 10 else None
    try:
        await set_week(services, agent, agent_id,
                       [str(form.get(day, ""))[:200] for day in DAYS],
                       str(form.get("timezone", "")).strip()[:64] or "UTC")
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, team_id,
                           refusal(request, exc), 422, typed(form, f"shifts-{agent_id}"))
    return RedirectResponse(f"/staffing{'?team_id=' + str(team_id) if team_id else ''}"
                            "#roster", status_code=303)


@pages.post("/staffing/overflow/{team_id}")
async def save_threshold_page(team_id: RowId, request: Request, agent: PageManager,
                              services: ServicesDep, signer: SignerDep,
                              templates: TemplatesDep) -> Response:
    form = await request.form()
    minutes = str(form.get("wait_threshold_min", "")).strip()
    try:
        try:
            number = float(minutes) if minutes else None
        except ValueError as exc:
            raise Invalid("the threshold is a number of minutes") from exc
        # said in the form's minutes (the domain's seconds read as a mistake beside it); "inf"
        # is a float too, and round() of it raised OverflowError, an error page
        if number is not None and not 0 <= number <= MAX_THRESHOLD_S / 60:
            raise Invalid("the threshold is 0 to {max} minutes", max=MAX_THRESHOLD_S // 60)
        threshold = None if number is None else round(number * 60)
        await set_overflow_threshold(services, agent, team_id, threshold)
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, None,
                           refusal(request, exc), 422, typed(form, f"overflow-{team_id}"))
    return RedirectResponse("/staffing#overflow", status_code=303)


router.include_router(api)
router.include_router(pages)
