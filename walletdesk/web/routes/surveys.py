"""The rating page that email links open: /survey/<signed token>?rating=N.

Opening the link shows the choice (a mail scanner that follows links must not rate on the
customer's behalf); the customer confirms with the button, once."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from walletdesk.cases.surveys import rate_by_link, survey_for_link
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.i18n import customer_language
from walletdesk.web.deps import ServicesDep, TemplatesDep

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]

UI = {
    "en": {"title": "Rate our support", "ask": "How did we do?", "comment": "Anything to add? (optional)",
           "send": "Send rating", "thanks": "Thank you for your rating!",
           "already": "This conversation has been rated already. Thank you!",
           "invalid": "This rating link is not valid."},
    "zh-Hans": {"title": "服务评价", "ask": "您对本次服务满意吗？", "comment": "补充说明（可选）",
                "send": "提交评价", "thanks": "感谢您的评价！", "already": "本次对话已经评价过了，谢谢！",
                "invalid": "此评价链接无效。"},
    "zh-Hant": {"title": "服務評價", "ask": "您對本次服務滿意嗎？", "comment": "補充說明（可選）",
                "send": "提交評價", "thanks": "感謝您的評價！", "already": "本次對話已經評價過了，謝謝！",
                "invalid": "此評價連結無效。"},
    "es": {"title": "Valora nuestra atención", "ask": "¿Qué tal lo hicimos?",
           "comment": "¿Algo que añadir? (opcional)", "send": "Enviar valoración",
           "thanks": "¡Gracias por tu valoración!",
           "already": "Esta conversación ya fue valorada. ¡Gracias!",
           "invalid": "Este enlace de valoración no es válido."},
}


def _page(request: Request, templates: TemplatesDep, language: str | None, *, token: str,
          state: str, rating: int | None = None, status_code: int = 200) -> Response:
    lang = customer_language(language)
    return templates.TemplateResponse(request, "survey.html", {
        "lang": lang, "ui": UI.get(lang, UI["en"]), "token": token, "state": state,
        "rating": rating}, status_code=status_code)


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
    except Invalid:
        return _page(request, templates, language, token=token, state="ask", status_code=422)
    return _page(request, templates, language, token=token, state="thanks", rating=survey.rating)
