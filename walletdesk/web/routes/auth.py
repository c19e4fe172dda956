"""Signing in and out of the agent workspace, two-factor login and the agent's security page.

A right password starts a server-side session, or, when the agent has (or must have) a second
factor, a short pending-login cookie that only the code step (or the set-up) accepts. A full
sign-in also leaves a device cookie (walletdesk.accounts.device_trust), sent back to the
sign-in pages only: under a distributed guess that browser is not slowed.
"""

from typing import Annotated, Any
from urllib.parse import urlparse

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.accounts import two_factor
from walletdesk.accounts.actions import LoginResult, authenticate, logout_everywhere
from walletdesk.accounts.device_trust import device_cookie_for, issue_device_cookie
from walletdesk.accounts.models import Agent
from walletdesk.accounts.sessions import end_session, start_session
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.web.deps import PageAgent, ServicesDep, SignerDep, TemplatesDep, client_address
from walletdesk.web.routes.refusals import refusal, said
from walletdesk.web.sessions import (
    PENDING_LOGIN_COOKIE,
    PENDING_LOGIN_MAX_AGE_S,
    SESSION_COOKIE,
    PendingLogin,
    Signer,
)

router = APIRouter(include_in_schema=False)

DEVICE_COOKIE = "wd_device"
DEVICE_COOKIE_PATH = "/login"  # the sign-in steps only (/login, /login/code, /login/enrol)

