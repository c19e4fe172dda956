"""The chat writers' own asyncpg connections (walletdesk.conversations.chat_postgres): a
connection that dies between batches is replaced, one that dies during a batch loses and
doubles nothing (the batch takes the full path, as any failed batch), a lost race runs once
more on the same connection; a message is acknowledged only once committed."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select, text, update

from tests.conftest import RecordingBus, make_agent_in, make_settings, wipe
from tests.conversations.test_chat_hot_path import first_message, stored
from walletdesk.accounts.actions import create_team
from walletdesk.conversations import chat
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.chat import ChatLine, ChatWriter
from walletdesk.conversations.chat_postgres import BatchConnection
from walletdesk.conversations.models import Conversation, Message
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.db.engine import DatabaseBusy
from walletdesk.services import Services

# the writers' own connections are PostgreSQL's: these tests run on it alone
POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
async def writer(services: Services, make_team: Any, make_agent: Any
                 ) -> AsyncIterator[ChatWriter]:
    """A chat writer of a desk with a team and an agent online (stopped after the test)."""
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    chat_writer = ChatWriter(services)
    yield chat_writer
    await chat_writer.stop()


@pytest.fixture
def own_pids(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """The server processes of the writers' own connections, noted at each batch."""
    pids: set[int] = set()
    real_update = BatchConnection.update

    async def noting_update(self: BatchConnection, *args: Any) -> Any:
        assert self.pid is not None
        pids.add(self.pid)
        return await real_update(self, *args)

    monkeypatch.setattr(BatchConnection, "update", noting_update)
    return pids


