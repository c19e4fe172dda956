"""The database engine and sessions: SQLite (aiosqlite) embedded, PostgreSQL (asyncpg) in production."""

import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from walletdesk.config import Settings


class DatabaseUnavailable(Exception):
    """The database could not be reached; the caller may retry the same request."""


class DatabaseBusy(DatabaseUnavailable):
    """No pool connection came free in time (the process is overloaded), or the transaction
    lost a race to another and was rolled back (``lost_a_race``). Answered "busy, retry after
    ``retry_after_s``" at once (load shedding) rather than queued for longer."""

    def __init__(self, detail: str, retry_after_s: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


# PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back
# and may simply run again
RACE_SQLSTATES = frozenset({"40P01", "40001"})


def lost_a_race(exc: BaseException) -> bool:
    """A database error that only says another transaction got there first (retry it)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in RACE_SQLSTATES


# drivers whose messages quote the values of a failed statement (asyncpg: "invalid input for
# query argument $1: 'Li Wei'", "DETAIL: Key (email)=(li@example.com) already exists")
DRIVER_MODULES = ("asyncpg", "sqlite3", "aiosqlite", "psycopg")


def _is_database_error(exc: BaseException) -> bool:
    return isinstance(exc, StatementError) or \
        type(exc).__module__.split(".", 1)[0] in DRIVER_MODULES


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and its causes, with every database error's message replaced
    by its class and, for SQLAlchemy's, the SQL without values: safe to log."""
    parts: list[str] = []
    seen: set[int] = set()
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, CONTEXT
        else:
            current = None
    for item, link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        name = f"{type(item).__module__}.{type(item).__qualname__}"
        if isinstance(item, StatementError):
            parts.append(f"{name}: [database error; values hidden]\n[SQL: {item.statement}]\n")
        elif _is_database_error(item):
            parts.append(f"{name}: [database error; values hidden]\n")
        else:
            parts.extend(traceback.format_exception_only(item))
        if link:
            parts.append(link)
    return "".join(parts).rstrip("\n")


CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """``read_only`` (SQLite): connections that read a snapshot and never take the write
    lock, beside the writing one (WAL lets them read while it writes)."""
    # a failed statement's parameters are password hashes, names, message texts: never in
    # an exception message, so never in a log (see also redacted_traceback)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # SQLite has one writer at a time. One connection per process makes transactions
        # queue in asyncio instead of sleeping in SQLite's busy handler (tens of ms each);
        # other processes (worker, CLI) still wait on the lock through busy_timeout.
        kwargs.setdefault("pool_size", READERS if read_only else 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 30)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine, read_only=read_only)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    # no ping per checkout: it is a round trip on every transaction of the hot path. A
    # connection that died meanwhile fails its first statement; SQLAlchemy then invalidates
    # the pool, the request answers DatabaseUnavailable ("retry") and the retry gets a new one
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_timeout", 10)
    return create_async_engine(url, **kwargs)


# how long a transaction waits for a connection before it fails "busy" (the requests and
# frames let in are bounded by walletdesk.web.load_shedding, so this is a backstop; background
# work — listeners, jobs — waits as long)
POOL_TIMEOUT_S = 5.0
SQLITE_POOL_TIMEOUT_S = 10.0
READERS = 2  # SQLite: reading connections beside the writing one (reports, the rollup)


def has_own_file(url: str) -> bool:
    """A SQLite URL naming a file (an in-memory database is seen by its one connection only)."""
    database = url.split("///", 1)[1] if "///" in url else ""
    return bool(database) and database != ":memory:" and "mode=memory" not in database


def pool_options(settings: "Settings") -> dict[str, Any]:
    """The engine's pool from the settings (docs/operate.md). SQLite keeps its one connection."""
    timeout = settings.database_pool_timeout_s
    if timeout is None:
        timeout = SQLITE_POOL_TIMEOUT_S if settings.is_sqlite else POOL_TIMEOUT_S
    options: dict[str, Any] = {"pool_timeout": timeout}
    if not settings.is_sqlite:
        options.update(pool_size=settings.database_pool_size,
                       max_overflow=settings.database_max_overflow)
    return options


def _configure_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    # Writers take the lock at BEGIN (IMMEDIATE) so two processes never deadlock on a
    # lock upgrade; WAL lets readers go on meanwhile. This is the SQLAlchemy-documented recipe.
    # A reading connection begins DEFERRED: its statements share one snapshot, no lock held.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            return
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # deleted and rewritten rows (a secret removed from an earlier message) are zeroed,
        # not left readable in free pages (docs/safety.md)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory; created once per process."""

    def __init__(self, url: str, *, read_only: bool = False, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, read_only=read_only, **engine_kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
