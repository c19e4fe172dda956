"""Follow-up pages: the customer's link (/followup/<token>), the agents' call list
(/app/followups) and the programmes (/admin/followups)."""

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.errors import DomainError, Invalid, NotFound
from walletdesk.followups import actions as followups
from walletdesk.followups.queries import followups_not_yet_notified
from walletdesk.i18n import N_, Phrase, locale_dir_name
from walletdesk.web.deps import PageManager, PageStaff, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.localization import use_customer_locale
from walletdesk.web.routes.refusals import refusal

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]


async def _customer_page(request: Request, services: Any, templates: Any, token: str,
                         notice: str | None = None, status_code: int = 200) -> Response:
    try:
        followup, customer, offered = await followups.followup_for_link(services, token)
    except NotFound:
        return templates.TemplateResponse(request, "followup.html", {
            "lang": use_customer_locale(request, None), "state": "invalid"}, status_code=404)
    lang = use_customer_locale(request, customer.language)
    tz = ZoneInfo(services.settings.followup_timezone)
    days: dict[str, list[tuple[datetime, bool]]] = {}
    for moment, free in offered:
        local = moment.astimezone(tz)
        days.setdefault(format_date(local, "EEE yyyy-MM-dd", locale=locale_dir_name(lang)),
                        []).append((local, free))
    return templates.TemplateResponse(request, "followup.html", {
        "lang": lang, "state": followup.status, "token": token,
        "reason": followup.reason, "days": days,
        # a msgid of this page, or a refusal's Phrase: in the customer's language either way
        "notice": (notice if isinstance(notice, Phrase) else Phrase(notice)).translated(lang)
        if notice else None,
        "timezone": services.settings.followup_timezone,
        "slot": followup.slot_at.astimezone(tz) if followup.slot_at else None},
        status_code=status_code)


@router.get("/followup/{token}", response_class=HTMLResponse)
async def followup_page(request: Request, token: Token, services: ServicesDep,
                        templates: TemplatesDep) -> Response:
    return await _customer_page(request, services, templates, token)


@router.post("/followup/{token}", response_class=HTMLResponse)
async def followup_choice(request: Request, token: Token, services: ServicesDep,
                          templates: TemplatesDep, action: Annotated[str, Form(max_length=20)],
                          slot: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        if action == "book":
            try:
                moment = datetime.fromisoformat(slot)
            except ValueError:
                return await _customer_page(request, services, templates, token,
                                            N_("Pick one of the times shown."), 422)
            await followups.book_slot(services, token, moment.astimezone(UTC))
        elif action == "chat":
            await followups.request_chat(services, token)
        elif action in ("decline", "opt_out"):
            await followups.decline(services, token, opt_out=action == "opt_out")
        else:
            return await _customer_page(request, services, templates, token,
                                        N_("Unknown choice."), 422)
    except NotFound:
        return await _customer_page(request, services, templates, token)
    except DomainError as exc:
        return await _customer_page(request, services, templates, token, exc.detail, 409)
    return RedirectResponse(f"/followup/{token}", status_code=303)


# --- agents -------------------------------------------------------------------------------

@router.get("/app/followups", response_class=HTMLResponse)
async def call_list_page(request: Request, agent: PageStaff, services: ServicesDep,
                         signer: SignerDep, templates: TemplatesDep,
                         day: date | None = None) -> Response:
    settings = services.settings
    zone = ZoneInfo(settings.followup_timezone)
    chosen = day or datetime.now(zone).date()  # today where the calls are made
    async with services.read() as session:
        rows = await followups.call_list(session, agent, chosen, settings.followup_timezone)
        waiting = await followups_not_yet_notified(session)
    return templates.TemplateResponse(request, "followups.html", {
        "agent": agent, "rows": rows, "day": chosen, "error": None, "zone": zone,
        "waiting": waiting, "quiet": (settings.followup_quiet_start, settings.followup_quiet_end),
        "next_local": waiting.next_at.astimezone(zone)
        if waiting.next_at else None,
        "timezone": services.settings.followup_timezone,
        "csrf_token": signer.csrf_token(request.state.session)})


@router.post("/app/followups/{followup_id}/call")
async def record_call_form(followup_id: RowId, request: Request, agent: PageStaff,
                           services: ServicesDep) -> Response:
    form = await request.form()
    satisfaction = str(form.get("satisfaction", "")).strip()
    await followups.record_call(
        services, agent, followup_id, outcome=str(form.get("outcome", "")),
        satisfaction=int(satisfaction) if satisfaction.isdigit() else None,
        notes=str(form.get("notes", ""))[:2000],
        new_case=str(form.get("new_case", ""))[:4000] or None)
    try:  # back to the day the agent was working on
        shown = f"?day={date.fromisoformat(str(form.get('day', '')))}"
    except ValueError:
        shown = ""
    return RedirectResponse(f"/app/followups{shown}", status_code=303)


# --- programmes ---------------------------------------------------------------------------

async def _programmes_page(request: Request, agent: Any, services: Any, signer: Any,
                           templates: Any, error: str | None = None,
                           status_code: int = 200, draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: a refused form as typed (``which``: the programme edited, None
    for a new one), shown open with the refusal beside it."""
    async with services.read() as session:
        programmes = await followups.list_programmes(session)
    return templates.TemplateResponse(request, "admin/followups.html", {
        "agent": agent, "programmes": programmes, "error": error, "json": json,
        "draft": draft.among([None, *(p.id for p in programmes)]),
        "min_days": services.settings.followup_min_interval_days,
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@router.get("/admin/followups", response_class=HTMLResponse)
async def programmes_page(request: Request, agent: PageManager, services: ServicesDep,
                          signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _programmes_page(request, agent, services, signer, templates)


async def _save_programme(request: Request, agent: Any, services: Any, signer: Any,
                          templates: Any, programme_id: int | None) -> Response:
    form = await request.form()
    try:
        rule = json.loads(str(form.get("rule") or "{}"))
        if not isinstance(rule, dict):
            raise Invalid("the rule is a JSON object")
        await followups.save_programme(
            services, agent, programme_id, name=str(form.get("name", "")),
            trigger=str(form.get("trigger", "")), rule=rule,
            channel=str(form.get("channel", "email")),
            delay_s=int(float(str(form.get("delay_hours") or 0)) * 3600),
            window_s=int(float(str(form.get("window_hours") or 72)) * 3600),
            max_attempts=int(str(form.get("max_attempts") or 3)),
            active=form.get("active") == "on")
    except (DomainError, ValueError) as exc:
        return await _programmes_page(request, agent, services, signer, templates,
                                      refusal(request, exc), 422, typed(form, programme_id))
    return RedirectResponse("/admin/followups", status_code=303)


@router.post("/admin/followups")
async def create_programme(request: Request, agent: PageManager, services: ServicesDep,
                           signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _save_programme(request, agent, services, signer, templates, None)


@router.post("/admin/followups/{programme_id}")
async def update_programme(programme_id: RowId, request: Request, agent: PageManager,
                           services: ServicesDep, signer: SignerDep,
                           templates: TemplatesDep) -> Response:
    return await _save_programme(request, agent, services, signer, templates, programme_id)
