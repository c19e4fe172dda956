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
from walletdesk.web.localization import customer_language_choices, language_name

router = APIRouter(prefix="/help", include_in_schema=False)

def reader_language(request: Request, lang: str | None) -> str:
    """The reader's language: the ``lang`` parameter (the language links), else the browser's;
    any knowledge-base language or catalog (i18n.customer_locales)."""
    if lang in i18n.customer_locales():
        request.state.locale = lang
        return lang
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].split(";")[0].strip() if accept else None
    language = i18n.customer_locale(first, request.app.state.settings.default_language)
    request.state.locale = language  # the page's texts (localization.request_locale)
    return language


def _context(request: Request, language: str, **values: object) -> dict[str, object]:
    return {"lang": language, "languages": customer_language_choices(),
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
    # one section per heading the reader sees: categories that read the same ("Transfers")
    # or belong under a broader one (stolen funds under Security: i18n.help_section) are one
    categories: dict[str, list[object]] = {}
    for article in articles:
        localized = localize(article, language, default)
        if localized is not None:
            heading = i18n.category_name(i18n.help_section(article.category), language)
            categories.setdefault(heading, []).append(localized)
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
        thanks=thanks, source_name=language_name(localized.source_locale, language)))


@router.post("/articles/{slug}/feedback")
async def help_feedback(slug: str, request: Request, services: ServicesDep,
                        helpful: Annotated[bool, Form()],
                        lang: Annotated[str, Form(max_length=16)] = "en") -> Response:
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise HTTPException(403, "cross-site feedback is not accepted")
    language = lang if lang in i18n.customer_locales() else "en"
    async with services.read() as session:
        article = await article_by_slug(session, slug)
    await record_feedback(services, article.id, language, helpful)
    return RedirectResponse(f"/help/articles/{slug}?lang={language}&thanks=1", status_code=303)
