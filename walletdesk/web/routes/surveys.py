"""The rating page that email links open: /survey/<signed token>?rating=N.

Opening the link shows the choice (a mail scanner that follows links must not rate on the
customer's behalf); the customer confirms with the button, once."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from walletdesk.cases.surveys import rate_by_link, survey_for_link
from walletdesk.errors import Conflict, DomainError, Invalid, NotFound
from walletdesk.web.deps import ServicesDep, TemplatesDep
from walletdesk.web.localization import use_customer_locale

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]


def _page(request: Request, templates: TemplatesDep, language: str | None, *, token: str,
          state: str, rating: int | None = None, status_code: int = 200,
          error: DomainError | None = None) -> Response:
    lang = use_customer_locale(request, language)
    return templates.TemplateResponse(request, "survey.html", {
        "lang": lang, "token": token, "state": state, "rating": rating,
        "error": error.translated(lang) if error is not None else None},
        status_code=status_code)


@router.get("/survey/{token}", response_class=HTMLResponse)
async def survey_page(request: Request, token: Token, services: ServicesDep,
                      templates: TemplatesDep, rating: int | None = None) -> Response:
    try:
        survey, language = await survey_for_link(services, token)
    except NotFound:
        return _page(request, templates, None, token="", state="invalid", status_code=404)
    state = "already" if survey.rating is not None else "ask"
    chosen = rating if rating is not None and 1 <= rating <= 5 else None
    return _page(request, templates, language, token=token, state=state, rating=chosen)


@router.post("/survey/{token}", response_class=HTMLResponse)
async def survey_answer(request: Request, token: Token, services: ServicesDep,
                        templates: TemplatesDep, rating: Annotated[int, Form(ge=1, le=5)],
                        comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        survey, language = await survey_for_link(services, token)
    except NotFound:
        return _page(request, templates, None, token="", state="invalid", status_code=404)
    try:
        await rate_by_link(services, token, rating, comment)
    except Conflict:
        return _page(request, templates, language, token=token, state="already",
                     status_code=409)
    except Invalid as exc:  # e.g. reopened since the mail: said above the form
        return _page(request, templates, language, token=token, state="ask", status_code=422,
                     error=exc)
    return _page(request, templates, language, token=token, state="thanks", rating=survey.rating)
