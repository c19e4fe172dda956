"""PostgreSQL: a chat writer's own connection for the usual batch (one message per
conversation), its two statements run on asyncpg directly (walletdesk.conversations.chat).

Through SQLAlchemy each batch paid for a pool checkout, the compiled statements' parameter
processing and result rows, and BEGIN/COMMIT through the asyncpg adapter: most of the writer's
CPU. Here a writer task keeps one connection, prepares the UPDATE … unnest and INSERT … unnest
once on it, and runs them in one asyncpg transaction; nothing else changes (the same checks,
ON CONFLICT, the sender's name encrypted by the column's type, by the caller).

The connection is the engine's own, checked out of its pool (``get_raw_connection``): the same
URL, connect arguments and server settings as every other connection, counted in the pool's
size, so an exhausted pool still answers "busy" and a small pool is not emptied by the writers:
a writer keeps its connection while messages come, as long as the pool has room for another
connection, and gives it back once idle (``IDLE_RELEASE_S``, walletdesk.conversations.chat) or
when the pool is full (the SQLAlchemy paths of a batch take theirs from the pool too). The
prepared statements live in the pooled connection's ``info`` (as long as the connection):
prepared once per connection, not per checkout. A connection found closed is replaced before
the next batch; one that fails during a batch is invalidated (the batch is the caller's to
answer, as any failed batch) and replaced on the next.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg
import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from walletdesk.conversations.models import SenderKind, Status
from walletdesk.db.engine import RACE_SQLSTATES

log = structlog.get_logger(__name__)
PREPARED = "walletdesk.chat_statements"  # the key of the statements in a connection's info

# the same statements as chat._update_from_arrays and chat._insert_from_arrays (the SQLAlchemy
# path of a batch that notes customers as seen); the statuses are parameters ($5, $6)
UPDATE_FROM_ARRAYS = """
UPDATE conversations
SET last_seq = conversations.last_seq + 1, last_message_preview = batch.preview,
    updated_at = $4::timestamptz, last_message_at = $4::timestamptz
FROM unnest($1::integer[], $2::integer[], $3::varchar[]) AS batch(id, customer_id, preview)
WHERE conversations.id = batch.id AND conversations.customer_id = batch.customer_id
  AND conversations.status = ANY($5::varchar[])
  AND (conversations.status != $6::varchar OR conversations.team_id IS NOT NULL)
RETURNING conversations.id, conversations.last_seq, conversations.status,
          conversations.team_id, conversations.assignee_id, conversations.snoozed_at
"""
INSERT_FROM_ARRAYS = """
INSERT INTO messages (conversation_id, seq, sender_kind, sender_name, text, is_internal,
                      client_id, created_at)
SELECT batch.conversation_id, batch.seq, $6::varchar, batch.sender_name, batch.text, false,
       batch.client_id, $7::timestamptz
FROM unnest($1::integer[], $2::integer[], $3::text[], $4::text[], $5::varchar[])
     AS batch(conversation_id, seq, sender_name, text, client_id)
