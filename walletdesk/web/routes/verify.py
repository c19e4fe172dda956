"""The public official-channel check (/verify) and scam reports."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from walletdesk import i18n
from walletdesk.verification.actions import check_claim, report_scam
from walletdesk.web.deps import ServicesDep, TemplatesDep, client_address
from walletdesk.web.localization import customer_language_choices
from walletdesk.web.routes.help_centre import reader_language

router = APIRouter(include_in_schema=False)

def _limited(request: Request, kind: str) -> None:
    """Checks and reports are public: a few per client address and minute (app.py)."""
    limiter = request.app.state.check_limiter if kind == "check" else \
        request.app.state.report_limiter
    if not limiter.allow(client_address(request)):
        raise HTTPException(429, "too many requests; wait a minute")


def _message(language: str, verdict: Any, brand: str) -> str:
    return i18n.verdict_text(verdict.status, language, brand,
                             verdict.channel.value if verdict.channel else "")


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(request: Request, services: ServicesDep, templates: TemplatesDep,
                      value: Annotated[str | None, Query(max_length=500)] = None,
                      lang: str | None = None) -> Response:
    language = reader_language(request, lang)
    verdict = None
    if value and value.strip():
        _limited(request, "check")
        verdict = await check_claim(services, value)
    return templates.TemplateResponse(request, "verify.html", {
        "lang": language, "languages": customer_language_choices(), "path": "/verify",
        "value": value or "", "verdict": verdict,
        "reasons": [reason.translated(language) if isinstance(reason, i18n.Phrase) else reason
                    for reason in verdict.reasons] if verdict else [],
        "message": _message(language, verdict, services.settings.brand_name) if verdict else "",
        "reported": None})


@router.get("/verify/check")
async def verify_check(request: Request, services: ServicesDep,
                       value: Annotated[str, Query(min_length=1, max_length=500)],
                       kind: str | None = None) -> Response:
    """JSON for apps and the bot: {"status", "kind", "normalised", "official", "reasons"}."""
    _limited(request, "check")
    verdict = await check_claim(services, value, kind)
    return JSONResponse({
        "status": verdict.status, "kind": verdict.kind, "normalised": verdict.normalised,
        "official": ({"kind": verdict.channel.kind, "value": verdict.channel.value,
                      "label": verdict.channel.label} if verdict.channel else None),
        "reasons": verdict.reasons})


@router.post("/verify/report", response_class=HTMLResponse)
async def verify_report(request: Request, services: ServicesDep, templates: TemplatesDep,
                        value: Annotated[str, Form(min_length=1, max_length=500)],
                        details: Annotated[str, Form(max_length=2000)] = "",
                        lang: Annotated[str | None, Form(max_length=16)] = None) -> Response:
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise HTTPException(403, "cross-site reports are not accepted")
    _limited(request, "report")
    language = reader_language(request, lang)
    delivered = await report_scam(services, value=value, details=details, language=language)
    return templates.TemplateResponse(request, "verify.html", {
        "lang": language, "languages": customer_language_choices(), "path": "/verify",
        "value": "", "verdict": None, "message": "",
        "reported": delivered.conversation.id})
