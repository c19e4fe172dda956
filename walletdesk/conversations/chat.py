"""The chat socket's hot path: a customer's next message in a conversation the socket knows.

The first message of a socket goes through ``receive_message`` (customer, conversation,
routing: the full path). From then on the socket keeps what it learnt (a ``ChatLine``) and
its messages take this path, the same steps in less work:

- no customer lookup or decryption: the line knows the customer and the conversation;
  once a minute per socket the batch notes the customer as seen (``last_seen_at``, one
  statement for all its customers due) and re-reads their name, e-mail and phone — what
  the full path did for it before, every socket at the same minute after a restart: a
  burst of full-path messages every minute;
- protect once, read with the conversation's recent customer messages as this process knows
  them (``RecentTexts``: shared by every socket of the conversation in the process, kept
  after each commit and from every process's message events), not read from the database;
- one write: the conversation's next sequence number and preview from ``UPDATE …
  RETURNING`` (which also checks, under the row lock, that nothing but the message
  changes: the conversation is with the bot or an agent), the message by ``INSERT … ON
  CONFLICT DO NOTHING`` on the unique (conversation_id, client_id): a retry is stored once;
- group commit: one writer task takes the messages of every socket of the process for up
  to a millisecond (or ``BATCH_MAX``) and commits them in one transaction; only then is each
  acknowledged and published, and the after-commit listeners (the bot) are deferred. On
  PostgreSQL each writer task keeps its own connection and runs the usual batch's two
  statements on asyncpg directly (walletdesk.conversations.chat_postgres).

Anything else — a state change (a resolved or waiting conversation, no team yet), a secret
in the message or across messages, a write that fails, an erased customer — returns None
and the caller takes the full path, which handles it as before.
"""

import asyncio
import contextlib
import itertools
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from walletdesk.chains.detection import may_name_transfer
from walletdesk.conversations import events
from walletdesk.conversations.actions import clean_client_id, clean_text
from walletdesk.conversations.chat_postgres import BatchConnection
from walletdesk.conversations.messages import (
    PREVIEW_CHARS,
    PREVIEWED_SENDERS,
    masked_message,
)
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.conversations.redaction import RECENT
from walletdesk.crypto import keyring
from walletdesk.customers.actions import LAST_SEEN_RESOLUTION
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.db.engine import DatabaseBusy, lost_a_race
from walletdesk.metrics import MESSAGES
from walletdesk.safety.across import MAX_EARLIER, protect_with_previous
from walletdesk.services import Services

log = structlog.get_logger(__name__)
BATCH_MAX = 256
BATCH_WAIT_S = 0.001
# PostgreSQL: a writer idle this long gives its own connection back to the pool, which may be
# small (the full path needs it); under load it keeps it (chat_postgres)
IDLE_RELEASE_S = 0.1
# the states in which a customer's message changes nothing but the message itself
QUIET_STATUSES = (Status.bot, Status.assigned, Status.queued)
RECENT_CONVERSATIONS = 20_000  # conversations whose recent messages a process keeps
PROCESS_TAG = uuid.uuid4().hex[:12]  # this process, in the origin of its sockets' events
_LINE_NUMBERS = itertools.count(1)
CUSTOMER_MESSAGES = MESSAGES.labels(sender_kind=str(SenderKind.customer))  # looked up once

conversations = Conversation.__table__
messages = Message.__table__
customers = Customer.__table__


@dataclass
class ChatLine:
    """What a chat socket knows after its first message went through the full path."""

    customer_id: int
    conversation_id: int
    customer_name: str
    known: list[str | None]  # the customer's name, e-mail, phone: masked for outsourced agents
    # when the customer was last noted as seen (their last_seen_at, kept once a minute: by
    # the full path, then by the writer, which re-reads the name, e-mail and phone then)
    since: datetime = field(default_factory=utcnow)
    # names this socket in its messages' events: the hub sends a message back to every
    # socket of the customer but this one, which has it in its ack (walletdesk.web.live)
    origin: str = field(default_factory=lambda: f"{PROCESS_TAG}:{next(_LINE_NUMBERS)}")
    # the customer's name as stored (encrypted), kept with the name it seals: sealed once,
    # not for every message (AES-GCM per message was a twentieth of the writer's CPU)
    _sealed: tuple[str, str] | None = field(default=None, repr=False)

    def sealed_name(self) -> str:
        """The customer's name encrypted as the messages' sender_name column stores it."""
        if self._sealed is None or self._sealed[0] != self.customer_name:
            self._sealed = (self.customer_name, keyring().encrypt(self.customer_name))
        return self._sealed[1]