ON CONFLICT (conversation_id, client_id) DO NOTHING
RETURNING messages.id, messages.conversation_id
"""


class MovedOn(NamedTuple):
    """A conversation after its UPDATE (read by attribute, as SQLAlchemy's rows)."""

    id: int
    last_seq: int
    status: str
    team_id: int | None
    assignee_id: int | None
    snoozed_at: datetime | None


class BatchConnection:
    """One writer task's connection, its statements prepared once (see the module)."""

    def __init__(self, engine: AsyncEngine, quiet_statuses: tuple[Status, ...],
                 pool_capacity: int) -> None:
        self.engine = engine
        self.pool_capacity = pool_capacity  # its size and overflow: kept while others fit
        self.quiet_statuses = [str(status) for status in quiet_statuses]
        self._connection: AsyncConnection | None = None
        self._raw: asyncpg.Connection | None = None
        self._update: Any = None  # asyncpg.PreparedStatement
        self._insert: Any = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    @property
    def pid(self) -> int | None:
        """The server process of the connection held (None: none yet)."""
        return None if self._raw is None or self._raw.is_closed() else self._raw.get_server_pid()

    async def _ready(self) -> asyncpg.Connection:
        if self._raw is not None and self._raw.is_closed():  # died between batches
            log.warning("chat_connection_replaced")
            await self.drop()
        while self._raw is None:
            connection = await self.engine.connect()  # PoolTimeout: "busy", as before
            try:
                raw = (await connection.get_raw_connection()).driver_connection
                assert isinstance(raw, asyncpg.Connection)
                if raw.is_closed():  # died in the pool: another (a new one, in the end)
                    await _invalidate(connection)
                    continue
                if PREPARED not in connection.info:  # (a new connection: dropped with it)
                    connection.info[PREPARED] = (await raw.prepare(UPDATE_FROM_ARRAYS),
                                                 await raw.prepare(INSERT_FROM_ARRAYS))
            except BaseException:
                await _invalidate(connection)
                raise
            self._connection, self._raw = connection, raw
            self._update, self._insert = connection.info[PREPARED]
        return self._raw

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One transaction: committed when the block ends, rolled back if it raises. A server
        error is raised as SQLAlchemy raises it (a DBAPIError whose ``orig`` has the
        SQLSTATE: ``lost_a_race`` reads it); after any failure but a lost race or the
        block's own exception the connection is dropped, replaced on the next batch."""
        raw = await self._ready()
        transaction = raw.transaction()
        try:
            await transaction.start()
            try:
                yield
            except Exception:
                await transaction.rollback()
                raise
            await transaction.commit()
            pool: Any = self.engine.pool
            if pool.checkedout() >= self.pool_capacity:  # full: back for the others
                await self.release()
        except asyncpg.PostgresError as exc:
            if exc.sqlstate not in RACE_SQLSTATES:
                await self.drop()  # (a plan made stale by a migration, too: prepared again)
            raise DBAPIError("chat batch", None, exc, hide_parameters=True) from exc
        except BaseException as exc:  # the block's own (rolled back), or the connection's
            if raw.is_closed() or raw.is_in_transaction() or isinstance(
                    exc, asyncpg.InterfaceError | OSError | asyncio.CancelledError):
                await self.drop()  # dead, broken or cancelled midway
            raise

    async def update(self, ids: list[int], customer_ids: list[int], previews: list[str],
                     now: datetime) -> dict[int, MovedOn]:
        """The conversations moved on by one (those still in a state the message does not
        change, of that customer), by id."""
        rows = await self._update.fetch(ids, customer_ids, previews, now,
                                        self.quiet_statuses, str(Status.queued))
        return {row[0]: MovedOn(*row) for row in rows}

    async def insert(self, conversation_ids: list[int], seqs: list[int],
                     sender_names: list[str | None], texts: list[str],
                     client_ids: list[str | None], now: datetime) -> dict[int, int]:
        """The messages stored, message id by conversation id (a retry of a stored message
        is skipped by ON CONFLICT and missing here)."""
        rows = await self._insert.fetch(conversation_ids, seqs, sender_names, texts, client_ids,
                                        str(SenderKind.customer), now)
        return {row[1]: row[0] for row in rows}

    async def drop(self) -> None:
        """Invalidate the connection (closed at once, never back in the pool)."""
        connection, raw = self._connection, self._raw
        self._connection = self._raw = self._update = self._insert = None
        if raw is not None:
            raw.terminate()
        if connection is not None:
            await _invalidate(connection)

    async def release(self) -> None:
        """The connection back to the pool (the writer is idle or stops; dropped if it is
        mid-way)."""
        if self._raw is None or self._connection is None:
            return
        if self._raw.is_closed() or self._raw.is_in_transaction():
            await self.drop()
            return
        connection = self._connection
        self._connection = self._raw = self._update = self._insert = None
        try:
            await connection.close()
        except Exception as exc:  # (its message may quote values: not logged)
            log.warning("chat_connection_close_failed", error=type(exc).__name__)


async def _invalidate(connection: AsyncConnection) -> None:
    with suppress(Exception):
        await connection.invalidate()
    with suppress(Exception):
        await connection.close()