async def terminate(services: Services, pids: set[int]) -> None:
    async with services.db.engine.connect() as connection:
        for pid in pids:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(600):  # until they are gone (up to 30 s on a loaded machine)
            alive = (await connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": list(pids)})).scalar()
            if not alive:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the writers' connections did not go")


async def send(services: Services, writer: ChatWriter, line: ChatLine, visitor: str,
               message: str, client_id: str) -> int:
    """As the chat socket does: the hot path, or the full path when it says so. Once it
    returns, the message is committed (read from another connection)."""
    delivered = await writer.receive(line, message, client_id)
    if delivered is None:
        full = await receive_message(services, InboundMessage(
            channel="web", external_id=visitor, text=message, client_id=client_id,
            conversation_id=line.conversation_id))
        message_id = full.message.id
    else:
        message_id = delivered.message["id"]
    async with services.read() as session:
        committed = await session.scalar(select(Message.id).where(
            Message.conversation_id == line.conversation_id, Message.client_id == client_id))
    assert committed == message_id  # acknowledged after the commit that holds it
    return message_id


async def assert_once_each(services: Services, line: ChatLine, texts: list[str]) -> None:
    rows = await stored(services, line.conversation_id)
    assert [m.seq for m in rows] == list(range(1, len(rows) + 1))  # no gap, no double
    assert all([m.text for m in rows].count(t) == 1 for t in texts)
    async with services.read() as session:
        conversation = await session.get(Conversation, line.conversation_id)
    assert conversation is not None and conversation.last_seq == rows[-1].seq


@POSTGRESQL_ONLY
async def test_a_connection_killed_between_batches_is_replaced(services, writer, own_pids,
                                                               monkeypatch):
    monkeypatch.setattr(chat, "IDLE_RELEASE_S", 60.0)  # the writers keep their connections
    line = await first_message(services, writer)
    other = await first_message(services, writer, "visitor-2")
    await asyncio.gather(send(services, writer, line, "visitor-1", "first", "c1"),
                         send(services, writer, other, "visitor-2", "one", "o1"))
    killed = set(own_pids)
    assert killed  # the hot path ran on a writer's own connection
    await terminate(services, killed)
    await asyncio.gather(send(services, writer, line, "visitor-1", "second", "c2"),
                         send(services, writer, other, "visitor-2", "two", "o2"))
    delivered = await writer.receive(line, "third", "c3")  # on a new connection
    again = await writer.receive(line, "second", "c2")  # a retry: stored once
    assert delivered is not None and not delivered.duplicate
    assert again is not None and again.duplicate
    assert own_pids - killed  # the last batches' connection is a new one
    await assert_once_each(services, line, ["first", "second", "third"])
    await assert_once_each(services, other, ["one", "two"])


@POSTGRESQL_ONLY
async def test_a_connection_killed_during_a_batch_loses_and_doubles_nothing(
        services, writer, monkeypatch):
    line = await first_message(services, writer)
    real_insert, kills = BatchConnection.insert, []

    async def insert_after_a_kill(self: BatchConnection, *args: Any) -> Any:
        if not kills:  # the UPDATE ran: the connection dies before the INSERT
            assert self.pid is not None
            kills.append(self.pid)
            await terminate(services, {self.pid})
        return await real_insert(self, *args)

    monkeypatch.setattr(BatchConnection, "insert", insert_after_a_kill)
    before = (await stored(services, line.conversation_id))[-1].seq
    assert await writer.receive(line, "lost?", "c1") is None  # failed: the full path
    async with services.read() as session:  # nothing of that transaction committed
        conversation = await session.get(Conversation, line.conversation_id)
    assert conversation is not None and conversation.last_seq == before
    await send(services, writer, line, "visitor-1", "lost?", "c1")  # the socket's resend
    assert await writer.receive(line, "next", "c2") is not None  # a new connection
    assert kills
    await assert_once_each(services, line, ["lost?", "next"])


@POSTGRESQL_ONLY
async def test_a_race_lost_on_the_own_connection_runs_once_more_on_it(
        services, writer, monkeypatch):
    line = await first_message(services, writer)
    real_update, pids = BatchConnection.update, []

    async def update_losing_once(self: BatchConnection, *args: Any) -> Any:
        pids.append(self.pid)
        if len(pids) == 1:
            raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")
        return await real_update(self, *args)

    monkeypatch.setattr(BatchConnection, "update", update_losing_once)
    delivered = await writer.receive(line, "my transfer is stuck", "c1")
    assert delivered is not None and len(pids) == 2 and pids[0] == pids[1]  # kept
    await assert_once_each(services, line, ["my transfer is stuck"])


async def test_a_retry_in_a_batch_is_stored_once_and_the_others_are_stored(
        services, writer):
    """Both engines: a batch holding a resent message (stored before) goes message by
    message; the resend is answered with the stored message, the others are stored."""
    line = await first_message(services, writer)
    other = await first_message(services, writer, "visitor-2")
    first = await writer.receive(line, "my transfer is stuck", "c1")
    again, new = await asyncio.gather(writer.receive(line, "my transfer is stuck", "c1"),
                                      writer.receive(other, "me too", "o1"))
    assert first is not None and again is not None and new is not None
    assert again.duplicate and again.message["id"] == first.message["id"]
    assert not new.duplicate
    await assert_once_each(services, line, ["my transfer is stuck"])
    await assert_once_each(services, other, ["me too"])


@POSTGRESQL_ONLY
async def test_an_idle_writer_gives_its_connection_back_to_the_pool(
        services, writer, own_pids, monkeypatch):
    """A small pool is not emptied by the writers for good: the full path needs it too."""
    monkeypatch.setattr(chat, "IDLE_RELEASE_S", 0.05)
    line = await first_message(services, writer)
    pool: Any = services.db.engine.pool
    assert await writer.receive(line, "one", "c1") is not None
    assert pool.checkedout() == 1  # kept while messages come
    await asyncio.sleep(0.3)
    assert pool.checkedout() == 0
    assert await writer.receive(line, "two", "c2") is not None  # taken again
    await writer.stop()  # gives its connection back
    assert pool.checkedout() == 0 and len(own_pids) == 1  # the same connection, prepared once
    await assert_once_each(services, line, ["one", "two"])


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[Services]:
    """A pool of one connection and a short wait for it."""
    settings = make_settings(database_url, database_pool_size=1, database_max_overflow=0,
                             database_pool_timeout_s=1.0)
    services = Services(settings, bus=RecordingBus())
    await services.start()
    yield services
    await wipe(services.db)
    await services.stop()


@POSTGRESQL_ONLY
async def test_a_writer_holding_the_only_connection_still_takes_the_careful_paths(
        one_connection: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writers and a pool of one: a writer keeps no connection the pool needs (the other
    writer's batch waits for none); a resent message (message by message) and a customer to
    note as seen (SQLAlchemy) go through the pool: the writer gives its connection back first,
    or it would wait for itself and answer "busy" for ever."""
    services = one_connection
    monkeypatch.setattr(chat, "IDLE_RELEASE_S", 60.0)  # (the pool full: given back at once)
    async with services.transaction() as session:
        await create_team(session, None, name="Support")
    await make_agent_in(services, "Alice")
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    try:
        first = await writer.receive(line, "my transfer is stuck", "c1")
        again = await writer.receive(line, "my transfer is stuck", "c1")
        async with services.transaction() as session:  # (the writer is idle now: not held)
            await session.execute(update(Customer).where(Customer.id == line.customer_id)
                                  .values(display_name="Ada Lovelace"))
        line.since = utcnow() - timedelta(minutes=2)
        seen = await writer.receive(line, "any news?", "c2")
        last = await writer.receive(line, "hello?", "c3")
    except DatabaseBusy:
        pytest.fail("the writer waited for its own connection")
    finally:
        await writer.stop()
    assert first is not None and again is not None and again.duplicate
    assert seen is not None and seen.message["sender_name"] == "Ada Lovelace"
    assert last is not None and not last.duplicate
    await assert_once_each(services, line, ["my transfer is stuck", "any news?", "hello?"])