class RecentTexts:
    """The last customer messages of each conversation, shared by every socket of the
    conversation in the process: a secret split between two devices of the customer is read
    whole. Fed after each commit by this process (either path) and by the event bus with
    the messages every process publishes (with Redis: the other processes' too, a moment
    later); kept by sequence number, so a message heard twice counts once. Bounded: the
    conversations least recently written to are forgotten first (their next message is read
    alone; decision 0027 states what is left)."""

    def __init__(self, max_conversations: int = RECENT_CONVERSATIONS) -> None:
        self.max_conversations = max_conversations
        self._texts: OrderedDict[int, list[tuple[int, datetime, str]]] = OrderedDict()

    def remember(self, conversation_id: int, seq: int, created_at: datetime, text: str) -> None:
        if self.knows(conversation_id, seq):  # heard again (the bus brings our own back)
            return
        texts = [item for item in self._texts.pop(conversation_id, []) if item[0] != seq]
        texts.append((seq, created_at, text))
        texts.sort(key=lambda item: item[0])  # two writers, or the bus, may be late
        self._texts[conversation_id] = texts[-MAX_EARLIER:]
        while len(self._texts) > self.max_conversations:
            self._texts.popitem(last=False)

    def knows(self, conversation_id: int, seq: int) -> bool:
        return any(item[0] == seq for item in self._texts.get(conversation_id, ()))

    def edited(self, conversation_id: int, seq: int, text: str) -> None:
        """A message rewritten afterwards (a secret removed from it by the full path)."""
        texts = self._texts.get(conversation_id, [])
        for index, (at_seq, created_at, _) in enumerate(texts):
            if at_seq == seq:
                texts[index] = (seq, created_at, text)

    def previous(self, conversation_id: int) -> list[str]:
        """The conversation's customer messages of the last ``RECENT`` minutes, oldest first."""
        since = utcnow() - RECENT
        return [text for _, at, text in self._texts.get(conversation_id, ()) if at >= since]

    def hear(self, event: dict[str, Any]) -> None:
        """A live event: a customer's message (from any process) is remembered."""
        kind, message = event.get("type"), event.get("message")
        if kind not in ("message", "message_edited") or not isinstance(message, dict):
            return
        if message.get("sender_kind") != SenderKind.customer or message.get("internal"):
            return
        try:
            conversation_id, seq, text = event["conversation_id"], message["seq"], message["text"]
            if kind == "message_edited":
                self.edited(conversation_id, seq, text)
            elif not self.knows(conversation_id, seq):
                self.remember(conversation_id, seq,
                              datetime.fromisoformat(message["created_at"]), text)
        except (KeyError, TypeError, ValueError):
            log.warning("chat_recent_event_unreadable", event_type=kind)


@dataclass
class ChatDelivered:
    conversation_id: int
    customer_id: int
    message: dict[str, Any]  # the message payload, as clients get it
    duplicate: bool = False


class _OneByOne(Exception):
    """The batch must be written message by message (a retry of a stored message in it)."""


@dataclass
class _Pending:
    line: ChatLine
    text: str
    client_id: str | None
    done: "asyncio.Future[ChatDelivered | None]"
    domain_events: list[dict[str, Any]] = field(default_factory=list)
    live_events: list[dict[str, Any]] = field(default_factory=list)
    stored_at: datetime | None = None
    seen_at: datetime | None = None  # the customer noted as seen in this transaction
    gone: bool = False  # the customer was erased (or deleted): the full path decides


