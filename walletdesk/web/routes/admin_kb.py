"""Admin pages for the knowledge base: write, preview, publish and retire articles."""

from typing import Any

from babel.lists import format_list
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from walletdesk.bot.runtime import learning_seconds
from walletdesk.errors import DomainError
from walletdesk.i18n import N_, SUPPORTED, Phrase, babel_locale, customer_locales
from walletdesk.kb.actions import TranslationIn, save_article, set_article_status
from walletdesk.kb.models import ArticleStatus
from walletdesk.kb.queries import all_articles, article_by_id, article_versions, feedback_by_article
from walletdesk.kb.secrets import protect_article_body
from walletdesk.kb.text import render_markdown
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER, protect_text
from walletdesk.web.deps import PageManager, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.localization import language_name, request_locale
from walletdesk.web.routes.refusals import refusal, said
from walletdesk.web.schemas import MAX_ROW_ID, row_id

router = APIRouter(prefix="/admin/kb", include_in_schema=False)


def _locales(article: Any = None, form: Any = None) -> tuple[str, ...]:
    """The editor's languages: the desk's, every catalog's, and any the article (or the posted
    form) has, so a translation imported in another language is kept when the article is saved."""
    extra = [t.locale for t in article.translations] if article is not None else []
    if form is not None:
        extra += [key[len("title_"):] for key in form if key.startswith("title_")]
    return tuple(dict.fromkeys((*SUPPORTED, *customer_locales(), *extra)))


def _form_translations(form: Any) -> dict[str, TranslationIn]:
    return {
        locale: TranslationIn(
            title=str(form.get(f"title_{locale}", "")),
            body=str(form.get(f"body_{locale}", "")),
            examples=[line for line in str(form.get(f"examples_{locale}", "")).splitlines()
                      if line.strip()],
        )
        for locale in _locales(form=form)
    }


def _article_form(article: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"slug": article.slug, "category": article.category}
    for locale in _locales(article):
        t = article.translation(locale)
        values[f"title_{locale}"] = t.title if t else ""
        values[f"body_{locale}"] = t.body if t else ""
        values[f"examples_{locale}"] = "\n".join(t.examples) if t else ""
    return values


# what the editor says when an article's text holds a secret (it never shows it: the form and
# the preview hold the text with the protect step's marker in its place)
SECRET_KINDS = {"seed_phrase": N_("a recovery phrase in {field}"),
                "private_key": N_("a private key in {field}"),
                "keystore": N_("a private key (keystore file) in {field}")}
SECRET_FIELDS = {"title": N_("the title ({language})"), "body": N_("the body ({language})"),
                 "examples": N_("the example questions ({language})")}
OTHER_SECRET_FIELDS = {"slug": N_("the slug"), "category": N_("the category")}
# Translators: {found} lists what was found where ("a recovery phrase in the body (English)");
# {markers} the markers put in its place, as the text holds them ("“[seed phrase removed]”")
SECRET_PREVIEWED = N_("The article holds {found}: the preview and the form below show the "
                      "text with {markers} in its place. Articles are shown to everyone, so "
                      "an article is never saved with a recovery phrase or private key in it.")
SECRET_REFUSED = N_("Not saved: the article holds {found}. Articles are shown to everyone, so "
                    "they may hold no recovery phrase or private key: the form below shows "
                    "the text with {markers} in its place. Check the text and save again.")
SECRET_STORED = N_("The saved article holds {found}: the form below shows the text with "
                   "{markers} in its place. Save the article to remove it; until then it "
                   "cannot be published.")


