"""Admin page of the official channels that /verify checks against."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.errors import DomainError
from walletdesk.safety.lookalike import KINDS
from walletdesk.verification.actions import add_official_channel, remove_official_channel
from walletdesk.verification.queries import list_official_channels
from walletdesk.web.deps import PageManager, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.routes.refusals import refusal

router = APIRouter(prefix="/admin/channels", include_in_schema=False)


async def _page(request: Request, agent: object, services: ServicesDep, signer: SignerDep,
                templates: TemplatesDep, error: str | None = None,
                draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: the new channel as typed when it was refused."""
    async with services.read() as session:
        channels = await list_official_channels(session)
    return templates.TemplateResponse(request, "admin/channels.html", {
        "agent": agent, "channels": channels, "kinds": KINDS, "error": error, "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)},
        status_code=422 if error else 200)


@router.get("", response_class=HTMLResponse)
async def channels(request: Request, agent: PageManager, services: ServicesDep,
                   signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


@router.post("")
async def add_channel(request: Request, agent: PageManager, services: ServicesDep,
                      signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        await add_official_channel(services, agent, kind=str(form.get("kind", "")),
                                   value=str(form.get("value", "")),
                                   label=str(form.get("label", "")))
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates,
                           refusal(request, exc), typed(form))
    return RedirectResponse("/admin/channels", status_code=303)


@router.post("/{channel_id}/delete")
async def delete_channel(channel_id: RowId, agent: PageManager, services: ServicesDep) -> Response:
    await remove_official_channel(services, agent, channel_id)
    return RedirectResponse("/admin/channels", status_code=303)