class ChatWriter:
    """The process's group-commit writers of chat messages (started on first use): two on
    PostgreSQL, each on its own connection, so one batch is written while the other
    commits; one on SQLite, which has one writer anyway."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        postgres = services.db.engine.dialect.name == "postgresql"
        self._writers = 2 if postgres else 1
        self._postgres = postgres
        self._insert = postgresql.insert if postgres else sqlite.insert
        # the batch's conversations in one UPDATE and its messages in one INSERT … SELECT,
        # each built and compiled once: the rows come as arrays (PostgreSQL: unnest) or as
        # one JSON document (SQLite: json_each). Built per batch (a CASE per column, a
        # multi-row VALUES) they were compiled for every batch: a tenth of the CPU at 1,000/s
        self._update_many = _update_from_arrays() if postgres else _update_from_json()
        self._insert_many = _insert_from_arrays() if postgres else _insert_from_json()
        self.recent = RecentTexts()

    def remember(self, conversation_id: int, seq: int, created_at: datetime,
                 text: str) -> None:
        """A customer message stored by the full path (after its commit), for the next
        messages of the conversation to be read with."""
        self.recent.remember(conversation_id, seq, created_at, text)

    async def on_event(self, event: dict[str, Any]) -> None:
        """Subscribed to the event bus (walletdesk.web.app): every process's customer
        messages, so another device's socket in another process is read with too."""
        self.recent.hear(event)

    async def receive(self, line: ChatLine, text: str,
                      client_id: str | None) -> ChatDelivered | None:
        """The message stored and committed (None: take the full path). Raises Invalid for
        a message the full path would refuse too, DatabaseBusy when no connection came free
        in time (the client resends the same client_id)."""
        text = clean_text(text, self.services.settings.max_message_chars)
        client_id = clean_client_id(client_id)
        checked = protect_with_previous(self.recent.previous(line.conversation_id), text)
        if checked.earlier or checked.protected.has_secret:
            return None  # a secret: the full path removes it, tells the customer, flags it
        if not self._tasks or any(task.done() for task in self._tasks):
            self._tasks = [task for task in self._tasks if not task.done()]
            self._tasks += [asyncio.create_task(self._write(), name="chat-writer")
                            for _ in range(self._writers - len(self._tasks))]
        done: asyncio.Future[ChatDelivered | None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(line, checked.protected.text, client_id, done))
        return await done

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():  # never committed: the full path takes them
            pending = self._queue.get_nowait()
            if not pending.done.done():
                pending.done.set_result(None)

    async def _write(self) -> None:
        # PostgreSQL: the task's own connection for the usual batch (replaced when it dies)
        settings = self.services.settings
        own = BatchConnection(
            self.services.db.engine, QUIET_STATUSES,
            settings.database_pool_size + settings.database_max_overflow,
        ) if self._postgres else None
        try:
            await self._write_batches(own)
        finally:
            if own is not None:
                await own.release()

    async def _next(self, own: BatchConnection | None) -> _Pending:
        """The next message; a writer idle for ``IDLE_RELEASE_S`` gives its connection back."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        if own is not None and own.held:
            try:
                async with asyncio.timeout(IDLE_RELEASE_S):
                    return await self._queue.get()
            except TimeoutError:
                await own.release()
        return await self._queue.get()

    async def _write_batches(self, own: BatchConnection | None) -> None:
        while True:
            batch = [await self._next(own)]
            if self._queue.empty():
                await asyncio.sleep(BATCH_WAIT_S)  # let the other sockets' messages join
            while len(batch) < BATCH_MAX and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                try:
                    results = await self._commit(batch, own)
                except DBAPIError as exc:
                    if not lost_a_race(exc):
                        raise
                    # a deadlock or serialisation failure with another transaction (the full
                    # path, a listener): rolled back, nothing committed; once more as it is
                    log.warning("chat_batch_retried", size=len(batch), error=type(exc).__name__)
                    _forget_events(batch)
                    results = await self._commit(batch, own)
            except asyncio.CancelledError:
                for pending in batch:
                    if not pending.done.done():
                        pending.done.set_result(None)
                raise
            except Exception as exc:
                if isinstance(exc, PoolTimeout) or lost_a_race(exc):
                    # overloaded, or lost a race twice: "busy, retry" (the client resends the
                    # same client_id; the full path would add load and meet the same locks)
                    log.warning("chat_batch_busy", size=len(batch))
                    busy = DatabaseBusy("pool" if isinstance(exc, PoolTimeout) else "race",
                                        self.services.settings.busy_retry_after_s)
                    for pending in batch:
                        if not pending.done.done():
                            pending.done.set_exception(busy)
                    continue
                # nothing committed: each takes the full path
                log.warning("chat_batch_failed", size=len(batch), error=type(exc).__name__)
                results = [None] * len(batch)
            await self._settle(batch, results)

    async def _commit(self, batch: list[_Pending],
                      own: BatchConnection | None = None) -> list[ChatDelivered | None]:
        """``own``: the writer task's connection (PostgreSQL), for the usual batch."""
        engine = self.services.db.engine
        usual = len({pending.line.conversation_id for pending in batch}) == len(batch)
        now = utcnow()
        if usual and own is not None and not any(_seen_due(p.line, now) for p in batch):
            try:  # the usual batch, one message per conversation: two statements in all
                return await self._store_batch_on(own, batch)
            except _OneByOne:  # a retry among them (rolled back): the careful way
                _forget_events(batch)
                usual = False
        if own is not None:  # the SQLAlchemy path takes a connection from the same pool: a
            await own.release()  # small one must not wait for the one this writer holds
        if usual:
            try:  # (SQLite; PostgreSQL with customers to note as seen)
                async with engine.begin() as connection:
                    return await self._store_batch(connection, batch)
            except _OneByOne:  # a retry among them (rolled back): the careful way
                _forget_events(batch)
        results: dict[int, ChatDelivered | None] = {}
        # rows locked in one order (conversation id; a conversation's messages keep theirs):
        # two writers' batches never deadlock
        order = sorted(range(len(batch)), key=lambda i: batch[i].line.conversation_id)
        async with engine.begin() as connection:
            await self._note_seen(connection, batch)
            for index in order:
                results[index] = None if batch[index].gone else await self._store(
                    connection, batch[index])
        return [results[index] for index in range(len(batch))]

    async def _note_seen(self, connection: AsyncConnection, batch: list[_Pending]) -> None:
        """Once a minute per socket, as the full path does: the customer's last_seen_at is
        written (one statement for the batch's customers due) and their name, e-mail and
        phone read again (for masking). An erased customer is not found: that message takes
        the full path, which finds the visitor no longer theirs."""
        now = utcnow()
        due: dict[int, list[_Pending]] = {}
        for pending in batch:
            pending.gone, pending.seen_at = False, None
            if _seen_due(pending.line, now):
                due.setdefault(pending.line.customer_id, []).append(pending)
        if not due:
            return
        found = {row.id: row for row in (await connection.execute(
            update(customers)
            .where(customers.c.id.in_(sorted(due)), customers.c.erased_at.is_(None))
            .values(last_seen_at=now)
            .returning(customers.c.id, customers.c.display_name, customers.c.email,
                       customers.c.phone))).all()}
        for customer_id, pendings in due.items():
            row = found.get(customer_id)
            for pending in pendings:
                if row is None:
                    pending.gone = True
                    continue
                pending.seen_at = now
                pending.line.customer_name = row.display_name
                pending.line.known = [row.display_name, row.email, row.phone]

    async def _store_batch(self, connection: AsyncConnection,
                           batch: list[_Pending]) -> list[ChatDelivered | None]:
        """One UPDATE … RETURNING for every conversation of the batch, one INSERT … SELECT
        for every message; both compiled once, the batch's values in arrays (PostgreSQL) or
        one JSON document (SQLite). Raises _OneByOne if a message was stored before (a
        retry): its number must not be taken."""
        await self._note_seen(connection, batch)
        now = utcnow()
        by_id = {pending.line.conversation_id: pending for pending in batch if not pending.gone}
        if not by_id:
            return [None] * len(batch)
        ids = sorted(by_id)  # (in id order: the rows are found, and locked, in that order)
        customer_ids = [by_id[cid].line.customer_id for cid in ids]
        previews = [by_id[cid].text[:PREVIEW_CHARS] for cid in ids]
        rows = {row.id: row for row in (await connection.execute(
            self._update_many, self._rows(now, ids=ids, customer_ids=customer_ids,
                                          previews=previews))).all()}
        inserted: dict[int, int] = {}
        if rows:
            stored = sorted(rows)
            seqs = [rows[cid].last_seq for cid in stored]
            names = [by_id[cid].line.sealed_name() for cid in stored]
            texts = [by_id[cid].text for cid in stored]
            client_ids = [by_id[cid].client_id for cid in stored]
            inserted = {row.conversation_id: row.id for row in (await connection.execute(
                self._insert_many, self._rows(
                    now, conversation_ids=stored, seqs=seqs, sender_names=names, texts=texts,
                    client_ids=client_ids))).all()}
            if len(inserted) != len(stored):
                raise _OneByOne
        return [self._delivered(pending, inserted[cid], rows[cid], now)
                if (cid := pending.line.conversation_id) in rows else None
                for pending in batch]

    def _rows(self, now: datetime, **columns: list[Any]) -> dict[str, Any]:
        """The parameters of ``_update_many`` or ``_insert_many``: the batch's columns, in
        the order the statement reads them, as arrays (PostgreSQL) or as one JSON document
        of rows (SQLite)."""
        if self._postgres:
            return {**columns, "now": now}
        return {"batch": orjson.dumps(list(zip(*columns.values(), strict=True))).decode(),
                "now": now}

    async def _store_batch_on(self, own: BatchConnection,
                              batch: list[_Pending]) -> list[ChatDelivered | None]:
        """``_store_batch`` on the writer's own asyncpg connection, for a batch with no
        customer to note as seen: the same two statements, prepared once on the connection,
        in one transaction. Raises _OneByOne as ``_store_batch`` does."""
        for pending in batch:
            pending.gone, pending.seen_at = False, None
        now = utcnow()
        by_id = {pending.line.conversation_id: pending for pending in batch}
        ids = sorted(by_id)  # (in id order: the rows are found, and locked, in that order)
        async with own.transaction():
            rows = await own.update(ids, [by_id[cid].line.customer_id for cid in ids],
                                    [by_id[cid].text[:PREVIEW_CHARS] for cid in ids], now)
            stored = sorted(rows)
            inserted = await own.insert(
                stored, [rows[cid].last_seq for cid in stored],
                [by_id[cid].line.sealed_name() for cid in stored],
                [by_id[cid].text for cid in stored], [by_id[cid].client_id for cid in stored],
                now) if stored else {}
            if len(inserted) != len(stored):
                raise _OneByOne
        return [self._delivered(pending, inserted[cid], rows[cid], now)
                if (cid := pending.line.conversation_id) in rows else None
                for pending in batch]

    async def _store(self, connection: AsyncConnection,
                     pending: _Pending) -> ChatDelivered | None:
        line, now = pending.line, utcnow()
        row = (await connection.execute(
            update(conversations)
            .where(conversations.c.id == line.conversation_id,
                   conversations.c.customer_id == line.customer_id,
                   conversations.c.status.in_([str(s) for s in QUIET_STATUSES]),
                   or_(conversations.c.status != str(Status.queued),
                       conversations.c.team_id.is_not(None)))
            .values(last_seq=conversations.c.last_seq + 1, updated_at=now,
                    last_message_at=now, last_message_preview=pending.text[:PREVIEW_CHARS])
            .returning(conversations.c.last_seq, conversations.c.status,
                       conversations.c.team_id, conversations.c.assignee_id,
                       conversations.c.snoozed_at)
        )).first()
        if row is None:
            return None  # its state changes with this message: the full path
        message_id = (await connection.execute(
            self._insert(messages)
            .values(conversation_id=line.conversation_id, seq=row.last_seq,
                    sender_kind=str(SenderKind.customer), sender_name=line.customer_name,
                    text=pending.text, is_internal=False, client_id=pending.client_id,
                    created_at=now)
            .on_conflict_do_nothing(index_elements=["conversation_id", "client_id"])
            .returning(messages.c.id)
        )).scalar()
        if message_id is None:  # a retry of a stored message (rare): undo the update
            await self._undo_update(connection, line.conversation_id, row.last_seq)
            return await self._stored_before(connection, pending)
        return self._delivered(pending, message_id, row, now)

    def _delivered(self, pending: _Pending, message_id: int, row: Any,
                   now: datetime) -> ChatDelivered:
        """The payload and the events of a stored message (``row``: the conversation's
        values after the update)."""
        line, seq, status = pending.line, row.last_seq, row.status
        payload = {
            "id": message_id, "conversation_id": line.conversation_id, "seq": seq,
            "sender_kind": str(SenderKind.customer), "sender_name": line.customer_name,
            "text": pending.text, "internal": False, "client_id": pending.client_id,
            "meta": None, "created_at": now.isoformat(),
        }
        event: dict[str, Any] = {
            "type": "message", "conversation_id": line.conversation_id,
            "customer_id": line.customer_id, "team_id": row.team_id,
            "assignee_id": row.assignee_id, "status": status,
            "snoozed": row.snoozed_at is not None, "message": payload,
        }
        if line.known:
            event["masked_message"] = masked_message(payload, line.known)
        event["origin"] = line.origin  # its socket gets the ack, not the message again
        pending.live_events.append(event)
        # the bot answers (deferred); with a person, only a hash or an address has a
        # listener: it is looked up for the agent (walletdesk.chains.listeners)
        if status == Status.bot or may_name_transfer(pending.text):
            pending.domain_events.append({
                "type": events.CUSTOMER_MESSAGE, "conversation_id": line.conversation_id,
                "message_id": message_id, "text": pending.text, "status": status,
                "assignee_id": row.assignee_id, "route": False, "prefer_agent_id": None,
                "resume_sla": False})
        pending.stored_at = now
        return ChatDelivered(line.conversation_id, line.customer_id, payload)

    async def _undo_update(self, connection: AsyncConnection, conversation_id: int,
                           seq: int) -> None:
        """Give the sequence number back (the row is still locked by this transaction) and
        the preview and last activity back to the last message people said, as
        ``append_message`` previews it (its masked form if it carries one)."""
        last = (await connection.execute(
            select(messages.c.text, messages.c.meta, messages.c.created_at)
            .where(messages.c.conversation_id == conversation_id,
                   messages.c.is_internal.is_(False),
                   messages.c.sender_kind.in_([str(kind) for kind in PREVIEWED_SENDERS]))
            .order_by(messages.c.seq.desc()).limit(1)
        )).first()
        values: dict[str, Any] = {"last_seq": seq - 1}
        if last is not None:
            masked_text = (last.meta or {}).get("masked_text")
            shown = masked_text if isinstance(masked_text, str) else last.text
            values.update(last_message_preview=shown[:PREVIEW_CHARS],
                          last_message_at=last.created_at)
        await connection.execute(
            update(conversations)
            .where(and_(conversations.c.id == conversation_id, conversations.c.last_seq == seq))
            .values(**values))

    async def _stored_before(self, connection: AsyncConnection,
                             pending: _Pending) -> ChatDelivered | None:
        stored = (await connection.execute(
            select(messages).where(messages.c.conversation_id == pending.line.conversation_id,
                                   messages.c.client_id == pending.client_id)
        )).mappings().first()
        if stored is None:
            return None
        payload = {
            "id": stored["id"], "conversation_id": stored["conversation_id"],
            "seq": stored["seq"], "sender_kind": stored["sender_kind"],
            "sender_name": stored["sender_name"], "text": stored["text"],
            "internal": stored["is_internal"], "client_id": stored["client_id"],
            "meta": stored["meta"], "created_at": stored["created_at"].isoformat(),
        }
        return ChatDelivered(pending.line.conversation_id, pending.line.customer_id, payload,
                             duplicate=True)

    async def _settle(self, batch: Iterable[_Pending],
                      results: list[ChatDelivered | None]) -> None:
        """After the commit: publish, hand the listeners their events, acknowledge."""
        domain_events: list[dict[str, Any]] = []
        for pending, result in zip(batch, results, strict=True):
            if result is not None and pending.seen_at is not None:
                pending.line.since = pending.seen_at
            if result is not None and not result.duplicate:
                assert pending.stored_at is not None
                self.recent.remember(pending.line.conversation_id, result.message["seq"],
                                     pending.stored_at, pending.text)
                CUSTOMER_MESSAGES.inc()
                for event in pending.live_events:
                    try:
                        await self.services.bus.publish(event)
                    except Exception:  # committed: the client resumes by seq if it missed it
                        log.exception("chat_publish_failed")
                domain_events.extend(pending.domain_events)
            if not pending.done.done():
                pending.done.set_result(result)
        if domain_events:
            self.services.after_commit.defer(self.services, domain_events)


