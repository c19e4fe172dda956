"""Errors answered in the caller's language: pages get a page, the API gets JSON.

A person who follows a link to /admin without the role sees the desk's own 403 page with a
way back; a script calling /api/v1 gets ``{"detail": ...}`` as before. A domain error's detail
(a Phrase: walletdesk.errors) is told in the reader's language (``reader_locale``), on the
page and in the JSON alike; the JSON's ``code`` stays the same in every language.
"""

from typing import Any

import structlog
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from walletdesk import i18n
from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.i18n import N_
from walletdesk.web.deps import load_session_agent
from walletdesk.web.localization import request_locale
from walletdesk.web.sessions import SESSION_COOKIE

log = structlog.get_logger(__name__)

# machine-facing paths: always JSON, whatever the Accept header says
JSON_PREFIXES = ("/api/", "/ws/", "/verify/check", "/healthz", "/metrics", "/openapi.json")
# pages customers open (help centre, official-channel check, status page, widget, rating and
# opt-out links): their error page offers the help centre, never the staff sign-in
CUSTOMER_PAGES = ("/help", "/verify", "/status", "/widget", "/widget.js", "/embed-example")
CUSTOMER_PREFIXES = tuple(f"{page}/" for page in CUSTOMER_PAGES) + ("/survey/", "/outreach/stop/")


def is_customer_page(path: str) -> bool:
    return path in CUSTOMER_PAGES or path.startswith(CUSTOMER_PREFIXES)

# what a person is told, by status (translated into the page's language where it is shown)
HEADINGS = {
    400: (N_("That request could not be handled"), N_("Something in the request was not right.")),
    403: (N_("You don't have access to this page"),
          N_("Your role may not open it. Ask a supervisor or an admin if you need it.")),
    404: (N_("Page not found"),
          N_("There is nothing here: the link may be old, or the item was removed.")),
    405: (N_("That action is not available here"), N_("This address does not accept that request.")),
    409: (N_("That changed in the meantime"),
          N_("Someone else changed this first. Reload and try again.")),
    422: (N_("Some of the input was not valid"), N_("Go back, correct it and try again.")),
    429: (N_("Too many attempts"), N_("Wait a minute, then try again.")),
    500: (N_("Something went wrong on our side"),
          N_("The error was logged. Try again; if it keeps happening, tell your administrator.")),
    503: (N_("The desk is briefly unavailable"), N_("Try again in a few seconds.")),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith(JSON_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _detail_text(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):  # validation errors: "field: message" per problem
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query",
                                                                                   "path"))
                parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg")))
        return "; ".join(parts)
    return ""


def _in_locale(value: Any, locale: str) -> Any:
    return value.translated(locale) if isinstance(value, i18n.Phrase) else value


async def reader_locale(request: Request) -> str:
    """The language an error is told in, chosen as the pages choose theirs: the one the
    request's page chose (a customer page's: the customer's), else the signed-in agent's
    saved language, else the browser's Accept-Language. An API token's client has no
    session: English, unless its Accept-Language asks for another."""
    if getattr(request.state, "locale", None) is None and not request.headers.get(
            "authorization", "").lower().startswith("bearer "):
        agent, _csrf_token = await _signed_in(request)
        if agent is not None:
            request.state.locale = agent.interface_locale  # None: the browser's
    return request_locale(request)


async def error_response(request: Request, status_code: int, detail: Any,
                         payload: dict[str, Any] | None = None,
                         headers: dict[str, str] | None = None) -> Response:
    """JSON for machines (``payload`` or ``{"detail": detail}``), the error page for people;
    a Phrase (a domain error's detail) in the reader's language."""
    if wants_json(request):
        body = payload if payload is not None else {"detail": detail}
        if any(isinstance(value, i18n.Phrase) for value in body.values()):
            locale = await reader_locale(request)
            body = {key: _in_locale(value, locale) for key, value in body.items()}
        return JSONResponse(body, status_code=status_code, headers=headers)
    heading, explanation = HEADINGS.get(status_code, HEADINGS[500 if status_code >= 500
                                                              else 400])
    agent, csrf_token = await _signed_in(request)
    if agent is not None and getattr(request.state, "locale", None) is None:
        # the agent's saved language, unless the page had already chosen one (a customer page)
        request.state.locale = agent.interface_locale
    locale = request_locale(request)
    catalog = i18n.translations(locale)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {
        "status_code": status_code, "heading": catalog.gettext(heading),
        "explanation": catalog.gettext(explanation),
        "detail": "" if status_code >= 500 else _detail_text(_in_locale(detail, locale)),
        "agent": agent, "csrf_token": csrf_token,
        "customer_page": is_customer_page(request.url.path),
    }, status_code=status_code, headers=headers)


async def _signed_in(request: Request) -> tuple[Any, str]:
    """The signed-in agent (for the top bar and the way back), if there is one and the
    database answers; an error page never fails because of it."""
    app = request.app
    try:
        found = await load_session_agent(app.state.services, app.state.signer,
                                         request.cookies.get(SESSION_COOKIE))
    except DatabaseUnavailable:
        return None, ""
    except Exception:
        log.warning("error_page_agent_lookup_failed")
        return None, ""
    if found is None:
        return None, ""
    agent, data = found
    return agent, app.state.signer.csrf_token(data)
