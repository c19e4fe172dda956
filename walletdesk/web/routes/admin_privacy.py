"""Admin page of the privacy notice the widget shows (text and link per language)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.customers.privacy_notice import all_notices, save_privacy_notices
from walletdesk.errors import DomainError
from walletdesk.i18n import SUPPORTED
from walletdesk.web.deps import PageAdmin, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.routes.refusals import refusal

router = APIRouter(prefix="/admin/privacy-notice", include_in_schema=False)


async def _page(request: Request, agent: Any, services: ServicesDep, signer: SignerDep,
                templates: TemplatesDep, error: str | None = None,
                values: dict[str, str] | None = None) -> Response:
    async with services.read() as session:
        notices = await all_notices(session)
    if values is None:
        values = {}
        for locale in SUPPORTED:
            notice = notices.get(locale)
            values[f"text_{locale}"] = notice.text if notice else ""
            values[f"url_{locale}"] = notice.url if notice else ""
    return templates.TemplateResponse(request, "admin/privacy_notice.html", {
        "agent": agent, "locales": SUPPORTED, "values": values, "notices": notices,
        "error": error, "csrf_token": signer.csrf_token(request.state.session)},
        status_code=422 if error else 200)


@router.get("", response_class=HTMLResponse)
async def privacy_notice_page(request: Request, agent: PageAdmin, services: ServicesDep,
                              signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


@router.post("")
async def save_privacy_notice(request: Request, agent: PageAdmin, services: ServicesDep,
                              signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    values = {f"{field}_{locale}": str(form.get(f"{field}_{locale}", ""))
              for locale in SUPPORTED for field in ("text", "url")}
    try:
        await save_privacy_notices(services, agent, {
            locale: (values[f"text_{locale}"], values[f"url_{locale}"]) for locale in SUPPORTED})
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           values)
    return RedirectResponse("/admin/privacy-notice", status_code=303)
