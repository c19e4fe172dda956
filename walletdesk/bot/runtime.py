"""The bot's engine in a running process: loaded or built from the published articles.

Each server process holds one ``BotRuntime``. At start-up and whenever the knowledge base
changes (a ``kb.changed`` event, which reaches every process through the bus) it computes the
knowledge base's key and loads the engine saved under it (walletdesk.bot.engine_store), or —
one process at a time — builds and saves it, off the event loop; the engine in service keeps
answering until the new one is ready, then they are swapped. Until a first engine is ready
(a cold start: no saved engine yet) a lexical stand-in (walletdesk.bot.lexical) answers the
questions it is sure of, instead of every conversation going to people.

What the engine in service has learnt lags an edit by its build: the answers' words are read
from the database when the bot answers (walletdesk.bot.articles), a newly published article is
answered meanwhile where the lexical stand-in is sure of it (``NewArticles``), and the admin
pages say that the bot is still learning a change, and for about how long
(``learning_seconds``).
"""

import asyncio
import contextlib
import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog

from walletdesk.bot.models import BotConfig
from walletdesk.db.base import utcnow
from walletdesk.kb.models import Article
from walletdesk.kb.queries import last_change_at, published_articles
from walletdesk.kb.text import LocalizedArticle, localize

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from walletdesk.bot.engine import BotEngine, KBEntry, MatchResult
    from walletdesk.bot.engine_store import EngineStore
    from walletdesk.bot.lexical import LexicalDocument, LexicalMatcher
    from walletdesk.services import Services

log = structlog.get_logger(__name__)
REBUILD_DEBOUNCE_S = 1.0
BUILDER_WAIT_S = 0.5  # how often a process checks for the file another one is building
EXPECTED_BUILD_S = 60.0  # a build's length before this process has timed one
MIN_LEFT_S = 5  # "about N s" never says less while the change is still being learnt


@dataclass(frozen=True)
class NewArticles:
    """Published articles the engine in service has not learnt yet, and the lexical stand-in
    over every published article that answers them until it has. Only its answers with a new
    article replace the engine's: over the development sets with a tenth of the articles held
    out of the engine (2 draws each), they answered 33 of the 180 questions about the new
    articles, all right, and 1 of 1,754 other in-scope questions and none of 462 off-topic ones
    (which the engine had answered right)."""

    slugs: frozenset[str]
    matcher: "LexicalMatcher"


@dataclass(frozen=True)
class BotSettings:
    enabled: bool = True
    sensitive_categories: tuple[str, ...] = ()
    sensitive_phrases: tuple[str, ...] = ()
    max_failed_answers: int = 2


