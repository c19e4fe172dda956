"""The customer widget and the agent workspace pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts.access import is_manager
from walletdesk.accounts.queries import list_agents, list_teams
from walletdesk.web.deps import PageAgent, ServicesDep, SignerDep, TemplatesDep

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