def _without_secrets(values: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The form's text with every secret replaced by the protect step's marker (a body also
    as its readers see it: walletdesk.kb.secrets), and what was found where: (field, kind)."""
    clean: dict[str, str] = {}
    found: list[tuple[str, str]] = []
    for key, value in values.items():
        if key in ("action", "article_id") or not value:
            clean[key] = value
            continue
        protected = protect_article_body(value) if key.startswith("body_") \
            else protect_text(value)
        clean[key] = protected.text
        for finding in protected.findings:  # each kind once per field
            if (key, finding.kind) not in found:
                found.append((key, finding.kind))
    return clean, found


def _secrets_said(request: Request, message: str, found: list[tuple[str, str]]) -> str:
    """``message`` with {found} as the page's words: "a recovery phrase in the body (English)
    and a private key in the title (Spanish)"."""
    locale = request_locale(request)
    parts, markers = [], []
    for key, kind in found:
        marker = f"“{SEED_PLACEHOLDER if kind == 'seed_phrase' else KEY_PLACEHOLDER}”"
        if marker not in markers:
            markers.append(marker)
        part, _, tag = key.partition("_")
        field = Phrase(OTHER_SECRET_FIELDS[key]) if key in OTHER_SECRET_FIELDS else \
            Phrase(SECRET_FIELDS.get(part, N_("the body ({language})")),
                   language=language_name(tag, locale))
        parts.append(Phrase(SECRET_KINDS.get(kind, SECRET_KINDS["private_key"]),
                            field=field).translated(locale))
    return Phrase(message, found=format_list(parts, locale=babel_locale(locale)),
                  markers=format_list(markers, style="or", locale=babel_locale(locale))
                  ).translated(locale)


async def _editor(request: Request, templates: Any, signer: Any, agent: Any, *,
                  article: Any = None, values: dict[str, Any] | None = None,
                  versions: list[Any] | None = None, preview: dict[str, Any] | None = None,
                  error: str | None = None, status_code: int = 200,
                  bot_learning: int | None = None) -> Response:
    return templates.TemplateResponse(request, "admin/kb_edit.html", {
        "agent": agent, "article": article, "values": values or {}, "bot_learning": bot_learning,
        "locales": _locales(article, values),
        "versions": versions or [], "preview": preview, "error": error,
        "csrf_token": signer.csrf_token(request.state.session),
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse)
async def kb_list(request: Request, agent: PageManager, services: ServicesDep,
                  signer: SignerDep, templates: TemplatesDep) -> Response:
    async with services.read() as session:
        articles = await all_articles(session)
        feedback = await feedback_by_article(session)
        learning = await learning_seconds(session, services.bot)
    return templates.TemplateResponse(request, "admin/kb.html", {
        "agent": agent, "articles": articles, "feedback": feedback, "bot_learning": learning,
        "csrf_token": signer.csrf_token(request.state.session)})


@router.get("/new", response_class=HTMLResponse)
async def kb_new(request: Request, agent: PageManager, signer: SignerDep,
                 templates: TemplatesDep) -> Response:
    return await _editor(request, templates, signer, agent, values={"category": "general"})


@router.get("/{article_id}", response_class=HTMLResponse)
async def kb_edit(article_id: RowId, request: Request, agent: PageManager, services: ServicesDep,
                  signer: SignerDep, templates: TemplatesDep) -> Response:
    async with services.read() as session:
        article = await article_by_id(session, article_id)
        versions = await article_versions(session, article_id)
        learning = await learning_seconds(session, services.bot)
    values, found = _without_secrets(_article_form(article))
    return await _editor(request, templates, signer, agent, article=article, values=values,
                         versions=versions, bot_learning=learning,
                         error=_secrets_said(request, SECRET_STORED, found) if found else None)


@router.post("")
async def kb_save(request: Request, agent: PageManager, services: ServicesDep,
                  signer: SignerDep, templates: TemplatesDep) -> Response:
    """Save a new or edited article, or (action=preview) show it rendered without saving."""
    form = await request.form()
    # the text as the page may show it again: never a secret (the preview, a refusal)
    values, found = _without_secrets({k: str(v) for k, v in form.items() if k != "csrf_token"})
    translations = _form_translations(values)
    existing = None
    if form.get("article_id"):
        article_id = row_id(form["article_id"])
        if article_id is None:
            return await _editor(request, templates, signer, agent, values=values,
                                 error=said(request, N_("article_id must be a whole number "
                                                        "from 1 to {max}"), max=MAX_ROW_ID),
                                 status_code=422)
        async with services.read() as session:
            existing = await article_by_id(session, article_id)
    if form.get("action") == "preview":
        preview = {locale: {"title": t.title, "body": render_markdown(t.body)}
                   for locale, t in translations.items() if t.title or t.body}
        return await _editor(request, templates, signer, agent, article=existing,
                             values=values, preview=preview,
                             error=_secrets_said(request, SECRET_PREVIEWED, found) if found
                             else None)
    if found:  # refused: the form shows the text with the marker, the admin checks it
        return await _editor(request, templates, signer, agent, article=existing,
                             values=values, error=_secrets_said(request, SECRET_REFUSED, found),
                             status_code=422)
    try:
        async with services.transaction() as session:
            article, _ = await save_article(
                session, agent, slug=existing.slug if existing else values.get("slug", ""),
                category=values.get("category", ""), translations=translations)
    except DomainError as exc:
        return await _editor(request, templates, signer, agent, article=existing,
                             values=values, error=refusal(request, exc), status_code=422)
    return RedirectResponse(f"/admin/kb/{article.id}", status_code=303)


@router.post("/{article_id}/status")
async def kb_status(article_id: RowId, request: Request, agent: PageManager,
                    services: ServicesDep, signer: SignerDep,
                    templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        status = ArticleStatus(str(form.get("status", "")))
    except ValueError:
        return RedirectResponse(f"/admin/kb/{article_id}", status_code=303)
    if status == ArticleStatus.published:  # an imported text may hold a secret readers see
        async with services.read() as session:
            article = await article_by_id(session, article_id)
            values, found = _without_secrets(_article_form(article))
            if found:
                versions = await article_versions(session, article_id)
        if found:
            return await _editor(request, templates, signer, agent, article=article,
                                 values=values, versions=versions, status_code=422,
                                 error=_secrets_said(request, SECRET_STORED, found))
    await set_article_status(services, agent, article_id, status)
    return RedirectResponse(f"/admin/kb/{article_id}", status_code=303)
