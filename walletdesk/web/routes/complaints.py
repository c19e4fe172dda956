"""Complaint pages in the workspace: the list with time-in-stage figures, one complaint with
its history and the form for its next stage, and opening one from a conversation."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts.access import is_manager
from walletdesk.accounts.queries import list_agents
from walletdesk.complaints.actions import STAGE_FIELDS, STAGES, advance_complaint, open_complaint
from walletdesk.complaints.queries import (
    complaint_history,
    get_complaint,
    list_complaints,
    stage_durations,
)
from walletdesk.db.base import utcnow
from walletdesk.errors import DomainError
from walletdesk.web.deps import MAX_ROW_ID, PageAgent, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.routes.refusals import refusal

router = APIRouter(prefix="/app/complaints", include_in_schema=False)
REPORT_DAYS = 30


@router.get("", response_class=HTMLResponse)
async def complaints_page(request: Request, agent: PageAgent, services: ServicesDep,
                          signer: SignerDep, templates: TemplatesDep,
                          stage: Annotated[str | None, Query(max_length=30)] = None) -> Response:
    async with services.read() as session:
        complaints = await list_complaints(session, agent, stage if stage in STAGES else None)
        report = (await stage_durations(session, utcnow() - timedelta(days=REPORT_DAYS))
                  if is_manager(agent) else None)
    return templates.TemplateResponse(request, "complaints.html", {
        "agent": agent, "complaints": complaints, "stages": STAGES, "stage": stage,
        "report": report, "days": REPORT_DAYS,
        "csrf_token": signer.csrf_token(request.state.session)})


@router.get("/new", response_class=HTMLResponse)
async def new_complaint_page(request: Request, agent: PageAgent, signer: SignerDep,
                             templates: TemplatesDep,
                             conversation_id: Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
                             ) -> Response:
    return templates.TemplateResponse(request, "complaint_new.html", {
        "agent": agent, "conversation_id": conversation_id, "error": None, "draft": NO_DRAFT,
        "csrf_token": signer.csrf_token(request.state.session)})


@router.post("")
async def open_complaint_form(request: Request, agent: PageAgent, services: ServicesDep,
                              signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    conversation_id = str(form.get("conversation_id", ""))
    try:
        complaint = await open_complaint(
            services, agent, int(conversation_id) if conversation_id.isdigit() else 0,
            category=str(form.get("category", "")), summary=str(form.get("summary", "")))
    except DomainError as exc:
        return templates.TemplateResponse(request, "complaint_new.html", {
            "agent": agent, "conversation_id": conversation_id,
            "error": refusal(request, exc), "draft": typed(form),
            "csrf_token": signer.csrf_token(request.state.session)},
            status_code=404 if exc.code == "not_found" else 422)
    return RedirectResponse(f"/app/complaints/{complaint.id}", status_code=303)


async def _detail(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                  complaint_id: int, error: str | None = None,
                  status_code: int = 200, draft: Draft = NO_DRAFT) -> Response:
    """A complaint's page; ``draft``: its next-stage ("next") or "close" form as typed when
    it was refused."""
    async with services.read() as session:
        complaint = await get_complaint(session, agent, complaint_id)
        history = await complaint_history(session, complaint.id)
        agents = await list_agents(session)
    index = STAGES.index(complaint.stage)
    next_stage = STAGES[index + 1] if complaint.closed_at is None and index + 1 < len(STAGES) \
        else None
    return templates.TemplateResponse(request, "complaint.html", {
        "agent": agent, "complaint": complaint, "history": history, "next_stage": next_stage,
        "fields": STAGE_FIELDS.get(next_stage or "", frozenset()), "stages": STAGES,
        "names": {a.id: a.display_name for a in agents}, "staff": agents, "error": error,
        "draft": draft.among([*(["next"] if next_stage else []),
                              *(["close"] if next_stage not in (None, "closed") else [])]),
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@router.get("/{complaint_id}", response_class=HTMLResponse)
async def complaint_page(complaint_id: RowId, request: Request, agent: PageAgent,
                         services: ServicesDep, signer: SignerDep,
                         templates: TemplatesDep) -> Response:
    return await _detail(request, agent, services, signer, templates, complaint_id)


@router.post("/{complaint_id}/stage")
async def complaint_stage(complaint_id: RowId, request: Request, agent: PageAgent,
                          services: ServicesDep, signer: SignerDep,
                          templates: TemplatesDep) -> Response:
    form = await request.form()
    stage = str(form.get("stage", ""))
    allowed = STAGE_FIELDS.get(stage, frozenset()) | {"note"}
    fields = {name: str(value).strip() for name, value in form.items()
              if name in allowed and str(value).strip()}
    if "owner_agent_id" in fields:
        fields["owner_agent_id"] = int(fields["owner_agent_id"]) \
            if fields["owner_agent_id"].isdigit() else fields["owner_agent_id"]
    try:
        await advance_complaint(services, agent, complaint_id, stage, **fields)
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        return await _detail(request, agent, services, signer, templates, complaint_id,
                             refusal(request, exc), 403 if exc.code == "forbidden" else 422,
                             typed(form, "close" if "reason" in form else "next"))
    return RedirectResponse(f"/app/complaints/{complaint_id}", status_code=303)
