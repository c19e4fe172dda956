"""The bot's engine in a running process: built from the published articles in the background.

Each server process holds one ``BotRuntime``. It (re)builds the matching engine off the event
loop, at start-up and whenever the knowledge base changes (a ``kb.changed`` event, which
reaches every process through the bus), and swaps it in when ready; requests only ever use a
finished engine. Until the first build is done the desk routes conversations to people.
"""

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from walletdesk.bot.models import BotConfig
from walletdesk.kb.models import Article
from walletdesk.kb.queries import published_articles
from walletdesk.kb.text import LocalizedArticle, localize

if TYPE_CHECKING:
    from walletdesk.bot.engine import BotEngine, MatchResult
    from walletdesk.services import Services

log = structlog.get_logger(__name__)
REBUILD_DEBOUNCE_S = 1.0


@dataclass(frozen=True)
class BotSettings:
    enabled: bool = True
    sensitive_categories: tuple[str, ...] = ()
    sensitive_phrases: tuple[str, ...] = ()
    max_failed_answers: int = 2


class BotRuntime:
    def __init__(self, default_locale: str = "en") -> None:
        self.default_locale = default_locale
        self.engine: BotEngine | None = None
        self.articles: dict[str, Article] = {}
        self.settings = BotSettings()
        self.built_at: float | None = None
        self.build_seconds: float | None = None
        self._rebuild: asyncio.Task[None] | None = None
        self._dirty = False

    @property
    def ready(self) -> bool:
        return self.engine is not None

    @property
    def active(self) -> bool:
        """Whether new conversations start with the bot."""
        return self.ready and self.settings.enabled and bool(self.articles)

    def article(self, slug: str, locale: str) -> LocalizedArticle | None:
        article = self.articles.get(slug)
        return localize(article, locale, self.default_locale) if article else None

    async def match(self, text: str) -> "MatchResult":
        assert self.engine is not None, "match() needs a built engine; check ready first"
        return await asyncio.to_thread(self.engine.match, text)

    # building ------------------------------------------------------------------------------
    async def rebuild(self, services: "Services", engine: "BotEngine | None" = None) -> None:
        """Reload articles and settings; build the engine unless one is given (tests)."""
        started = time.perf_counter()
        async with services.read() as session:
            articles = await published_articles(session)
            config = await session.get(BotConfig, 1)
        if articles and engine is None:
            from walletdesk.bot.engine import BotEngine

            engine = await asyncio.to_thread(BotEngine.build, entries_from_articles(articles))
        self.articles = {a.slug: a for a in articles}
        self.settings = settings_from_config(config)
        self.engine = engine
        self.built_at = time.time()
        self.build_seconds = round(time.perf_counter() - started, 3)
        log.info("bot_engine_built", articles=len(articles), seconds=self.build_seconds)

    def schedule_rebuild(self, services: "Services") -> None:
        """Rebuild soon, once, however many changes arrive meanwhile."""
        self._dirty = True
        if self._rebuild is None or self._rebuild.done():
            self._rebuild = asyncio.create_task(self._rebuild_loop(services))

    async def _rebuild_loop(self, services: "Services") -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(REBUILD_DEBOUNCE_S)
            try:
                await self.rebuild(services)
            except Exception:
                log.exception("bot_engine_build_failed")

    async def on_event(self, services: "Services", event: dict[str, Any]) -> None:
        if event.get("type") in ("kb.changed", "bot.config_changed"):
            self.schedule_rebuild(services)

    async def stop(self) -> None:
        if self._rebuild is not None:
            self._rebuild.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rebuild


def settings_from_config(config: BotConfig | None) -> BotSettings:
    if config is None:
        return BotSettings()
    return BotSettings(
        enabled=config.enabled,
        sensitive_categories=tuple(config.sensitive_categories or ()),
        sensitive_phrases=tuple(p.lower() for p in config.sensitive_phrases or () if p),
        max_failed_answers=max(1, config.max_failed_answers),
    )


def entries_from_articles(articles: list[Article]) -> "list[Any]":
    from walletdesk.bot.engine import KBEntry

    entries = []
    for article in articles:
        texts = {t.locale: [t.title, *t.examples] for t in article.translations}
        entries.append(KBEntry(id=article.slug, category=article.category, texts_by_locale=texts))
    return entries
