"""The customer widget and the agent workspace pages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)

from walletdesk.accounts.access import is_manager
from walletdesk.accounts.queries import list_agents, list_teams
from walletdesk.conversations.attachments import blob_path
from walletdesk.conversations.queries import attachment_for_agent
from walletdesk.web.deps import PageAgent, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.localization import script_texts, use_customer_locale

# the scripts of the widget page (widget.html's wd-texts)
WIDGET_SCRIPTS = ("widget.js", "uploads.js", "privacy_notice.js")

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/app", status_code=303)


@router.get("/widget", response_class=HTMLResponse)
async def widget(request: Request, templates: TemplatesDep, embed: bool = False,
                 lang: Annotated[str | None, Query(max_length=35)] = None) -> Response:
    """The chat itself: a page of its own, framed by the loader script or opened in an app.
    It speaks the customer's language (``lang``, else the browser's), never an agent's."""
    use_customer_locale(request, lang)
    return templates.TemplateResponse(request, "widget.html", {"embed": embed},
                                      headers={"Vary": "Accept-Language"})


@router.get("/widget/texts")
async def widget_texts(request: Request,
                       lang: Annotated[str, Query(min_length=2, max_length=35)]) -> Response:
    """Public, like the widget: its texts in another customer language, for a widget whose
    conversation turned out to be in a language other than the browser's."""
    locale = use_customer_locale(request, lang)
    return JSONResponse({"locale": locale, "texts": script_texts(locale, *WIDGET_SCRIPTS)},
                        headers={"Vary": "Accept-Language"})


@router.get("/widget.js")
async def widget_loader(request: Request, templates: TemplatesDep) -> Response:
    """The one-line embed: <script src="https://desk.example.com/widget.js" async></script>."""
    use_customer_locale(request, None)  # the visitor's browser language
    return templates.TemplateResponse(request, "widget_loader.js",
                                      {"origin": str(request.base_url).rstrip("/")},
                                      media_type="application/javascript",
                                      headers={"Vary": "Accept-Language"})


@router.get("/embed-example", response_class=HTMLResponse)
async def embed_example(request: Request, templates: TemplatesDep) -> Response:
    """A sample operator page with the widget embedded, as an integrator would do it."""
    return templates.TemplateResponse(request, "embed_example.html", {})


@router.get("/app", response_class=HTMLResponse)
async def workspace(request: Request, agent: PageAgent, services: ServicesDep,
                    signer: SignerDep, templates: TemplatesDep) -> Response:
    async with services.read() as session:
        teams = await list_teams(session)
        agents = await list_agents(session, active_only=True)
    return templates.TemplateResponse(request, "app.html", {
        "agent": agent,
        "is_manager": is_manager(agent),
        "csrf_token": signer.csrf_token(request.state.session),
        "teams": teams,
        "agents": agents,
        # names for live updates that carry ids only (who a conversation went to)
        "directory": {"agents": {a.id: a.display_name for a in agents},
                      "teams": {t.id: t.name for t in teams}},
    })


@router.get("/app/attachments/{attachment_id}")
async def attachment(attachment_id: RowId, agent: PageAgent, services: ServicesDep) -> Response:
    """A file a customer sent, for agents who may see its conversation; always a download."""
    async with services.read() as session:
        found = await attachment_for_agent(session, agent, attachment_id)
    return FileResponse(blob_path(services.settings, found.sha256), filename=found.filename,
                        media_type="application/octet-stream",
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "private, no-store"})
