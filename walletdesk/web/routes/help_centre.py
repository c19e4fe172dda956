"""The public help centre: search, categories, articles and "was this helpful?"."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk import i18n
from walletdesk.kb.actions import record_feedback
from walletdesk.kb.queries import article_by_slug, published_articles
from walletdesk.kb.search import search_articles
from walletdesk.kb.text import localize, render_markdown
from walletdesk.web.deps import ServicesDep, TemplatesDep

router = APIRouter(prefix="/help", include_in_schema=False)

UI = {
    "en": {"title": "Help centre", "search": "Search", "placeholder": "How can we help?",
           "results": "Results", "none": "Nothing found. Try other words or chat with us.",
           "helpful": "Was this helpful?", "yes": "Yes", "no": "No", "thanks": "Thanks for "
           "your feedback!", "chat": "Still need help? Chat with us", "back": "Help centre",
           "converted": "Automatically converted from {source}."},
    "zh-Hans": {"title": "帮助中心", "search": "搜索", "placeholder": "请输入您的问题",
                "results": "搜索结果", "none": "没有找到相关内容，换个说法试试，或联系在线客服。",
                "helpful": "这篇文章有帮助吗？", "yes": "有帮助", "no": "没帮助",
                "thanks": "感谢您的反馈！", "chat": "仍需帮助？联系在线客服", "back": "帮助中心",
                "converted": "由{source}自动转换。"},
    "zh-Hant": {"title": "幫助中心", "search": "搜尋", "placeholder": "請輸入您的問題",
                "results": "搜尋結果", "none": "沒有找到相關內容，換個說法試試，或聯絡線上客服。",
                "helpful": "這篇文章有幫助嗎？", "yes": "有幫助", "no": "沒幫助",
                "thanks": "感謝您的回饋！", "chat": "仍需幫助？聯絡線上客服", "back": "幫助中心",
                "converted": "由{source}自動轉換。"},
    "es": {"title": "Centro de ayuda", "search": "Buscar", "placeholder": "¿Cómo podemos ayudarte?",
           "results": "Resultados", "none": "No encontramos nada. Prueba con otras palabras o "
           "escríbenos.", "helpful": "¿Te ha sido útil?", "yes": "Sí", "no": "No",
           "thanks": "¡Gracias por tu opinión!", "chat": "¿Aún necesitas ayuda? Escríbenos",
           "back": "Centro de ayuda", "converted": "Convertido automáticamente de {source}."},
}
LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English", "es": "Español"}


def reader_language(request: Request, lang: str | None) -> str:
    if lang in i18n.SUPPORTED:
        return lang
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].split(";")[0].strip() if accept else None
    return i18n.customer_language(first, request.app.state.settings.default_language)


def _context(request: Request, language: str, **values: object) -> dict[str, object]:
    return {"lang": language, "ui": UI[language], "languages": LANGUAGE_NAMES,
            "path": request.url.path, **values}


@router.get("", response_class=HTMLResponse)
async def help_home(request: Request, services: ServicesDep, templates: TemplatesDep,
                    q: Annotated[str | None, Query(max_length=500)] = None,
                    lang: str | None = None) -> Response:
    language = reader_language(request, lang)
    default = services.settings.default_language
    async with services.read() as session:
        articles = await published_articles(session)
    results = None
    if q and q.strip():
        results = [localize(a, language, default)
                   for a in await search_articles(services, articles, q.strip())]
    categories: dict[str, list[object]] = {}
    for article in articles:
        localized = localize(article, language, default)
        if localized is not None:
            categories.setdefault(article.category, []).append(localized)
    return templates.TemplateResponse(request, "help/index.html", _context(
        request, language, q=q or "", results=results, categories=categories))


@router.get("/articles/{slug}", response_class=HTMLResponse)
async def help_article(slug: str, request: Request, services: ServicesDep,
                       templates: TemplatesDep, lang: str | None = None,
                       thanks: bool = False) -> Response:
    language = reader_language(request, lang)
    async with services.read() as session:
        article = await article_by_slug(session, slug)
    localized = localize(article, language, services.settings.default_language)
    if localized is None:
        raise HTTPException(404, "article not found")
    return templates.TemplateResponse(request, "help/article.html", _context(
        request, language, article=localized, body=render_markdown(localized.body),
        thanks=thanks, source_name=LANGUAGE_NAMES.get(localized.source_locale, "")))


@router.post("/articles/{slug}/feedback")
async def help_feedback(slug: str, request: Request, services: ServicesDep,
                        helpful: Annotated[bool, Form()],
                        lang: Annotated[str, Form(max_length=16)] = "en") -> Response:
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise HTTPException(403, "cross-site feedback is not accepted")
    language = lang if lang in i18n.SUPPORTED else "en"
    async with services.read() as session:
        article = await article_by_slug(session, slug)
    await record_feedback(services, article.id, language, helpful)
    return RedirectResponse(f"/help/articles/{slug}?lang={language}&thanks=1", status_code=303)