class BotRuntime:
    def __init__(self, default_locale: str = "en", store: "EngineStore | None" = None) -> None:
        self.default_locale = default_locale
        self.engine: BotEngine | None = None
        self.engine_key: str | None = None
        # answers while no engine is ready yet (a cold start), see walletdesk.bot.lexical
        self.fallback: LexicalMatcher | None = None
        # while a new engine is built: the published articles the engine in service lacks
        self.newer: NewArticles | None = None
        self.articles: dict[str, Article] = {}
        self.settings = BotSettings()
        self.built_at: float | None = None
        self.build_seconds: float | None = None
        # when the articles the engine in service learnt were read (UTC), and how long this
        # process's last build took (a saved engine loads in a second): learning_seconds
        self.learnt_at: datetime | None = None
        self.last_build_s: float | None = None
        self.store = store  # None: the directory of the settings (engine_store.engine_directory)
        self._rebuild: asyncio.Task[None] | None = None
        self._models: asyncio.Task[None] | None = None
        self._dirty = False

    @property
    def ready(self) -> bool:
        return self.engine is not None or self.fallback is not None

    @property
    def active(self) -> bool:
        """Whether new conversations start with the bot."""
        return self.ready and self.settings.enabled and bool(self.articles)

    def article(self, slug: str, locale: str) -> LocalizedArticle | None:
        """An article as the engine in service learnt it (its answers read the current one:
        walletdesk.bot.articles)."""
        article = self.articles.get(slug)
        return localize(article, locale, self.default_locale) if article else None

    def localize(self, article: Article, locale: str) -> LocalizedArticle | None:
        return localize(article, locale, self.default_locale)

    async def match(self, text: str) -> "MatchResult":
        engine, fallback = self.engine, self.fallback
        if engine is not None:
            result = await asyncio.to_thread(engine.match, text)
            newer = self.newer
            if newer is not None:
                found = await asyncio.to_thread(newer.matcher.match, text)
                if found.decision == "answer" and found.candidates[0][0] in newer.slugs:
                    log.info("bot_lexical_new_article", confidence=round(found.confidence, 3))
                    result = found  # an article published since the engine was built
            return self._screen_sensitive(text, result)
        assert fallback is not None, "match() needs an engine or the fallback; check ready first"
        result = await asyncio.to_thread(fallback.match, text)
        # the stand-in answered (or not): visible in the logs, and in the turn's reason
        log.info("bot_lexical_fallback", decision=result.decision,
                 confidence=round(result.confidence, 3))
        return self._screen_sensitive(text, result)

    def _screen_sensitive(self, text: str, result: "MatchResult") -> "MatchResult":
        """A hand-off for a sensitive topic (walletdesk.bot.sensitive: the operator's phrases in
        any wording), whatever the match: also where it would have handed off as out of scope
        (a knowledge base without the article), so the agent and the content gaps see why.
        The candidates stay: the turn keeps what was matched (labels follow its category)."""
        from walletdesk.bot.sensitive import SENSITIVE_TOPIC, names_sensitive_topic

        if result.reason in ("empty", SENSITIVE_TOPIC) \
                or not names_sensitive_topic(text, self.settings.sensitive_phrases):
            return result
        return dataclasses.replace(result, decision="handoff", reason=SENSITIVE_TOPIC)

    # building ------------------------------------------------------------------------------
    async def rebuild(self, services: "Services", engine: "BotEngine | None" = None) -> None:
        """Reload articles and settings; load or build the engine unless one is given (tests).

        The engine in service (and its articles) keeps answering until the new one is ready.
        """
        started = time.perf_counter()
        read_at = utcnow()
        async with services.read() as session:
            articles = await published_articles(session)
            config = await session.get(BotConfig, 1)
        self.settings = settings_from_config(config)
        if engine is not None or not articles:
            self._serve(articles, engine, None, started, read_at)
            return
        entries = entries_from_articles(articles)
        from walletdesk.bot.engine_store import knowledge_base_key

        key = await asyncio.to_thread(knowledge_base_key, entries)
        if key == self.engine_key and self.engine is not None:
            self.articles = {a.slug: a for a in articles}  # settings, or Markdown marks of a body
            self.learnt_at = read_at
            return
        if self.engine is None:  # no engine yet: the lexical stand-in answers meanwhile
            if self._models is None:  # the models load beside it (their first use takes 5 s)
                self._models = asyncio.create_task(asyncio.to_thread(warm_models))
            self.fallback = await asyncio.to_thread(lexical_matcher, articles)
            self.articles = {a.slug: a for a in articles}
            log.info("bot_lexical_fallback_ready", articles=len(articles),
                     seconds=round(time.perf_counter() - started, 3))
        else:  # the engine in service answers meanwhile; the stand-in its new articles
            unknown = {a.slug for a in articles} - set(getattr(self.engine, "classes", ()))
            self.newer = NewArticles(frozenset(unknown), await asyncio.to_thread(
                lexical_matcher, articles)) if unknown else None
        if self._models is not None:
            await self._models
        built = await self._load_or_build(services, key, entries)
        self._serve(articles, built, key, started, read_at)

    def _serve(self, articles: list[Article], engine: "BotEngine | None", key: str | None,
               started: float, read_at: datetime) -> None:
        self.articles = {a.slug: a for a in articles}
        self.engine, self.engine_key = engine, key
        self.fallback = self.newer = None
        self.learnt_at = read_at
        self.built_at = time.time()
        self.build_seconds = round(time.perf_counter() - started, 3)
        log.info("bot_engine_ready", articles=len(articles), seconds=self.build_seconds)

    async def _load_or_build(self, services: "Services", key: str,
                             entries: "list[KBEntry]") -> "BotEngine":
        """The engine saved under ``key``; else built here (and saved) by the one process
        that holds the builder lock, while the others wait for its file."""
        from walletdesk.bot.engine import BotEngine
        from walletdesk.bot.engine_store import EngineStore, engine_directory

        store = self.store or EngineStore(engine_directory(services.settings))
        while True:
            loaded = await asyncio.to_thread(load_warm, store, key)
            if loaded is not None:
                # a saved engine says how long it took to build: the next change's estimate
                self.last_build_s = self.last_build_s or getattr(loaded, "build_s", None)
                return loaded
            with store.builder_lock() as builder:
                if builder:
                    loaded = await asyncio.to_thread(load_warm, store, key)  # saved meanwhile?
                    if loaded is not None:
                        return loaded
                    began = time.perf_counter()
                    built = await asyncio.to_thread(BotEngine.build, entries)
                    self.last_build_s = built.build_s = time.perf_counter() - began
                    await asyncio.to_thread(store.save, key, built)
                    return built
            await asyncio.sleep(BUILDER_WAIT_S)  # another process builds it: wait for its file

    def schedule_rebuild(self, services: "Services", delay: float = REBUILD_DEBOUNCE_S) -> None:
        """Rebuild soon, once, however many changes arrive meanwhile (``delay`` 0 at start)."""
        self._dirty = True
        if self._rebuild is None or self._rebuild.done():
            self._rebuild = asyncio.create_task(self._rebuild_loop(services, delay))

    async def _rebuild_loop(self, services: "Services", delay: float) -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(delay)
            delay = REBUILD_DEBOUNCE_S
            try:
                await self.rebuild(services)
            except Exception:
                log.exception("bot_engine_build_failed")

    async def on_event(self, services: "Services", event: dict[str, Any]) -> None:
        if event.get("type") in ("kb.changed", "bot.config_changed"):
            self.schedule_rebuild(services)

    def learning_seconds(self, changed_at: datetime | None) -> int | None:
        """About how many seconds until the engine has learnt the knowledge base as it was
        changed at ``changed_at`` (its newest change); None when it has, or has no articles
        yet. The estimate is this process's last build (or ``EXPECTED_BUILD_S``) less the
        time since the change."""
        if changed_at is None or self.learnt_at is None:
            return None
        if changed_at.tzinfo is None:  # SQLite keeps no time zone: the desk writes UTC
            changed_at = changed_at.replace(tzinfo=UTC)
        if changed_at <= self.learnt_at:
            return None
        since = (utcnow() - changed_at).total_seconds()
        return max(MIN_LEFT_S, round((self.last_build_s or EXPECTED_BUILD_S) - since))

    async def stop(self) -> None:
        for task in (self._rebuild, self._models):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def warm_models() -> None:
    """Load what every engine uses: the sentence encoders, jieba, the language detector."""
    from walletdesk.bot.engine import embed
    from walletdesk.bot.text import tokens

    try:
        tokens("钱包备份")
        embed(["how do I back up my wallet", "钱包怎么备份"])
    except Exception:  # the build or the load reports it where it matters
        log.exception("bot_models_not_loaded")


