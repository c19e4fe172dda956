"""The customer widget and the agent workspace pages."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from walletdesk.accounts.access import is_manager
from walletdesk.accounts.queries import list_agents, list_teams
from walletdesk.conversations.attachments import blob_path
from walletdesk.conversations.queries import attachment_for_agent
from walletdesk.web.deps import PageAgent, RowId, ServicesDep, SignerDep, TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/app", status_code=303)


@router.get("/widget", response_class=HTMLResponse)
async def widget(request: Request, templates: TemplatesDep, embed: bool = False) -> Response:
    """The chat itself: a page of its own, framed by the loader script or opened in an app."""
    return templates.TemplateResponse(request, "widget.html", {"embed": embed})


@router.get("/widget.js")
async def widget_loader(request: Request, templates: TemplatesDep) -> Response:
    """The one-line embed: <script src="https://desk.example.com/widget.js" async></script>."""
    return templates.TemplateResponse(request, "widget_loader.js",
                                      {"origin": str(request.base_url).rstrip("/")},
                                      media_type="application/javascript")


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