# what the sign-in pages say, in the browser's language (nobody is signed in yet)
LOGIN_ERRORS = {
    "invalid": N_("Wrong e-mail or password."),
    # the same for an e-mail no agent has; from another address the account still signs in
    "locked": N_("Too many failed attempts from your address: signing in to this account from "
                 "here is locked for a while. Try again later."),
    "slow": N_("Sign-ins to this account have failed many times lately, from several places, "
               "so places it was not used from lately wait between attempts. Wait a minute "
               "and try again, or sign in where you usually do."),
    "rate": N_("Too many attempts from your address. Wait a minute and try again."),
    "code": N_("That code is not right (or was used already). Try the next one."),
}
CodeForm = Annotated[str, Form(max_length=64)]


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce the agent to another site."""
    if not target:
        return "/app"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/app"
    return target


def _cookie_options(request: Request, max_age: int) -> dict[str, Any]:
    return {"max_age": max_age, "httponly": True, "samesite": "lax",
            "secure": request.app.state.settings.session_cookie_secure}


async def _signed_in(request: Request, services: Any, signer: Signer, agent_id: int,
                     response: Response, agent: Agent | None = None) -> Response:
    token = await start_session(services, agent_id)
    response.set_cookie(SESSION_COOKIE, signer.session_cookie(token),
                        **_cookie_options(request, services.settings.session_max_age_s))
    response.delete_cookie(PENDING_LOGIN_COOKIE)
    device = issue_device_cookie(services.settings, agent) if agent is not None \
        else await device_cookie_for(services, agent_id)
    if device:  # a fresh one at each full sign-in: 90 days from the last
        options = _cookie_options(request, services.settings.device_cookie_max_age_s)
        options["secure"] = options["secure"] or request.url.scheme == "https"
        response.set_cookie(DEVICE_COOKIE, device, path=DEVICE_COOKIE_PATH, **options)
    return response


def _qr(uri: str) -> str:
    """The set-up URI as a QR code (an SVG data: URI, allowed by the pages' CSP)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, templates: TemplatesDep, next: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html",
                                      {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request, services: ServicesDep, signer: SignerDep,
                templates: TemplatesDep, email: Annotated[str, Form(max_length=254)],
                password: Annotated[str, Form(max_length=1024)],
                next: Annotated[str | None, Form()] = None) -> Response:
    target = _safe_next(next)
    if not request.app.state.login_limiter.allow(client_address(request)):
        error = "rate"
    else:
        result = await authenticate(services, email, password, client_address(request),
                                    request.cookies.get(DEVICE_COOKIE))
        if result.agent is not None and result.second_factor:
            step = "/login/code" if result.second_factor == "code" else "/login/enrol"
            response = RedirectResponse(step, status_code=303)
            response.set_cookie(PENDING_LOGIN_COOKIE, signer.pending_login_cookie(
                result.agent.id, result.second_factor, target),
                **_cookie_options(request, PENDING_LOGIN_MAX_AGE_S))
            return response
        if result.agent is not None:
            return await _signed_in(request, services, signer, result.agent.id,
                                    RedirectResponse(target, status_code=303), result.agent)
        error = result.error or "invalid"
    return templates.TemplateResponse(
        request, "login.html", {"next": target, "error": said(request, LOGIN_ERRORS[error]),
                                "email": email},
        status_code=429 if error in ("rate", "slow") else 401,
    )


def _pending(request: Request, signer: Signer, stage: str) -> PendingLogin | None:
    pending = signer.read_pending_login(request.cookies.get(PENDING_LOGIN_COOKIE))
    return pending if pending is not None and pending.stage == stage else None


def _back_to_login() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.get("/login/code", response_class=HTMLResponse)
async def code_page(request: Request, signer: SignerDep, templates: TemplatesDep) -> Response:
    if _pending(request, signer, "code") is None:
        return _back_to_login()
    return templates.TemplateResponse(request, "login_code.html", {"error": None})


@router.post("/login/code")
async def code_step(request: Request, services: ServicesDep, signer: SignerDep,
                    templates: TemplatesDep, code: CodeForm) -> Response:
    pending = _pending(request, signer, "code")
    if pending is None:
        return _back_to_login()
    if not request.app.state.login_limiter.allow(client_address(request)):
        result = LoginResult(None, "rate")
    else:
        result = await two_factor.verify_second_factor(services, pending.agent_id, code,
                                                        client_address(request),
                                                        request.cookies.get(DEVICE_COOKIE))
    if result.agent is not None:
        return await _signed_in(request, services, signer, result.agent.id,
                                RedirectResponse(pending.next, status_code=303), result.agent)
    error = result.error or "code"
    return templates.TemplateResponse(request, "login_code.html",
                                      {"error": said(request, LOGIN_ERRORS[error])},
                                      status_code=429 if error in ("rate", "slow") else 401)


def _enrol_page(request: Request, templates: Any, enrolment: two_factor.Enrolment, action: str,
                error: str | None = None, csrf_token: str | None = None,
                agent: Any = None, status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, "two_factor_enrol.html", {
        "secret": enrolment.secret, "uri": enrolment.uri, "qr": _qr(enrolment.uri),
        "action": action, "error": error, "csrf_token": csrf_token, "agent": agent,
    }, status_code=status_code, headers={"Cache-Control": "no-store"})


def _recovery_page(request: Request, templates: Any, codes: list[str], next_path: str,
                   agent: Any = None, csrf_token: str | None = None) -> Response:
    return templates.TemplateResponse(request, "recovery_codes.html", {
        "codes": codes, "next": next_path, "agent": agent, "csrf_token": csrf_token,
    }, headers={"Cache-Control": "no-store"})


@router.get("/login/enrol", response_class=HTMLResponse)
async def enrol_page(request: Request, services: ServicesDep, signer: SignerDep,
                     templates: TemplatesDep) -> Response:
    """Required but not set up yet: set it up now, before the first session starts."""
    pending = _pending(request, signer, "enrol")
    if pending is None:
        return _back_to_login()
    try:
        enrolment = await two_factor.begin_enrolment(services, pending.agent_id)
    except DomainError:
        return _back_to_login()
    return _enrol_page(request, templates, enrolment, "/login/enrol")


@router.post("/login/enrol")
async def enrol_step(request: Request, services: ServicesDep, signer: SignerDep,
                     templates: TemplatesDep, code: CodeForm) -> Response:
    pending = _pending(request, signer, "enrol")
    if pending is None:
        return _back_to_login()
    try:
        codes = await two_factor.confirm_enrolment_at_sign_in(services, pending.agent_id, code,
                                                               client_address(request))
    except DomainError as exc:
        enrolment = await two_factor.pending_enrolment(services, pending.agent_id)
        if enrolment is None:
            return _back_to_login()
        return _enrol_page(request, templates, enrolment, "/login/enrol",
                           refusal(request, exc), status_code=422)
    return await _signed_in(request, services, signer, pending.agent_id,
                            _recovery_page(request, templates, codes, pending.next))


@router.post("/logout")
async def logout(request: Request, agent: PageAgent, services: ServicesDep,
                 everywhere: Annotated[bool, Form()] = False) -> Response:
    if everywhere:
        await logout_everywhere(services, agent.id)
    else:
        await end_session(services, agent.id, request.state.session.session_id)
    # the sign-in page removes the tab's reply drafts (static/signed_out.js), whichever page
    # this came from; not Clear-Site-Data: "storage", which would also wipe the origin's
    # localStorage (the widget's visitor token and unsent messages) and needs HTTPS
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    if everywhere:  # no longer valid anyway (the session version moved)
        response.delete_cookie(DEVICE_COOKIE, path=DEVICE_COOKIE_PATH)
    return response


# --- the agent's own security page ------------------------------------------------------------

@router.get("/account/security", response_class=HTMLResponse)
async def security_page(request: Request, agent: PageAgent, services: ServicesDep,
                        signer: SignerDep, templates: TemplatesDep) -> Response:
    status = await two_factor.two_factor_status(services, agent.id)
    return templates.TemplateResponse(request, "account_security.html", {
        "agent": agent, "status": status, "csrf_token": signer.csrf_token(request.state.session),
        "error": None,
    })


@router.post("/account/security/enrol")
async def security_enrol(request: Request, agent: PageAgent, services: ServicesDep,
                         signer: SignerDep, templates: TemplatesDep) -> Response:
    enrolment = await two_factor.begin_enrolment(services, agent.id)
    return _enrol_page(request, templates, enrolment, "/account/security/confirm",
                       csrf_token=signer.csrf_token(request.state.session), agent=agent)


@router.post("/account/security/confirm")
async def security_confirm(request: Request, agent: PageAgent, services: ServicesDep,
                           signer: SignerDep, templates: TemplatesDep,
                           code: CodeForm) -> Response:
    csrf = signer.csrf_token(request.state.session)
    try:
        codes = await two_factor.confirm_enrolment(services, agent.id, code)
    except DomainError as exc:
        enrolment = await two_factor.pending_enrolment(services, agent.id)
        if enrolment is None:
            return RedirectResponse("/account/security", status_code=303)
        return _enrol_page(request, templates, enrolment, "/account/security/confirm",
                           refusal(request, exc), csrf, agent, status_code=422)
    return _recovery_page(request, templates, codes, "/account/security", agent, csrf)


@router.post("/account/security/recovery-codes")
async def security_recovery_codes(request: Request, agent: PageAgent, services: ServicesDep,
                                  signer: SignerDep, templates: TemplatesDep) -> Response:
    codes = await two_factor.new_recovery_codes(services, agent.id)
    return _recovery_page(request, templates, codes, "/account/security", agent,
                          signer.csrf_token(request.state.session))


@router.post("/account/security/off")
async def security_off(agent: PageAgent, services: ServicesDep) -> Response:
    await two_factor.turn_off(services, agent, agent.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