def _seen_due(line: ChatLine, now: datetime) -> bool:
    """The line's customer is to be noted as seen (once a minute: ``_note_seen``)."""
    return now - line.since > LAST_SEEN_RESOLUTION


def _forget_events(batch: list[_Pending]) -> None:
    """A rolled-back attempt's events: the next attempt gathers its own."""
    for pending in batch:
        pending.live_events.clear()
        pending.domain_events.clear()


def _update_from_arrays() -> Any:
    """PostgreSQL: the batch's conversations moved on, its rows from arrays (``unnest``)."""
    return _moved_on(func.unnest(
        bindparam("ids", type_=postgresql.ARRAY(Integer)),
        bindparam("customer_ids", type_=postgresql.ARRAY(Integer)),
        bindparam("previews", type_=postgresql.ARRAY(String)),
    ).table_valued("id", "customer_id", "preview").render_derived(), quiet=_quiet())


def _update_from_json() -> Any:
    """SQLite: the same from one JSON document (UPDATE … FROM). The statuses are marked
    usually true (a planner hint), so that each row is found by primary key: without it
    SQLite's planner walked the conversations of these statuses (an index) with the whole
    batch for each, a batch costing as much as the desk."""
    return _moved_on(_json_batch("id", "customer_id", "preview"),
                     quiet=func.likelihood(_quiet(), literal_column("0.9")))


