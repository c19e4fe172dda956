"""Admin pages: agents, teams, queues and working hours (supervisors and admins)."""

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts import actions as accounts
from walletdesk.accounts.models import Role
from walletdesk.accounts.queries import get_agent, get_team, list_agents, list_teams
from walletdesk.audit.queries import as_csv, export_audit_log, recent_audit_events
from walletdesk.cases.surveys import satisfaction_by
from walletdesk.code_names import AUDIT_ACTIONS
from walletdesk.conversations.workspace import customer_profile
from walletdesk.customers.privacy import erase_customer, export_customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, DomainError, Forbidden, Invalid
from walletdesk.i18n import N_
from walletdesk.routing.hours import DAYS, InvalidHours, validate_hours
from walletdesk.routing.queries import queue_overview
from walletdesk.web.deps import PageAdmin, PageManager, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, split_list, typed
from walletdesk.web.routes.refusals import refusal
from walletdesk.web.schemas import MAX_ROW_ID, row_id

router = APIRouter(prefix="/admin", include_in_schema=False)


def _hours_from_form(form: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Form fields hours_mon = "09:00-12:00, 13:00-18:00" (empty = closed that day)."""
    hours: dict[str, list[list[str]]] = {}
    for day in DAYS:
        intervals = []
        for chunk in split_list(str(form.get(f"hours_{day}", ""))):
            start, _, end = chunk.partition("-")
            intervals.append([start.strip(), end.strip()])
        hours[day] = intervals
    return hours


def _hours_to_text(hours: dict[str, list[list[str]]]) -> dict[str, str]:
    return {day: ", ".join(f"{a}-{b}" for a, b in hours.get(day, [])) for day in DAYS}


async def _render(request: Request, templates: Any, signer: Any, name: str,
                  context: dict[str, Any], status_code: int = 200) -> Response:
    context.setdefault("error", None)
    context.setdefault("draft", NO_DRAFT)  # a refused form's typing (walletdesk.web.forms)
    context["csrf_token"] = signer.csrf_token(request.state.session)
    context["roles"] = [r.value for r in Role]
    return templates.TemplateResponse(request, name, context, status_code=status_code)


async def _overview(services: Any) -> dict[str, Any]:
    """What admin/index.html shows: the page itself and the page a refused form of it comes
    back as (its queues and satisfaction figures too, not only the tables the form is in)."""
    async with services.read() as session:
        since = utcnow() - timedelta(days=30)
        return {"teams": await list_teams(session), "agents": await list_agents(session),
                "queues": await queue_overview(session, services.settings),
                "csat_agent": await satisfaction_by(session, "agent", since),
                "csat_team": await satisfaction_by(session, "team", since)}


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, agent: PageManager, services: ServicesDep,
                   signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _render(request, templates, signer, "admin/index.html",
                         {"agent": agent, **await _overview(services)})


@router.get("/agents/{agent_id}", response_class=HTMLResponse)
async def agent_page(agent_id: RowId, request: Request, agent: PageManager, services: ServicesDep,
                     signer: SignerDep, templates: TemplatesDep) -> Response:
    async with services.read() as session:
        target = await get_agent(session, agent_id)
        teams = await list_teams(session)
    return await _render(request, templates, signer, "admin/agent.html",
                         {"agent": agent, "target": target, "teams": teams})


MAX_CAPACITY = 100


def _form_capacity(form: Any, default: int) -> int:
    text = str(form.get("capacity") or default).strip()
    if not (text.isascii() and text.isdigit()) or int(text[:4]) > MAX_CAPACITY:
        raise Invalid("capacity must be a whole number from 0 to {max}", max=MAX_CAPACITY)
    return int(text)


def _form_ids(form: Any, name: str) -> list[int]:
    ids = [row_id(value) for value in form.getlist(name)]
    if any(value is None for value in ids):
        raise Invalid("{name} must be row numbers from 1 to {max}", name=name, max=MAX_ROW_ID)
    return [value for value in ids if value is not None]


@router.post("/agents")
async def create_agent(request: Request, agent: PageAdmin, services: ServicesDep,
                       signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        async with services.transaction() as session:
            await accounts.create_agent(
                session, actor=agent, email=str(form.get("email", "")),
                display_name=str(form.get("display_name", "")),
                password=str(form.get("password", "")), role=Role(str(form.get("role", "agent"))),
                languages=split_list(str(form.get("languages", ""))),
                capacity=_form_capacity(form, 5),
                team_ids=_form_ids(form, "team_ids"),
            )
    except (DomainError, ValueError) as exc:
        return await _render(request, templates, signer, "admin/index.html",
                             {"agent": agent, **await _overview(services),
                              "error": refusal(request, exc, N_("pick a role from the list")),
                              "draft": typed(form, "new-agent")}, 422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/agents/{agent_id}")
async def update_agent(agent_id: RowId, request: Request, agent: PageManager,
                       services: ServicesDep, signer: SignerDep,
                       templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        changes: dict[str, Any] = {
            "display_name": str(form.get("display_name", "")) or None,
            "languages": split_list(str(form.get("languages", ""))),
            "capacity": _form_capacity(form, 0),
            "team_ids": _form_ids(form, "team_ids"),
        }
        if agent.role == Role.admin:
            changes["role"] = str(form.get("role")) or None
            changes["is_active"] = form.get("is_active") == "on"
            changes["password"] = str(form.get("password", "")) or None
        accounts.check_agent_change_allowed(agent, changes)
        await accounts.update_agent(services, agent, agent_id, changes)
    except (DomainError, ValueError) as exc:  # ValueError: a role not in the list
        async with services.read() as session:
            target, teams = await get_agent(session, agent_id), await list_teams(session)
        return await _render(request, templates, signer, "admin/agent.html",
                             {"agent": agent, "target": target, "teams": teams,
                              "error": refusal(request, exc, N_("pick a role from the list")),
                              "draft": typed(form)}, 422)
    return RedirectResponse("/admin", status_code=303)


@router.get("/teams/{team_id}", response_class=HTMLResponse)
async def team_page(team_id: RowId, request: Request, agent: PageManager, services: ServicesDep,
                    signer: SignerDep, templates: TemplatesDep) -> Response:
    async with services.read() as session:
        team = await get_team(session, team_id)
    return await _render(request, templates, signer, "admin/team.html",
                         {"agent": agent, "team": team, "days": DAYS,
                          "hours": _hours_to_text(team.weekly_hours)})


def _team_fields(form: Any) -> dict[str, Any]:
    return {
        "name": str(form.get("name", "")),
        "languages": split_list(str(form.get("languages", ""))),
        "is_outsourced": form.get("is_outsourced") == "on",
        "is_default": form.get("is_default") == "on",
        "requires_two_factor": form.get("requires_two_factor") == "on",
        "timezone": str(form.get("timezone") or "UTC").strip(),
        "weekly_hours": _hours_from_form(dict(form)),
        "holidays": split_list(str(form.get("holidays", ""))),
    }


@router.post("/teams")
async def create_team(request: Request, agent: PageManager, services: ServicesDep,
                      signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    fields = _team_fields(form)
    if not any(fields["weekly_hours"].values()):
        fields["weekly_hours"] = None  # no hours given: open around the clock
    try:
        async with services.transaction() as session:
            await accounts.create_team(session, agent, **fields)
    except DomainError as exc:
        return await _render(request, templates, signer, "admin/index.html",
                             {"agent": agent, **await _overview(services),
                              "error": refusal(request, exc),
                              "draft": typed(form, "new-team")}, 422)
    return RedirectResponse("/admin", status_code=303)


def _refused_team_field(fields: dict[str, Any], exc: DomainError) -> str | None:
    """The team form's field a refusal is about, so that the page shows the refusal beside
    it: the first (in the order the desk checks them) that is refused on its own; None: the
    form as a whole."""
    if isinstance(exc, Conflict):  # the name is taken
        return "name"
    if isinstance(exc, Forbidden):
        return "requires_two_factor"
    if fields["timezone"] not in available_timezones():
        return "timezone"
    for day in DAYS:
        try:
            validate_hours({day: fields["weekly_hours"][day]}, [], "UTC")
        except InvalidHours:
            return f"hours_{day}"
    try:
        validate_hours({}, fields["holidays"], "UTC")
    except InvalidHours:
        return "holidays"
    return "name" if not fields["name"].strip() else None


@router.post("/teams/{team_id}")
async def update_team(team_id: RowId, request: Request, agent: PageManager,
                      services: ServicesDep, signer: SignerDep,
                      templates: TemplatesDep) -> Response:
    form = await request.form()
    fields = _team_fields(form)
    try:
        await accounts.update_team(services, agent, team_id, fields)
    except DomainError as exc:
        async with services.read() as session:
            team = await get_team(session, team_id)
        return await _render(request, templates, signer, "admin/team.html",
                             {"agent": agent, "team": team, "days": DAYS,
                              "hours": _hours_to_text(team.weekly_hours),
                              "error": refusal(request, exc), "draft": typed(form),
                              "error_field": _refused_team_field(fields, exc)}, 422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/teams/{team_id}/delete")
async def delete_team(team_id: RowId, agent: PageAdmin, services: ServicesDep) -> Response:
    await accounts.delete_team(services, agent, team_id)
    return RedirectResponse("/admin", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(request: Request, agent: PageManager, services: ServicesDep,
                    signer: SignerDep, templates: TemplatesDep,
                    actor: Annotated[str | None, Query(max_length=12)] = None,
                    action: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The latest events; ``actor`` (an agent's id) and ``action`` (an audit action's code)
    narrow them, empty for all; anything else is refused (422)."""
    actor, action = (actor or "").strip(), (action or "").strip()
    if actor and not (actor.isascii() and actor.isdigit() and 1 <= int(actor) <= MAX_ROW_ID):
        raise Invalid("{name} must be row numbers from 1 to {max}", name="actor", max=MAX_ROW_ID)
    if action and action not in AUDIT_ACTIONS:
        raise Invalid("unknown audit action")
    async with services.read() as session:
        agents = await list_agents(session)
        names = {a.id: a.display_name for a in agents}
        if actor and int(actor) not in names:
            raise Invalid("agent not found")
        events = await recent_audit_events(session, actor_agent_id=int(actor) if actor else None,
                                           action=action or None)
        teams = {t.id: t.name for t in await list_teams(session)}
    return await _render(request, templates, signer, "admin/audit.html",
                         {"agent": agent, "events": events, "json": json, "names": names,
                          "teams": teams, "actor": actor, "action": action,
                          "actors": sorted(names.items(), key=lambda pair: pair[1].lower()),
                          "actions": sorted(AUDIT_ACTIONS)})


@router.get("/audit/export")
async def audit_export(agent: PageManager, services: ServicesDep,
                       since: datetime | None = None, until: datetime | None = None,
                       format: Literal["csv", "json"] = "csv") -> Response:
    """The audit log as a download (CSV or JSON lines), between two moments if given."""
    rows = await export_audit_log(services, agent.id, since, until)
    if format == "json":
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        media, suffix = "application/x-ndjson", "jsonl"
    else:
        body, media, suffix = as_csv(rows), "text/csv", "csv"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="walletdesk-audit.{suffix}"',
        "Cache-Control": "no-store"})


# --- customers' personal data (GDPR) ------------------------------------------------------

@router.get("/customers/{customer_id}", response_class=HTMLResponse)
async def customer_privacy_page(customer_id: RowId, request: Request, agent: PageManager,
                                services: ServicesDep, signer: SignerDep,
                                templates: TemplatesDep) -> Response:
    profile = await customer_profile(services, agent, customer_id)
    return await _render(request, templates, signer, "admin/customer.html",
                         {"agent": agent, "profile": profile})


@router.get("/customers/{customer_id}/export")
async def customer_privacy_export(customer_id: RowId, agent: PageManager,
                                  services: ServicesDep) -> Response:
    """Everything held about the customer, as a JSON download (audited)."""
    data = await export_customer(services, agent.id, customer_id)
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="customer-{customer_id}.json"',
                             "Cache-Control": "no-store"})


@router.post("/customers/{customer_id}/erase")
async def customer_privacy_erase(customer_id: RowId, agent: PageAdmin,
                                 services: ServicesDep) -> Response:
    await erase_customer(services, agent.id, customer_id)
    return RedirectResponse(f"/admin/customers/{customer_id}", status_code=303)
