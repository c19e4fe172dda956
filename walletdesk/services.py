"""What every domain action needs: settings, the database and the event bus.

One ``Services`` object is made per process (server, worker, CLI) and passed explicitly.
``transaction()`` is the unit of work of an action: events emitted inside it are published
only after the commit, so no client ever sees a change that was rolled back.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import crypto
from walletdesk.config import Settings
from walletdesk.db.engine import (
    Database,
    DatabaseBusy,
    DatabaseUnavailable,
    has_own_file,
    lost_a_race,
    pool_options,
)
from walletdesk.events.after_commit import AfterCommit
from walletdesk.events.bus import Event, EventBus, make_bus

if TYPE_CHECKING:
    from walletdesk.bot.runtime import BotRuntime

PENDING_EVENTS = "walletdesk_pending_events"
DOMAIN_EVENTS = "walletdesk_domain_events"


def emit(session: AsyncSession, event: Event) -> None:
    """Queue an event for publication once the session's transaction commits."""
    session.info.setdefault(PENDING_EVENTS, []).append(event)


def emit_after_commit(session: AsyncSession, event: Event) -> None:
    """Queue a domain event for this process's after-commit listeners
    (walletdesk.events.after_commit); it is not published to clients."""
    session.info.setdefault(DOMAIN_EVENTS, []).append(event)


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError | OSError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Services:
    def __init__(self, settings: Settings, db: Database | None = None, bus: EventBus | None = None):
        self.settings = settings
        crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
        self.db = db or Database(settings.database_url, **pool_options(settings))
        # SQLite: long reads (reports, the rollup's counting) on connections of their own,
        # so they never hold the one that writes (read_apart)
        self.reader = Database(self.db.url, read_only=True) \
            if self.db.url.startswith("sqlite") and has_own_file(self.db.url) else self.db
        # reports may read from a replica (settings.reports_database_url; docs/reports.md)
        self.reports_db = Database(settings.reports_database_url, **pool_options(settings)) \
            if settings.reports_database_url else self.reader
        self.bus = bus or make_bus(settings.redis_url, settings.database_url)
        # set by the server process that runs the bot (walletdesk.web.app)
        self.bot: BotRuntime | None = None
        self.after_commit = AfterCommit()
        # the composition root: every domain's after-commit listeners (imported here, late,
        # because they import the actions that import this module)
        from walletdesk.listeners import subscribe_listeners

        subscribe_listeners(self.after_commit)

    @asynccontextmanager
    async def transaction(self, *, defer_listeners: bool = False) -> AsyncIterator[AsyncSession]:
        """``defer_listeners``: the after-commit listeners run in the background instead of
        before this block is left (the chat socket's hot path)."""
        events: list[Event] = []
        domain_events: list[Event] = []
        try:
            async with self.db.sessionmaker() as session:
                async with session.begin():
                    yield session
                events = session.info.pop(PENDING_EVENTS, [])
                domain_events = session.info.pop(DOMAIN_EVENTS, [])
        except Exception as exc:
            unavailable = self._unavailable(exc)
            if unavailable is None:
                raise
            raise unavailable from exc
        for event in events:
            await self.bus.publish(event)
        if not domain_events:
            return
        if defer_listeners:
            self.after_commit.defer(self, domain_events)
        else:
            await self.after_commit.run(self, domain_events)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; connection failures become DatabaseUnavailable."""
        async with self._session_on(self.db) as session:
            yield session

    @asynccontextmanager
    async def read_apart(self) -> AsyncIterator[AsyncSession]:
        """A read-only session that never holds the writing connection: on SQLite a reading
        connection of its own (a snapshot of the committed data; WAL), elsewhere the pool's."""
        async with self._session_on(self.reader) as session:
            yield session

    @asynccontextmanager
    async def read_reports(self) -> AsyncIterator[AsyncSession]:
        """A read-only session for the reports: on the replica when one is configured, on
        SQLite apart from the writing connection."""
        async with self._session_on(self.reports_db) as session:
            yield session

    @asynccontextmanager
    async def _session_on(self, database: Database) -> AsyncIterator[AsyncSession]:
        try:
            async with database.sessionmaker() as session:
                yield session
        except Exception as exc:
            unavailable = self._unavailable(exc)
            if unavailable is None:
                raise
            raise unavailable from exc

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable | None:
        """What a database failure means to the caller: overloaded (a pool connection did not
        come free in time) or a race lost to another transaction (rolled back, nothing
        written): "busy, retry" (walletdesk.web.load_shedding); the database out of reach:
        unavailable; None: another error, raised as it is."""
        if isinstance(exc, PoolTimeout):
            return DatabaseBusy("pool", self.settings.busy_retry_after_s)
        if lost_a_race(exc):
            return DatabaseBusy("race", self.settings.busy_retry_after_s)
        if _is_connection_error(exc):
            return DatabaseUnavailable(str(exc.__class__.__name__))
        return None

    async def start(self) -> None:
        await self.bus.start()

    async def stop(self) -> None:
        await self.after_commit.stop()
        await self.bus.stop()
        await self.db.dispose()
        if self.reader is not self.db:
            await self.reader.dispose()
        if self.reports_db is not self.db and self.reports_db is not self.reader:
            await self.reports_db.dispose()