def _quiet() -> Any:
    return conversations.c.status.in_([str(s) for s in QUIET_STATUSES])


def _moved_on(batch: Any, quiet: Any) -> Any:
    """One UPDATE for the conversations of a batch, built and compiled once: the customer's
    conversation (``batch``: id, customer_id, preview), in a state the message does not
    change (``quiet``), one further in sequence, its preview the message's."""
    return (
        update(conversations)
        .where(conversations.c.id == batch.c.id,
               conversations.c.customer_id == batch.c.customer_id, quiet,
               or_(conversations.c.status != str(Status.queued),
                   conversations.c.team_id.is_not(None)))
        .values(last_seq=conversations.c.last_seq + 1, updated_at=bindparam("now"),
                last_message_at=bindparam("now"), last_message_preview=batch.c.preview)
        .returning(conversations.c.id, conversations.c.last_seq, conversations.c.status,
                   conversations.c.team_id, conversations.c.assignee_id,
                   conversations.c.snoozed_at))


def _insert_from_arrays() -> Any:
    """PostgreSQL: the batch's messages, their rows from arrays (``unnest``)."""
    batch = func.unnest(
        bindparam("conversation_ids", type_=postgresql.ARRAY(Integer)),
        bindparam("seqs", type_=postgresql.ARRAY(Integer)),
        bindparam("sender_names", type_=postgresql.ARRAY(Text)),
        bindparam("texts", type_=postgresql.ARRAY(Text)),
        bindparam("client_ids", type_=postgresql.ARRAY(String)),
    ).table_valued("conversation_id", "seq", "sender_name", "text", "client_id").render_derived()
    return _stored(postgresql.insert(messages), batch)


