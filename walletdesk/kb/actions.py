"""Writing the knowledge base: save (with a version snapshot), publish, retire, import."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid, NotFound
from walletdesk.i18n import N_, Phrase, kb_locale
from walletdesk.kb.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
)
from walletdesk.kb.secrets import protect_article_body
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services, emit

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
MAX_BODY_CHARS = 50_000
MAX_EXAMPLES = 200
KB_CHANGED = {"type": "kb.changed"}
# Translators: a line of an imported file that was skipped, and why
LINE_REFUSED = N_("line {number}: {problem}")


@dataclass
class TranslationIn:
    title: str
    body: str = ""
    examples: list[str] = field(default_factory=list)


def unix_newlines(text: str) -> str:
    """Line ends as ``\\n``. Browsers submit a textarea's text with ``\\r\\n`` (the HTML
    standard), files and the API mostly with ``\\n``: saved as sent, an unchanged body saved
    from the editor differed from its imported self (a new version and a ``kb.changed`` for
    nothing) and bodies differed by where they were written."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean_translations(translations: dict[str, TranslationIn]) -> dict[str, TranslationIn]:
    cleaned: dict[str, TranslationIn] = {}
    for tag, text in translations.items():
        try:  # any language: a BCP-47 tag (fr, pt-BR), not only the desk's own languages
            locale = kb_locale(tag)
        except ValueError as exc:
            raise Invalid("locale: {reason}; use a language tag such as en, zh-Hans, pt-BR",
                          reason=str(exc)) \
                from None
        title = text.title.strip()
        body = unix_newlines(text.body)
        if not title and not body.strip():
            continue  # an empty locale is no translation
        if not title:
            raise Invalid("{locale}: a title is required", locale=locale)
        if len(title) > 300 or len(body) > MAX_BODY_CHARS:
            raise Invalid("{locale}: title ≤ 300 and body ≤ {body_max} characters", locale=locale,
                          body_max=MAX_BODY_CHARS)
        examples = [e.strip() for e in text.examples if e and e.strip()][:MAX_EXAMPLES]
        # articles are shown to everyone: the protect step applies to them too
        cleaned[locale] = TranslationIn(
            protect_text(title).text, protect_article_body(body.strip()).text,
            [protect_text(e).text[:500] for e in examples])
    if not cleaned:
        raise Invalid("an article needs a title in at least one locale")
    return cleaned


def _snapshot(article: Article) -> dict[str, Any]:
    return {t.locale: {"title": t.title, "body": t.body, "examples": list(t.examples)}
            for t in article.translations}


async def save_article(session: AsyncSession, actor: Agent | None, *, slug: str, category: str,
                       translations: dict[str, TranslationIn],
                       status: ArticleStatus | None = None) -> tuple[Article, bool]:
    """Create or update the article ``slug``. Returns (article, changed)."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise Invalid("slug: lowercase letters, digits, '.', '_' and '-' (max 120)")
    category = (category or "general").strip()[:80] or "general"
    cleaned = _clean_translations(translations)
    article = await session.scalar(select(Article).where(Article.slug == slug))
    created = article is None
    if article is None:
        article = Article(slug=slug, category=category, status=status or ArticleStatus.draft,
                          version=0, translations=[])
        session.add(article)
    before = (_snapshot(article), article.category, article.status)
    article.category = category
    if status is not None:
        article.status = status
    by_locale = {t.locale: t for t in article.translations}
    for locale, text in cleaned.items():
        row = by_locale.get(locale)
        if row is None:
            article.translations.append(ArticleTranslation(
                locale=locale, title=text.title, body=text.body, examples=text.examples))
        else:
            row.title, row.body, row.examples = text.title, text.body, text.examples
    for locale, row in by_locale.items():
        if locale not in cleaned:
            article.translations.remove(row)
    await session.flush()
    changed = created or before != (_snapshot(article), article.category, article.status)
    if changed:
        article.version += 1
        article.updated_at = utcnow()
        session.add(ArticleVersion(article_id=article.id, version=article.version,
                                   status=article.status, category=article.category,
                                   content=_snapshot(article),
                                   author_agent_id=actor.id if actor else None))
        record_audit(session, actor_agent_id=actor.id if actor else None,
                     action="article.create" if created else "article.update",
                     target_type="article", target_id=article.slug,
                     detail={"version": article.version, "status": article.status})
        emit(session, KB_CHANGED)
    return article, changed


async def set_article_status(services: Services, actor: Agent, article_id: int,
                             status: ArticleStatus) -> Article:
    """Publish, retire or return an article to draft."""
    async with services.transaction() as session:
        article = await session.get(Article, article_id)
        if article is None:
            raise NotFound("article not found")
        article, _ = await save_article(
            session, actor, slug=article.slug, category=article.category,
            translations={t.locale: TranslationIn(t.title, t.body, list(t.examples))
                          for t in article.translations},
            status=ArticleStatus(status))
        return article


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # one per skipped line: English as a string (the CLI), a page's words with ``translated``
    errors: list[Phrase] = field(default_factory=list)


def parse_jsonl_line(line: str) -> tuple[str, str, dict[str, TranslationIn]]:
    """One line of the wallet_faq kb.jsonl format: id, category, title/answer/examples."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Invalid("not valid JSON: {reason}", reason=exc.msg) from exc
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise Invalid('each line must be a JSON object with a string "id"')
    titles = record.get("title") or {}
    answers = record.get("answer") or record.get("body") or {}
    examples = record.get("examples") or {}
    if not all(isinstance(v, dict) for v in (titles, answers, examples)):
        raise Invalid("title, answer and examples must be objects keyed by locale")
    translations = {}
    # sorted: every process reads the examples in one order (the bot's fit depends on it)
    for locale in sorted(set(titles) | set(answers) | set(examples)):
        locale_examples = examples.get(locale) or []
        if not isinstance(locale_examples, list):
            raise Invalid("examples.{locale} must be a list", locale=locale)
        translations[locale] = TranslationIn(
            str(titles.get(locale) or ""), str(answers.get(locale) or ""),
            [str(e) for e in locale_examples])
    return record["id"], str(record.get("category") or "general"), translations


async def import_articles(services: Services, lines: Iterable[str], *,
                          publish: bool = True) -> ImportReport:
    """Import JSON Lines; re-importing updates what changed and leaves the rest alone."""
    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            slug, category, translations = parse_jsonl_line(line)
            async with services.transaction() as session:
                existing = await session.scalar(select(Article.id).where(Article.slug == slug))
                # new articles are published; existing ones keep their status (a retired
                # article stays retired when the file is imported again)
                article, changed = await save_article(
                    session, None, slug=slug, category=category, translations=translations,
                    status=ArticleStatus.published if publish and existing is None else None)
                if existing is None:  # like the status: an admin's later choice is kept
                    article.needs_account = bool(json.loads(line).get("needs_account"))
        except Invalid as exc:
            report.errors.append(Phrase(LINE_REFUSED, number=number, problem=exc.detail))
            continue
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


async def record_feedback(services: Services, article_id: int, locale: str,
                          helpful: bool) -> None:
    async with services.transaction() as session:
        article = await session.get(Article, article_id)
        if article is None or article.status != ArticleStatus.published:
            raise NotFound("article not found")
        session.add(ArticleFeedback(article_id=article.id, locale=locale[:16], helpful=helpful))
