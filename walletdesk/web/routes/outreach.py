"""Outreach pages: segments and campaigns (/admin/outreach, supervisors and admins), the
customer's opt-out link (/outreach/stop/<token>, one click from an e-mail client or the
widget) and the SMS provider's inbound webhook (a "STOP" reply)."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from walletdesk.conversations.contact_reasons import contact_reason_choices
from walletdesk.conversations.reasons import chosen_reason, merged_reasons
from walletdesk.db.base import utcnow
from walletdesk.errors import DomainError, NotFound
from walletdesk.i18n import customer_locales
from walletdesk.outreach import actions, queries
from walletdesk.outreach.rules import customer_from_stop_token
from walletdesk.outreach.segments import preview
from walletdesk.web.deps import PageManager, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.localization import use_customer_locale
from walletdesk.web.routes.chat_uploads import WidgetCustomerDep
from walletdesk.web.routes.refusals import refusal
from walletdesk.web.schemas import MAX_ROW_ID

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]


def _words(value: object) -> list[str]:
    return [word.strip() for word in str(value or "").split(",") if word.strip()]


def _int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text else None


def _float_or_none(value: object) -> float | None:
    text = str(value or "").strip()
    return float(text) if text else None


def segment_rule(form: Any) -> dict[str, Any]:
    """A segment's rule from the page's form fields (the API takes the JSON itself)."""
    rule: dict[str, Any] = {}
    for key in ("reason", "label"):
        if str(form.get(key) or "").strip():
            rule[key] = str(form.get(key)).strip()
    for key in ("days", "active_days"):
        if _int_or_none(form.get(key)) is not None:
            rule[key] = _int_or_none(form.get(key))
    for key in ("languages", "channels"):
        if _words(form.get(key)):
            rule[key] = _words(form.get(key))
    if form.get("verified") in ("yes", "no"):
        rule["verified"] = form.get("verified") == "yes"
    return rule


async def _index(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                 error: str | None = None, status_code: int = 200,
                 saved: int | None = None, draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: a refused form as typed ("new-segment", "new-campaign" or
    "preferences"), shown with the refusal beside it."""
    async with services.read() as session:
        segments = await queries.list_segments(session)
        campaigns = await queries.list_campaigns(session)
        reasons = merged_reasons(await contact_reason_choices(session))
        figures = {c.id: await queries.figures_in(session, c.id) for c in campaigns}
    return templates.TemplateResponse(request, "admin/outreach.html", {
        "agent": agent, "segments": segments, "campaigns": campaigns, "figures": figures,
        "reasons": reasons, "locales": customer_locales(), "json": json, "error": error,
        "settings": services.settings, "saved": saved, "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@router.get("/admin/outreach", response_class=HTMLResponse)
async def outreach_page(request: Request, agent: PageManager, services: ServicesDep,
                        signer: SignerDep, templates: TemplatesDep,
                        saved: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None
                        ) -> Response:
    """``saved``: the customer whose preferences were just saved (the page says so)."""
    return await _index(request, agent, services, signer, templates, saved=saved)


async def _save_segment(request: Request, agent: Any, services: Any, signer: Any,
                        templates: Any, segment_id: int | None) -> Response:
    form = await request.form()
    try:
        segment = await actions.save_segment(services, agent, segment_id,
                                             name=str(form.get("name", "")),
                                             rule=segment_rule(form))
    except (DomainError, ValueError) as exc:
        if segment_id is not None:  # back to the segment's own page, the edit kept
            return await _segment_page(request, agent, services, signer, templates, segment_id,
                                       refusal(request, exc), typed(form))
        return await _index(request, agent, services, signer, templates, refusal(request, exc),
                            422, draft=typed(form, "new-segment"))
    return RedirectResponse(f"/admin/outreach/segments/{segment.id}", status_code=303)


@router.post("/admin/outreach/segments")
async def create_segment(request: Request, agent: PageManager, services: ServicesDep,
                         signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _save_segment(request, agent, services, signer, templates, None)


@router.post("/admin/outreach/segments/{segment_id}")
async def update_segment(segment_id: RowId, request: Request, agent: PageManager,
                         services: ServicesDep, signer: SignerDep,
                         templates: TemplatesDep) -> Response:
    return await _save_segment(request, agent, services, signer, templates, segment_id)


async def _segment_page(request: Request, agent: Any, services: Any, signer: Any,
                        templates: Any, segment_id: int, error: str | None = None,
                        draft: Draft = NO_DRAFT) -> Response:
    """A segment's page; ``draft``: its edit as typed when it was refused."""
    async with services.read() as session:
        segment = await queries.get_segment(session, segment_id)
        shown = await preview(session, segment.rule, utcnow())
        # the saved reason may be another code of an offered one (the label "Security")
        reasons, reason_chosen = chosen_reason(
            merged_reasons(await contact_reason_choices(session)), segment.rule.get("reason"))
    return templates.TemplateResponse(request, "admin/outreach_segment.html", {
        "agent": agent, "segment": segment, "preview": shown, "reasons": reasons,
        "reason_chosen": reason_chosen,
        "json": json, "error": error, "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)},
        status_code=422 if error else 200)


@router.get("/admin/outreach/segments/{segment_id}", response_class=HTMLResponse)
async def segment_page(segment_id: RowId, request: Request, agent: PageManager,
                       services: ServicesDep, signer: SignerDep,
                       templates: TemplatesDep) -> Response:
    return await _segment_page(request, agent, services, signer, templates, segment_id)


def campaign_fields(form: Any) -> dict[str, Any]:
    locales = customer_locales()
    return {
        "name": str(form.get("name", "")), "kind": str(form.get("kind") or "message"),
        "channel": str(form.get("channel") or "in_app"),
        "segment_id": _int_or_none(form.get("segment_id")),
        "texts": {locale: str(form.get(f"text_{locale}") or "") for locale in locales},
        "subjects": {locale: str(form.get(f"subject_{locale}") or "") for locale in locales},
        "repeat_days": _int_or_none(form.get("repeat_days")),
        "sample_percent": _float_or_none(form.get("sample_percent")),
        "sample_size": _int_or_none(form.get("sample_size")),
        "active_days": _int_or_none(form.get("active_days")) or 30}


async def _save_campaign(request: Request, agent: Any, services: Any, signer: Any,
                         templates: Any, campaign_id: int | None) -> Response:
    form = await request.form()
    try:
        campaign = await actions.save_campaign(services, agent, campaign_id,
                                               **campaign_fields(form))
    except (DomainError, ValueError) as exc:
        if campaign_id is not None:  # back to the campaign's own page, the edit kept
            return await _campaign_page(request, agent, services, signer, templates,
                                        campaign_id, refusal(request, exc), typed(form, "edit"))
        return await _index(request, agent, services, signer, templates, refusal(request, exc),
                            422, draft=typed(form, "new-campaign"))
    return RedirectResponse(f"/admin/outreach/campaigns/{campaign.id}", status_code=303)


@router.post("/admin/outreach/campaigns")
async def create_campaign(request: Request, agent: PageManager, services: ServicesDep,
                          signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _save_campaign(request, agent, services, signer, templates, None)


@router.post("/admin/outreach/campaigns/{campaign_id}")
async def update_campaign(campaign_id: RowId, request: Request, agent: PageManager,
                          services: ServicesDep, signer: SignerDep,
                          templates: TemplatesDep) -> Response:
    return await _save_campaign(request, agent, services, signer, templates, campaign_id)


async def _campaign_page(request: Request, agent: Any, services: Any, signer: Any,
                         templates: Any, campaign_id: int, error: str | None = None,
                         draft: Draft = NO_DRAFT, status_code: int = 422) -> Response:
    """A campaign's page; ``draft``: its "launch" or "edit" form as typed when it was
    refused."""
    async with services.read() as session:
        campaign = await queries.get_campaign(session, campaign_id)
        segments = await queries.list_segments(session)
        figures = await queries.figures_in(session, campaign_id)
    return templates.TemplateResponse(request, "admin/outreach_campaign.html", {
        "agent": agent, "campaign": campaign, "segments": segments, "figures": figures,
        "locales": customer_locales(), "error": error,
        "draft": draft.among([*(["launch"] if campaign.status in ("draft", "scheduled") else []),
                              *(["edit"] if campaign.status != "cancelled" else [])]),
        "csrf_token": signer.csrf_token(request.state.session)},
        status_code=status_code if error else 200)


@router.get("/admin/outreach/campaigns/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(campaign_id: RowId, request: Request, agent: PageManager,
                        services: ServicesDep, signer: SignerDep,
                        templates: TemplatesDep) -> Response:
    return await _campaign_page(request, agent, services, signer, templates, campaign_id)


@router.post("/admin/outreach/campaigns/{campaign_id}/launch")
async def launch_campaign(campaign_id: RowId, request: Request, agent: PageManager,
                          services: ServicesDep, signer: SignerDep,
                          templates: TemplatesDep) -> Response:
    """Now, or at the local time given in the desk's outreach time zone."""
    form = await request.form()
    try:
        at = None
        if str(form.get("at") or "").strip():
            local = datetime.fromisoformat(str(form.get("at")))
            at = local.replace(tzinfo=local.tzinfo or ZoneInfo(
                services.settings.outreach_default_timezone)).astimezone(UTC)
        await actions.launch_campaign(services, agent, campaign_id, at)
    except (DomainError, ValueError) as exc:
        if getattr(exc, "code", "") == "not_found":
            raise
        return await _campaign_page(request, agent, services, signer, templates, campaign_id,
                                    refusal(request, exc), typed(form, "launch"),
                                    409 if getattr(exc, "code", "") == "conflict" else 422)
    return RedirectResponse(f"/admin/outreach/campaigns/{campaign_id}", status_code=303)


@router.post("/admin/outreach/campaigns/{campaign_id}/cancel")
async def cancel_campaign(campaign_id: RowId, agent: PageManager,
                          services: ServicesDep) -> Response:
    await actions.cancel_campaign(services, agent, campaign_id)
    return RedirectResponse(f"/admin/outreach/campaigns/{campaign_id}", status_code=303)


@router.post("/admin/outreach/customers")
async def customer_preferences(request: Request, agent: PageManager, services: ServicesDep,
                               signer: SignerDep, templates: TemplatesDep) -> Response:
    """The page's "A customer's preferences" form: the customer's number is one of its fields
    (the page runs no inline script to put it in the address), opted out or not, time zone."""
    form = await request.form()
    try:
        customer_id = int(str(form.get("customer_id") or "").strip())
        if not 1 <= customer_id <= MAX_ROW_ID:
            raise NotFound("customer not found")
        await actions.set_outreach_preferences(
            services, customer_id, opted_out=form.get("opted_out") == "on", actor=agent,
            timezone=str(form.get("timezone") or "").strip() or None)
    except (DomainError, ValueError) as exc:
        return await _index(request, agent, services, signer, templates, refusal(request, exc),
                            422, draft=typed(form, "preferences"))
    return RedirectResponse(f"/admin/outreach?saved={customer_id}#preferences", status_code=303)


# --- the customer's opt-out link ----------------------------------------------------------

async def _stop_page(request: Request, services: Any, templates: Any, token: str,
                     state: str) -> Response:
    customer_id = customer_from_stop_token(services.settings, token)
    if customer_id is None:
        return templates.TemplateResponse(request, "outreach_stop.html", {
            "lang": use_customer_locale(request, None), "state": "invalid"}, status_code=404)
    async with services.read() as session:
        language = await queries.customer_language(session, customer_id)
    return templates.TemplateResponse(request, "outreach_stop.html", {
        "lang": use_customer_locale(request, language), "state": state, "token": token})


@router.get("/outreach/stop/{token}", response_class=HTMLResponse)
async def stop_page(request: Request, token: Token, services: ServicesDep,
                    templates: TemplatesDep) -> Response:
    """The link shows a button: a mail scanner that follows links opts nobody out."""
    return await _stop_page(request, services, templates, token, "ask")


@router.post("/outreach/stop/{token}", response_class=HTMLResponse)
async def stop(request: Request, token: Token, services: ServicesDep,
               templates: TemplatesDep) -> Response:
    """The button, and RFC 8058 one-click unsubscribe from the e-mail client."""
    try:
        await actions.opt_out_by_link(services, token)
    except NotFound:
        return await _stop_page(request, services, templates, token, "invalid")
    return await _stop_page(request, services, templates, token, "done")


def twilio_signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted form fields."""
    payload = url + "".join(f"{key}{form[key]}" for key in sorted(form))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@router.post("/outreach/sms/twilio")
async def twilio_inbound(request: Request, services: ServicesDep) -> Response:
    """Twilio's inbound-message webhook: a STOP reply opts the sender's number out."""
    settings = services.settings
    if settings.sms_provider != "twilio" or not settings.twilio_auth_token:
        return Response(status_code=404)
    form = {key: str(value) for key, value in (await request.form()).items()}
    url = f"{settings.public_url.rstrip('/')}{request.url.path}"
    expected = twilio_signature(settings.twilio_auth_token, url, form)
    if not hmac.compare_digest(expected, request.headers.get("x-twilio-signature", "")):
        return Response(status_code=403)
    await actions.opt_out_by_sms(services, form.get("From", ""), form.get("Body", ""))
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
                    media_type="application/xml")


class WidgetPreferencesIn(BaseModel):
    timezone: str | None = Field(default=None, max_length=64)
    opted_out: bool | None = None


@router.put("/api/widget/outreach")
async def widget_preferences(body: WidgetPreferencesIn, widget: WidgetCustomerDep,
                             services: ServicesDep) -> dict[str, object]:
    """The widget reports the browser's time zone (quiet hours), or the customer opts out."""
    contact = await actions.set_widget_preferences(
        services, widget.external_id, timezone=body.timezone, opted_out=body.opted_out)
    return {"timezone": contact.timezone, "opted_out": contact.opted_out_at is not None}
