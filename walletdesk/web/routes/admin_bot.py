"""Admin page of the bot: on/off, topics that always go to a person, custodial accounts and
the articles that need one, and the content gaps."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.bot.actions import update_bot_config
from walletdesk.bot.queries import bot_config, content_gaps, outcome_counts
from walletdesk.db.base import utcnow
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.kb.queries import all_articles
from walletdesk.verification.account_questions import custody_mode, mail_relay_configured
from walletdesk.web.deps import PageAdmin, PageManager, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, split_list, typed
from walletdesk.web.routes.refusals import refusal

router = APIRouter(prefix="/admin/bot", include_in_schema=False)
GAP_WINDOW = timedelta(days=30)


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                error: str | None = None, draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: the settings form as typed when it was refused."""
    since = utcnow() - GAP_WINDOW
    async with services.read() as session:
        config = await bot_config(session)
        gaps = await content_gaps(session, since)
        counts = await outcome_counts(session, since)
        articles = [(a.slug, a.category, _title(a), a.needs_account)
                    for a in await all_articles(session)]
    runtime = services.bot
    return templates.TemplateResponse(request, "admin/bot.html", {
        "agent": agent, "config": config, "gaps": gaps[:50], "counts": counts,
        "custody": custody_mode(config), "mail_relay": mail_relay_configured(services.settings),
        "kb_articles": articles,
        "ready": bool(runtime and runtime.ready), "articles": len(runtime.articles) if runtime else 0,
        "build_seconds": runtime.build_seconds if runtime else None, "error": error,
        "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)},
        status_code=422 if error else 200)


@router.get("", response_class=HTMLResponse)
async def bot_page(request: Request, agent: PageManager, services: ServicesDep,
                   signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


@router.post("")
async def save_bot(request: Request, agent: PageAdmin, services: ServicesDep,
                   signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        await update_bot_config(
            services, agent, enabled=form.get("enabled") == "on",
            sensitive_categories=split_list(str(form.get("sensitive_categories", ""))),
            sensitive_phrases=split_list(str(form.get("sensitive_phrases", ""))),
            max_failed_answers=int(str(form.get("max_failed_answers") or 2)),
            custody=str(form["custody"]) if "custody" in form else None,
            account_articles=[str(slug) for slug in form.getlist("needs_account")]
            if form.get("account_articles_listed") else None)
    except (DomainError, ValueError) as exc:
        return await _page(request, agent, services, signer, templates, error=refusal(
            request, exc, N_("a whole number is needed")), draft=typed(form))
    return RedirectResponse("/admin/bot", status_code=303)


def _title(article: Any) -> str:
    found = article.translation("en") or (article.translations[0] if article.translations
                                           else None)
    return found.title if found else article.slug
