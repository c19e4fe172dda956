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
from walletdesk.db.engine import Database, DatabaseUnavailable
from walletdesk.events.bus import Event, EventBus, make_bus

if TYPE_CHECKING:
    from walletdesk.bot.runtime import BotRuntime

PENDING_EVENTS = "walletdesk_pending_events"


def emit(session: AsyncSession, event: Event) -> None:
    """Queue an event for publication once the session's transaction commits."""
    session.info.setdefault(PENDING_EVENTS, []).append(event)


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError | OSError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Services:
    def __init__(self, settings: Settings, db: Database | None = None, bus: EventBus | None = None):
        self.settings = settings
        crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
        self.db = db or Database(settings.database_url)
        self.bus = bus or make_bus(settings.redis_url)
        # set by the server process that runs the bot (walletdesk.web.app)
        self.bot: BotRuntime | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        events: list[Event] = []
        try:
            async with self.db.sessionmaker() as session:
                async with session.begin():
                    yield session
                events = session.info.pop(PENDING_EVENTS, [])
        except Exception as exc:
            if _is_connection_error(exc):
                raise DatabaseUnavailable(str(exc.__class__.__name__)) from exc
            raise
        for event in events:
            await self.bus.publish(event)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; connection failures become DatabaseUnavailable."""
        try:
            async with self.db.sessionmaker() as session:
                yield session
        except Exception as exc:
            if _is_connection_error(exc):
                raise DatabaseUnavailable(str(exc.__class__.__name__)) from exc
            raise

    async def start(self) -> None:
        await self.bus.start()

    async def stop(self) -> None:
        await self.bus.stop()
        await self.db.dispose()
