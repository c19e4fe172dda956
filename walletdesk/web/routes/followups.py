"""Follow-up pages: the customer's link (/followup/<token>), the agents' call list
(/app/followups) and the programmes (/admin/followups)."""

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.errors import DomainError, NotFound
from walletdesk.followups import actions as followups
from walletdesk.i18n import customer_language
from walletdesk.web.deps import PageManager, PageStaff, RowId, ServicesDep, SignerDep, TemplatesDep

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]

UI = {
    "en": {"title": "Your follow-up call", "pick": "Pick a time for our call", "book": "Book",
           "full": "taken", "chat": "I'd rather chat", "decline": "No thanks",
           "opt_out": "Never call me for follow-ups", "booked": "Booked: we will call you at",
           "chat_done": "Thank you: our team will write to you.",
           "declined": "Understood: we will not call you about this.",
           "opted_out": "Understood: we will not call you for follow-ups again.",
           "closed": "This follow-up is closed.", "invalid": "This link is not valid.",
           "none": "No times are left in the window; our team will contact you."},
    "zh-Hans": {"title": "回访预约", "pick": "请选择方便接听回访电话的时间", "book": "预约",
                "full": "已约满", "chat": "改为在线沟通", "decline": "不用了，谢谢",
                "opt_out": "以后不要再给我回访", "booked": "已预约，我们将在以下时间致电：",
                "chat_done": "谢谢，我们的客服会通过消息联系您。", "declined": "好的，本次不再致电。",
                "opted_out": "好的，以后不会再为您安排回访。", "closed": "此回访已结束。",
                "invalid": "此链接无效。", "none": "可选时间已满，我们的客服会主动联系您。"},
    "zh-Hant": {"title": "回訪預約", "pick": "請選擇方便接聽回訪電話的時間", "book": "預約",
                "full": "已約滿", "chat": "改為線上溝通", "decline": "不用了，謝謝",
                "opt_out": "以後不要再給我回訪", "booked": "已預約，我們將在以下時間致電：",
                "chat_done": "謝謝，我們的客服會透過訊息聯絡您。", "declined": "好的，本次不再致電。",
                "opted_out": "好的，以後不會再為您安排回訪。", "closed": "此回訪已結束。",
                "invalid": "此連結無效。", "none": "可選時間已滿，我們的客服會主動聯絡您。"},
    "es": {"title": "Tu llamada de seguimiento", "pick": "Elige una hora para la llamada",
           "book": "Reservar", "full": "ocupado", "chat": "Prefiero un chat",
           "decline": "No, gracias", "opt_out": "No me llaméis más para seguimientos",
           "booked": "Reservado: te llamaremos el", "chat_done": "Gracias: nuestro equipo te escribirá.",
           "declined": "Entendido: no te llamaremos por esto.",
           "opted_out": "Entendido: no volveremos a llamarte para seguimientos.",
           "closed": "Este seguimiento está cerrado.", "invalid": "Este enlace no es válido.",
           "none": "No quedan horas libres; nuestro equipo se pondrá en contacto contigo."},
}


async def _customer_page(request: Request, services: Any, templates: Any, token: str,
                         notice: str | None = None, status_code: int = 200) -> Response:
    try:
        followup, customer, offered = await followups.followup_for_link(services, token)
    except NotFound:
        return templates.TemplateResponse(request, "followup.html", {
            "ui": UI["en"], "lang": "en", "state": "invalid"}, status_code=404)
    lang = customer_language(customer.language)
    tz = ZoneInfo(services.settings.followup_timezone)
    days: dict[str, list[tuple[datetime, bool]]] = {}
    for moment, free in offered:
        local = moment.astimezone(tz)
        days.setdefault(local.strftime("%a %Y-%m-%d"), []).append((local, free))
    return templates.TemplateResponse(request, "followup.html", {
        "ui": UI.get(lang, UI["en"]), "lang": lang, "state": followup.status, "token": token,
        "reason": followup.reason, "days": days, "notice": notice,
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
                                            "Pick one of the times shown.", 422)
            await followups.book_slot(services, token, moment.astimezone(UTC))
        elif action == "chat":
            await followups.request_chat(services, token)
        elif action in ("decline", "opt_out"):
            await followups.decline(services, token, opt_out=action == "opt_out")
        else:
            return await _customer_page(request, services, templates, token,
                                        "Unknown choice.", 422)
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
    chosen = day or datetime.now(UTC).date()
    async with services.read() as session:
        rows = await followups.call_list(session, agent, chosen,
                                         services.settings.followup_timezone)
    return templates.TemplateResponse(request, "followups.html", {
        "agent": agent, "rows": rows, "day": chosen, "error": None,
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
    return RedirectResponse("/app/followups", status_code=303)


# --- programmes ---------------------------------------------------------------------------

async def _programmes_page(request: Request, agent: Any, services: Any, signer: Any,
                           templates: Any, error: str | None = None,
                           status_code: int = 200) -> Response:
    async with services.read() as session:
        programmes = await followups.list_programmes(session)
    return templates.TemplateResponse(request, "admin/followups.html", {
        "agent": agent, "programmes": programmes, "error": error, "json": json,
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
            raise ValueError("the rule is a JSON object")
        await followups.save_programme(
            services, agent, programme_id, name=str(form.get("name", "")),
            trigger=str(form.get("trigger", "")), rule=rule,
            channel=str(form.get("channel", "email")),
            delay_s=int(float(str(form.get("delay_hours") or 0)) * 3600),
            window_s=int(float(str(form.get("window_hours") or 72)) * 3600),
            max_attempts=int(str(form.get("max_attempts") or 3)),
            active=form.get("active") == "on")
    except (DomainError, ValueError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else f"check the form: {exc}"
        return await _programmes_page(request, agent, services, signer, templates, detail, 422)
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
