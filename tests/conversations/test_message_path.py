"""The one inbound path: normalise, protect, persist, publish, route."""

import pytest
from mnemonic import Mnemonic
from sqlalchemy import func, select

from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.errors import Invalid, NotFound


def inbound(text: str = "my transfer is stuck", **kw: object) -> InboundMessage:
    values: dict[str, object] = {"channel": "web", "external_id": "visitor-1", "text": text}
    values.update(kw)
    return InboundMessage(**values)  # type: ignore[arg-type]


async def count(services, model) -> int:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_first_message_creates_customer_conversation_and_sequence(services, bus, make_team):
    await make_team("Support")
    first = await receive_message(services, inbound("hello", client_id="c1", language="zh-CN"))
    second = await receive_message(services, inbound("are you there?", client_id="c2"))

    assert first.conversation.id == second.conversation.id
    assert first.message.seq == 1
    assert first.conversation.language == "zh-Hans"
    # seq 2 is the "queued" system notice (no agent online), the customer's next message is 3
    assert second.message.seq == 3
    assert await count(services, Customer) == 1
    texts = [e["message"]["text"] for e in bus.of_type("message")]
    assert texts[0] == "hello" and texts[-1] == "are you there?"
    assert any(e["message"]["sender_kind"] == "system" for e in bus.of_type("message"))


async def test_same_client_id_is_stored_once(services, bus, make_team):
    await make_team()
    first = await receive_message(services, inbound("hello", client_id="dup-1"))
    published = len(bus.published)
    again = await receive_message(services, inbound("hello", client_id="dup-1"))

    assert again.duplicate and again.message.id == first.message.id
    assert await count(services, Message) == 2  # the message and the queue notice, once
    assert len(bus.published) == published  # a duplicate publishes nothing


async def test_secret_is_replaced_before_it_is_stored_or_published(services, bus, make_team):
    await make_team()
    phrase = Mnemonic("english").generate(128)
    result = await receive_message(services, inbound(f"help, my words are {phrase}"))

    assert phrase not in result.message.text
    assert "[seed phrase removed]" in result.message.text
    assert result.conversation.has_secret_redaction
    async with services.read() as session:
        stored = (await session.scalars(select(Message.text))).all()
    assert all(phrase.split()[3] + " " + phrase.split()[4] not in t for t in stored)
    assert all(phrase not in str(event) for event in bus.published)
    warnings = [e for e in bus.of_type("message") if "recovery phrase" in e["message"]["text"]]
    assert warnings and warnings[0]["message"]["sender_kind"] == SenderKind.system


@pytest.mark.parametrize("bad", ["", "   \n ", "x" * 5001])
async def test_empty_and_oversize_messages_are_refused(services, bad):
    with pytest.raises(Invalid):
        await receive_message(services, inbound(bad))
    assert await count(services, Message) == 0


async def test_unknown_or_foreign_conversation_id_is_not_found(services, make_team):
    await make_team()
    other = await receive_message(services, inbound("mine", external_id="someone-else"))
    with pytest.raises(NotFound):
        await receive_message(services, inbound("hi", conversation_id=999_999))
    with pytest.raises(NotFound):
        await receive_message(services, inbound("hi", conversation_id=other.conversation.id))


async def test_agent_reply_sets_first_response_and_waits_on_customer(services, make_team,
                                                                      make_agent):
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    received = await receive_message(services, inbound("hello"))
    assert received.conversation.status == Status.assigned
    assert received.conversation.assignee_id == agent.id

    reply = await send_message(services, agent, received.conversation.id, "Hi, how can I help?")
    assert reply.conversation.status == Status.waiting_customer
    assert reply.conversation.first_response_at is not None

    back = await receive_message(services, inbound("my USDT is missing"))
    assert back.conversation.status == Status.assigned


async def test_internal_note_is_never_sent_to_the_customer(services, bus, make_team, make_agent):
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    received = await receive_message(services, inbound("hello"))
    note = await send_message(services, agent, received.conversation.id, "VIP, be careful",
                              internal=True)
    assert note.message.is_internal
    event = bus.of_type("message")[-1]
    assert event["message"]["internal"] is True
    async with services.read() as session:
        conversation = await session.get(Conversation, received.conversation.id)
        assert conversation is not None
        assert conversation.last_message_preview != "VIP, be careful"
        assert conversation.first_response_at is None


async def test_agent_cannot_send_a_seed_phrase_either(services, make_team, make_agent):
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    received = await receive_message(services, inbound("hello"))
    phrase = Mnemonic("english").generate(256)
    reply = await send_message(services, agent, received.conversation.id, f"type {phrase}")
    assert phrase not in reply.message.text