def _insert_from_json() -> Any:
    """SQLite: the same from one JSON document."""
    return _stored(sqlite.insert(messages),
                   _json_batch("conversation_id", "seq", "sender_name", "text", "client_id"))


def _stored(insert: Any, batch: Any) -> Any:
    """One INSERT for the messages of a batch, built and compiled once (``batch``:
    conversation_id, seq, sender_name — already encrypted —, text, client_id). A retry of
    a stored message (same conversation and client id) is skipped by ON CONFLICT and
    missing from what it returns. The SELECT has a WHERE so that SQLite reads ON CONFLICT
    as the upsert's, not as a join's ON."""
    return (
        insert.from_select(
            ["conversation_id", "seq", "sender_kind", "sender_name", "text", "is_internal",
             "client_id", "created_at"],
            select(batch.c.conversation_id, batch.c.seq,
                   literal(str(SenderKind.customer), String), batch.c.sender_name,
                   batch.c.text, literal(False, Boolean), batch.c.client_id,
                   bindparam("now", type_=messages.c.created_at.type)).where(true()))
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_id"])
        .returning(messages.c.id, messages.c.conversation_id))


def _json_batch(*names: str) -> Any:
    """SQLite: the rows of the ``batch`` parameter (``ChatWriter._rows``) as a table, one column
    per name in order (``json_each`` yields each row's array; ``json_extract`` its items)."""
    rows = func.json_each(bindparam("batch", type_=Text)).table_valued("value")
    return select(*[func.json_extract(rows.c.value, f"$[{index}]").label(name)
                    for index, name in enumerate(names)]).select_from(rows).subquery("batch")
