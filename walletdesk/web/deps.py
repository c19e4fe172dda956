"""Request dependencies: services, the signed-in agent, role rules and CSRF checks.

Routes declare what they need in their signature (``agent: ManagerAgent``), so the access
rule of every endpoint is visible where the endpoint is defined.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.templating import Jinja2Templates

from walletdesk.accounts.actions import agent_for_token
from walletdesk.accounts.models import Agent, Role
from walletdesk.accounts.sessions import session_agent
from walletdesk.services import Services
from walletdesk.web.localization import request_locale
from walletdesk.web.schemas import MAX_ROW_ID
from walletdesk.web.sessions import SESSION_COOKIE, SessionData, Signer

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# ids in paths: positive and within the databases' integer range (else a clear 422, not a 500)
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class LoginRequired(Exception):
    """Raised for a page that needs a signed-in agent; answered with a redirect to /login."""


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_signer(request: Request) -> Signer:
    return request.app.state.signer


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ServicesDep = Annotated[Services, Depends(get_services)]
SignerDep = Annotated[Signer, Depends(get_signer)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


async def load_session_agent(services: Services, signer: Signer,
                             cookie: str | None) -> tuple[Agent, SessionData] | None:
    """The agent of a live server-side session (one indexed lookup), or None."""
    data = signer.read_session(cookie)
    if data is None:
        return None
    found = await session_agent(services, data.token, services.settings.session_max_age_s)
    if found is None:
        return None
    agent, agent_session = found
    data.session_id = agent_session.id
    return agent, data


async def _page_agent(request: Request, services: ServicesDep, signer: SignerDep) -> Agent:
    found = await load_session_agent(services, signer, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise LoginRequired()
    agent, data = found
    request.state.session = data
    request.state.locale = agent.interface_locale  # None: the browser's Accept-Language
    if request.method not in SAFE_METHODS:
        form = await request.form()
        token = request.headers.get("x-csrf-token") or form.get("csrf_token")
        if not signer.csrf_valid(data, token if isinstance(token, str) else None):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid or missing CSRF token")
    return agent


async def _api_agent(request: Request, services: ServicesDep, signer: SignerDep) -> Agent:
    """Bearer token (integrations) or the workspace's session cookie plus CSRF header."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        found_token = await agent_for_token(services, authorization[7:].strip())
        if found_token is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API token",
                                headers={"WWW-Authenticate": "Bearer"})
        agent, scope = found_token
        if scope == "metrics":
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a metrics token reads /metrics only")
        if scope == "read" and request.method not in SAFE_METHODS:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this API token is read-only")
        return agent
    found = await load_session_agent(services, signer, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required",
                            headers={"WWW-Authenticate": "Bearer"})
    agent, data = found
    # the workspace's calls answer in the agent's language, as its pages (a refusal's detail,
    # times in words); never unset, so an error needs no second session lookup (error_pages).
    # A token's client has no session: English unless it asks (Accept-Language)
    request.state.locale = agent.interface_locale or request_locale(request)
    if request.method not in SAFE_METHODS and not signer.csrf_valid(
            data, request.headers.get("x-csrf-token")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid or missing CSRF token")
    return agent


def _require(*roles: Role):  # type: ignore[no-untyped-def]
    def check(agent: Agent) -> Agent:
        if agent.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
        return agent
    return check


_manager = _require(Role.admin, Role.supervisor)
_admin = _require(Role.admin)
# the operator's own people: not outsourced agents (customer phone numbers, call lists)
_staff = _require(Role.admin, Role.supervisor, Role.agent)


async def _page_staff(agent: Annotated[Agent, Depends(_page_agent)]) -> Agent:
    return _staff(agent)


async def _api_staff(agent: Annotated[Agent, Depends(_api_agent)]) -> Agent:
    return _staff(agent)


async def _page_manager(agent: Annotated[Agent, Depends(_page_agent)]) -> Agent:
    return _manager(agent)


async def _page_admin(agent: Annotated[Agent, Depends(_page_agent)]) -> Agent:
    return _admin(agent)


async def _api_manager(agent: Annotated[Agent, Depends(_api_agent)]) -> Agent:
    return _manager(agent)


async def _api_admin(agent: Annotated[Agent, Depends(_api_agent)]) -> Agent:
    return _admin(agent)


PageAgent = Annotated[Agent, Depends(_page_agent)]
PageStaff = Annotated[Agent, Depends(_page_staff)]
ApiStaff = Annotated[Agent, Depends(_api_staff)]
PageManager = Annotated[Agent, Depends(_page_manager)]
PageAdmin = Annotated[Agent, Depends(_page_admin)]
ApiAgent = Annotated[Agent, Depends(_api_agent)]
ApiManager = Annotated[Agent, Depends(_api_manager)]
ApiAdmin = Annotated[Agent, Depends(_api_admin)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