def lexical_matcher(articles: list[Article]) -> "LexicalMatcher":
    from walletdesk.bot.lexical import LexicalMatcher
    from walletdesk.bot.text import detect_language

    detect_language("warm up")  # the detector is built on first use (1 s)
    return LexicalMatcher(lexical_documents(articles))


def load_warm(store: "EngineStore", key: str) -> "BotEngine | None":
    engine = store.load(key)
    if engine is not None:
        warm_up(engine)
        log.info("bot_engine_loaded", file=store.path(key).name)
    return engine


def warm_up(engine: "BotEngine") -> None:
    """Load the models a loaded engine uses (sentence encoders, jieba, the language detector)
    before it serves, so its first question is answered at its usual speed."""
    for question in ("how do I back up my wallet", "钱包怎么备份"):
        engine.match(question)


def settings_from_config(config: BotConfig | None) -> BotSettings:
    if config is None:
        return BotSettings()
    return BotSettings(
        enabled=config.enabled,
        sensitive_categories=tuple(config.sensitive_categories or ()),
        sensitive_phrases=tuple(p.lower() for p in config.sensitive_phrases or () if p),
        max_failed_answers=max(1, config.max_failed_answers),
    )


def entries_from_articles(articles: list[Article]) -> "list[KBEntry]":
    from walletdesk.bot.engine import KBEntry, passages_of
    from walletdesk.kb.text import markdown_to_chat_text

    entries = []
    for article in articles:
        texts = {t.locale: [t.title, *t.examples] for t in article.translations}
        passages = [p for t in article.translations if t.body
                    for p in passages_of(markdown_to_chat_text(t.body))]
        entries.append(KBEntry(id=article.slug, category=article.category, texts_by_locale=texts,
                               passages=passages))
    return entries


def lexical_documents(articles: list[Article]) -> "list[LexicalDocument]":
    from walletdesk.bot.lexical import LexicalDocument

    return [LexicalDocument(
        slug=article.slug,
        questions=[text for t in article.translations for text in (t.title, *t.examples)],
        bodies=[t.body for t in article.translations if t.body])
        for article in articles]


async def learning_seconds(session: "AsyncSession", runtime: BotRuntime | None) -> int | None:
    """For the knowledge-base admin pages: about how many seconds until the bot has learnt the
    last change to the articles (None: it has, or there is no bot in this process)."""
    if runtime is None:
        return None
    return runtime.learning_seconds(await last_change_at(session))
