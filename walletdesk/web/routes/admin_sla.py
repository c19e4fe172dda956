"""Admin page for SLA policies (supervisors and admins)."""

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts.queries import list_teams
from walletdesk.cases.sla import list_sla_policies, save_sla_policy
from walletdesk.errors import DomainError, Invalid
from walletdesk.i18n import N_, Phrase
from walletdesk.web.deps import PageManager, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.routes.refusals import refusal

router = APIRouter(prefix="/admin/sla", include_in_schema=False)

# the form's number fields, as the page's labels name them (translated in the refusal)
FIELD_NAMES = {
    "first_response_minutes": N_("the first-reply target"),
    "resolution_hours": N_("the resolution target"), "priority": N_("the priority"),
    "escalate_team_id": N_("the team to escalate to"),
    "warn_at_percent": N_("the warning point"),
}


def _number(form: Any, name: str, default: float | None = None) -> float | None:
    value = str(form.get(name, "")).strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise Invalid("{field} must be a number", field=Phrase(FIELD_NAMES[name]))
    return number


def _fields(form: Any) -> dict[str, Any]:
    first = _number(form, "first_response_minutes") or 0
    resolution = _number(form, "resolution_hours") or 0
    priority = _number(form, "priority")
    team = _number(form, "escalate_team_id")
    return {
        "name": str(form.get("name", "")),
        "first_response_s": int(first * 60), "resolution_s": int(resolution * 3600),
        "priority": int(priority) if priority is not None else None,
        "channel": str(form.get("channel", "")).strip() or None,
        "category": str(form.get("category", "")).strip() or None,
        "warn_at_ratio": (_number(form, "warn_at_percent") or 80) / 100,
        "escalate_priority": form.get("escalate_priority") == "on",
        "escalate_team_id": int(team) if team else None,
        "active": form.get("active") == "on",
    }


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                error: str | None = None, status_code: int = 200,
                draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: a refused form as typed (``which``: the policy edited, None for
    a new one), shown open with the refusal beside it."""
    async with services.read() as session:
        policies = await list_sla_policies(session)
        teams = await list_teams(session)
    return templates.TemplateResponse(request, "admin/sla.html", {
        "agent": agent, "policies": policies, "teams": teams, "error": error,
        "draft": draft.among([None, *(p.id for p in policies)]),
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@router.get("", response_class=HTMLResponse)
async def sla_page(request: Request, agent: PageManager, services: ServicesDep,
                   signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


async def _save(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                policy_id: int | None) -> Response:
    form = await request.form()
    try:
        await save_sla_policy(services, agent, policy_id, **_fields(form))
    except (DomainError, ValueError, OverflowError) as exc:  # overflow: a huge target
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           422, typed(form, policy_id))
    return RedirectResponse("/admin/sla", status_code=303)


@router.post("")
async def create_policy(request: Request, agent: PageManager, services: ServicesDep,
                        signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _save(request, agent, services, signer, templates, None)


@router.post("/{policy_id}")
async def update_policy(policy_id: RowId, request: Request, agent: PageManager,
                        services: ServicesDep, signer: SignerDep,
                        templates: TemplatesDep) -> Response:
    return await _save(request, agent, services, signer, templates, policy_id)
