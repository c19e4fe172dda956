"""Signing in and out of the agent workspace."""

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts.actions import authenticate, logout_everywhere
from walletdesk.web.deps import PageAgent, ServicesDep, SignerDep, TemplatesDep, client_address
from walletdesk.web.sessions import SESSION_COOKIE

router = APIRouter(include_in_schema=False)

LOGIN_ERRORS = {
    "invalid": "Wrong e-mail or password.",
    "locked": "Too many failed attempts: this account is locked for a while. Try again later.",
    "rate": "Too many attempts from your address. Wait a minute and try again.",
}


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce the agent to another site."""
    if not target:
        return "/app"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/app"
    return target


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, templates: TemplatesDep, next: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html",
                                      {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request, services: ServicesDep, signer: SignerDep,
                templates: TemplatesDep, email: Annotated[str, Form(max_length=254)],
                password: Annotated[str, Form(max_length=1024)],
                next: Annotated[str | None, Form()] = None) -> Response:
    if not request.app.state.login_limiter.allow(client_address(request)):
        error = "rate"
    else:
        result = await authenticate(services, email, password)
        if result.agent is not None:
            response = RedirectResponse(_safe_next(next), status_code=303)
            response.set_cookie(
                SESSION_COOKIE,
                signer.session_cookie(result.agent.id, result.agent.session_version),
                max_age=services.settings.session_max_age_s, httponly=True, samesite="lax",
                secure=services.settings.session_cookie_secure,
            )
            return response
        error = result.error or "invalid"
    return templates.TemplateResponse(
        request, "login.html", {"next": _safe_next(next), "error": LOGIN_ERRORS[error],
                                "email": email},
        status_code=429 if error == "rate" else 401,
    )


@router.post("/logout")
async def logout(agent: PageAgent, services: ServicesDep,
                 everywhere: Annotated[bool, Form()] = False) -> Response:
    if everywhere:
        await logout_everywhere(services, agent.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
