"""The chat socket's hot path (walletdesk.conversations.chat) and the after-commit listeners:
one write per message, group commit, a retry stored once, the full path for anything else."""

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

from mnemonic import Mnemonic
from sqlalchemy import event, select, update

from walletdesk.conversations import events
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.chat import QUIET_STATUSES, ChatLine, ChatWriter, RecentTexts
from walletdesk.conversations.models import Conversation, Message, Status
from walletdesk.crypto import keyring
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy import erase_customer
from walletdesk.db.base import utcnow
from walletdesk.events.bus import Event
from walletdesk.safety.protect import find_secrets
from walletdesk.services import Services


async def first_message(services: Services, writer: ChatWriter,
                        visitor: str = "visitor-1") -> ChatLine:
    """The socket's first message takes the full path; the line is what it learns, the
    writer the message (as the chat socket does)."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text="hello", client_id=f"{visitor}-0"))
    customer = delivered.customer
    assert customer is not None
    line = ChatLine(customer_id=customer.id, conversation_id=delivered.conversation.id,
                    customer_name=customer.display_name,
                    known=[customer.display_name, customer.email, customer.phone])
    writer.remember(line.conversation_id, delivered.message.seq, delivered.message.created_at,
                    delivered.message.text)
    return line


async def stored(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        return list((await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id)
            .order_by(Message.seq))).all())


async def test_next_messages_take_one_write_each_and_are_published(services, bus, make_team,
                                                                    make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    try:
        # several sockets at once: committed together, each in its conversation's order
        other = await first_message(services, writer, "visitor-2")
        results = await asyncio.gather(
            writer.receive(line, "my transfer is stuck", "c1"),
            writer.receive(other, "me too", "o1"),
            writer.receive(line, "since yesterday", "c2"))
        again = await writer.receive(line, "my transfer is stuck", "c1")  # a retry
    finally:
        await writer.stop()

    assert all(result is not None for result in results)
    assert again is not None and again.duplicate and again.message["id"] == results[0].message["id"]
    rows = await stored(services, line.conversation_id)
    assert [m.seq for m in rows] == list(range(1, len(rows) + 1))  # no gap, no double
    assert [m.text for m in rows][-2:] == ["my transfer is stuck", "since yesterday"]
    async with services.read() as session:
        conversation = await session.get(Conversation, line.conversation_id)
    assert conversation is not None and conversation.last_seq == rows[-1].seq
    assert conversation.last_message_preview == "since yesterday"
    published = [e for e in bus.of_type("message") if e["conversation_id"] == line.conversation_id]
    assert [e["message"]["text"] for e in published][-2:] == ["my transfer is stuck",
                                                              "since yesterday"]
    assert "masked_message" in published[-1]  # what outsourced agents get instead


async def test_a_state_change_or_a_secret_takes_the_full_path(services, make_team, make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    phrase = Mnemonic("english").generate(strength=128)
    try:
        assert await writer.receive(line, f"my words: {phrase}", "s1") is None
        async with services.transaction() as session:
            await session.execute(update(Conversation).values(status=Status.waiting_customer))
        assert await writer.receive(line, "still there?", "w1") is None
    finally:
        await writer.stop()
    assert all("still there" not in m.text and phrase not in m.text
               for m in await stored(services, line.conversation_id))


async def test_a_phrase_split_between_two_devices_is_removed(services, make_team, make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    # a valid 12-word phrase whose halves each read as prose alone: only together a secret
    words = Mnemonic("english").to_mnemonic(hashlib.sha256(b"1181").digest()[:16]).split()
    first, second = " ".join(words[:6]), " ".join(words[6:])
    assert not find_secrets(first) and not find_secrets(second)
    writer = ChatWriter(services)
    phone = await first_message(services, writer)
    # the customer's laptop: a second socket of the same conversation
    laptop = ChatLine(customer_id=phone.customer_id, conversation_id=phone.conversation_id,
                      customer_name=phone.customer_name, known=phone.known)
    try:
        assert await writer.receive(phone, first, "p1") is not None
        assert await writer.receive(laptop, second, "l1") is None  # read with the phone's
    finally:
        await writer.stop()
    delivered = await receive_message(services, InboundMessage(  # the full path, as the socket
        channel="web", external_id="visitor-1", text=second, client_id="l1",
        conversation_id=laptop.conversation_id))
    rows = {m.client_id: m for m in await stored(services, phone.conversation_id)}
    assert rows["l1"].id == delivered.message.id
    assert first not in rows["p1"].text and second not in rows["l1"].text
    assert rows["p1"].meta and rows["p1"].meta.get("secret_removed")


async def test_a_phrase_split_with_a_device_on_another_process_is_removed(services, make_team,
                                                                           make_agent):
    """The phone's half reaches this process only as a live event (the bus)."""
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    words = Mnemonic("english").to_mnemonic(hashlib.sha256(b"1181").digest()[:16]).split()
    first, second = " ".join(words[:6]), " ".join(words[6:])
    phone = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-1", text="hello", client_id="p0"))
    assert phone.customer is not None
    laptop = ChatLine(customer_id=phone.customer.id, conversation_id=phone.conversation.id,
                      customer_name=phone.customer.display_name, known=[])
    writer = ChatWriter(services)
    unsubscribe = services.bus.subscribe(writer.on_event)
    try:
        await receive_message(services, InboundMessage(
            channel="web", external_id="visitor-1", text=first, client_id="p1",
            conversation_id=phone.conversation.id))
        assert await writer.receive(laptop, second, "l1") is None
    finally:
        unsubscribe()
        await writer.stop()


async def test_once_a_minute_the_customer_is_noted_as_seen_on_the_hot_path(services, make_team,
                                                                          make_agent):
    """A line a minute old stays on the hot path (no burst of full-path messages a minute
    after a restart): the batch writes last_seen_at and re-reads the name for masking; an
    erased customer's line goes to the full path."""
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    erased = await first_message(services, writer, "visitor-2")
    long_ago = utcnow() - timedelta(minutes=5)
    async with services.transaction() as session:
        await session.execute(update(Customer).where(Customer.id == line.customer_id)
                              .values(last_seen_at=long_ago, display_name="Ada Lovelace"))
    line.since = erased.since = utcnow() - timedelta(minutes=2)
    await erase_customer(services, None, erased.customer_id)
    async with services.read() as session:  # erasing leaves the conversation as it was
        assert (await session.get(Conversation, erased.conversation_id)).status in QUIET_STATUSES
    try:
        result = await writer.receive(line, "any news?", "m1")
        assert await writer.receive(erased, "still me", "e1") is None  # the full path decides
    finally:
        await writer.stop()
    assert result is not None and result.message["sender_name"] == "Ada Lovelace"
    assert line.known[0] == "Ada Lovelace" and utcnow() - line.since < timedelta(seconds=30)
    async with services.read() as session:
        customer = await session.get(Customer, line.customer_id)
    assert customer is not None and customer.last_seen_at > long_ago + timedelta(minutes=4)
    assert all("still me" not in m.text for m in await stored(services, erased.conversation_id))


async def test_bot_conversations_reach_their_listener_after_commit(services, make_team):
    await make_team()
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    async with services.transaction() as session:
        await session.execute(update(Conversation).values(status=Status.bot))
    heard: list[Event] = []

    async def listener(_: Services, event: Event) -> None:
        heard.append(event)

    unsubscribe = services.after_commit.subscribe(events.CUSTOMER_MESSAGE, listener)
    try:
        result = await writer.receive(line, "how do I back up my wallet?", "b1")
        await services.after_commit.drain()
    finally:
        unsubscribe()
        await writer.stop()
    assert result is not None
    assert [e["message_id"] for e in heard] == [result.message["id"]]


async def test_a_failing_listener_loses_no_message(services, make_team):
    await make_team()

    async def broken(_: Services, event: Event) -> None:
        raise RuntimeError("listener bug")

    unsubscribe = services.after_commit.subscribe(events.CUSTOMER_MESSAGE, broken)
    try:
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="visitor-1", text="hello"))
    finally:
        unsubscribe()
    assert [m.text for m in await stored(services, delivered.conversation.id)][0] == "hello"


def test_recent_texts_are_bounded_and_in_order():
    recent = RecentTexts(max_conversations=2)
    now = utcnow()
    recent.remember(1, 3, now - timedelta(seconds=1), "b")
    recent.remember(1, 2, now - timedelta(seconds=2), "a")  # settled by the other writer, later
    recent.remember(1, 3, now - timedelta(seconds=1), "b")  # heard again from the bus
    assert recent.previous(1) == ["a", "b"]
    recent.edited(1, 2, "[seed phrase removed]")
    assert recent.previous(1) == ["[seed phrase removed]", "b"]
    recent.remember(2, 1, now - timedelta(minutes=11), "too old")
    assert recent.previous(2) == []
    recent.remember(3, 1, now, "y")  # the least recently written conversation is forgotten
    assert recent.previous(1) == [] and recent.previous(3) == ["y"]


async def test_a_sqlite_batch_finds_its_conversations_by_primary_key(services, make_team,
                                                                     make_agent):
    """The batch's UPDATE … FROM json_each: SQLite's planner must read the batch and find
    each conversation by its id. Left alone it walked every conversation of the quiet
    statuses (an index) with the whole batch for each: a batch cost grew with the desk."""
    if services.db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's batch is unnest on its own connection (chat_postgres)
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    seen: list[tuple[str, Any]] = []

    def note(connection: Any, cursor: Any, statement: str, parameters: Any,
             context: Any, executemany: bool) -> None:
        if statement.startswith("UPDATE conversations") and "json_each" in statement:
            seen.append((statement, parameters))

    event.listen(services.db.engine.sync_engine, "before_cursor_execute", note)
    try:
        assert await writer.receive(line, "my transfer is stuck", "c1") is not None
    finally:
        event.remove(services.db.engine.sync_engine, "before_cursor_execute", note)
        await writer.stop()
    assert len(seen) == 1
    statement, parameters = seen[0]
    async with services.db.engine.connect() as connection:
        plan = " / ".join(str(row[-1]) for row in (await connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)).all())
    assert "SEARCH conversations USING INTEGER PRIMARY KEY" in plan, plan
    assert "ix_conversations" not in plan, plan


def test_a_line_seals_its_customer_name_once_and_again_when_it_changes(services):
    line = ChatLine(customer_id=1, conversation_id=2, customer_name="Mei Lin", known=[])
    sealed = line.sealed_name()
    assert sealed != "Mei Lin" and keyring().decrypt(sealed) == "Mei Lin"
    assert line.sealed_name() is sealed  # not encrypted again for the next message
    line.customer_name = "Mei L."  # renamed (re-read once a minute by the writer)
    assert keyring().decrypt(line.sealed_name()) == "Mei L."
