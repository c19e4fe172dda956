"""A secret split over a customer's messages: the earlier parts are removed from the
database too, screens are told, the customer is warned once (SQLite and PostgreSQL)."""

import random
from datetime import timedelta

from mnemonic import Mnemonic
from sqlalchemy import select, update

from walletdesk import i18n
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.db.base import utcnow
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER
from walletdesk.safety.shapes import _xprv


def phrase_of(language: str) -> str:
    """A fixed phrase per language (the tests do not depend on luck)."""
    return Mnemonic(language).to_mnemonic(random.Random(language).randbytes(16))


def inbound(text: str, client_id: str) -> InboundMessage:
    return InboundMessage(channel="web", external_id="visitor-split", text=text,
                          client_id=client_id)


async def customer_texts(services, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        rows = await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id,
            Message.sender_kind == SenderKind.customer).order_by(Message.seq))
        return [row.text for row in rows]


async def test_phrase_sent_six_and_six_is_removed_from_both_messages(services, bus, make_team):
    await make_team("Support")
    words = phrase_of("english").split()
    first = await receive_message(services, inbound(" ".join(words[:6]), "a"))
    # six words alone are a possible fragment: removed before they are ever stored
    assert first.message.text == SEED_PLACEHOLDER
    second = await receive_message(services, inbound(" ".join(words[6:]), "b"))

    assert second.message.text == SEED_PLACEHOLDER
    texts = await customer_texts(services, first.conversation.id)
    assert texts == [SEED_PLACEHOLDER, SEED_PLACEHOLDER]
    async with services.read() as session:
        conversation = await session.get(Conversation, first.conversation.id)
        notices = list(await session.scalars(select(Message.text).where(
            Message.conversation_id == first.conversation.id,
            Message.sender_kind == SenderKind.system)))
    assert conversation is not None and conversation.has_secret_redaction
    assert conversation.subject == SEED_PLACEHOLDER
    assert notices.count(i18n.text("secret_removed", conversation.language)) == 2
    assert bus.of_type("message_edited") == []  # nothing left to rewrite
    published = " ".join(str(e) for e in bus.published)
    assert " ".join(words[0:3]) not in published and " ".join(words[6:9]) not in published


async def test_phrase_sent_four_four_four_in_spanish(services, bus, make_team):
    await make_team("Support")
    words = phrase_of("spanish").split()
    for number, start in enumerate((0, 4, 8)):
        delivered = await receive_message(services, inbound(", ".join(words[start:start + 4]),
                                                            f"m{number}"))
    texts = await customer_texts(services, delivered.conversation.id)
    assert texts == [SEED_PLACEHOLDER] * 3
    # the first four words are rewritten when the next four make a fragment with them
    assert len(bus.of_type("message_edited")) == 1


async def test_extended_key_cut_in_two(services, bus, make_team):
    await make_team("Support")
    key = _xprv(random.Random(5))
    first = await receive_message(services, inbound("backup " + key[:60], "k1"))
    await receive_message(services, inbound(key[60:], "k2"))
    texts = await customer_texts(services, first.conversation.id)
    assert key[:60] not in texts[0] and key[60:] not in texts[1]
    assert KEY_PLACEHOLDER in texts[0] and KEY_PLACEHOLDER in texts[1]


async def test_bot_record_of_an_earlier_part_is_rewritten(services, bus, make_team):
    await make_team("Support")
    words = phrase_of("french").split()
    first = await receive_message(services, inbound(" ".join(words[:6]), "b1"))
    async with services.transaction() as session:  # the bot had answered the first part
        session.add(BotTurn(conversation_id=first.conversation.id, message_id=first.message.id,
                            query=first.message.text, language="fr", outcome="handed_off"))
    await receive_message(services, inbound(" ".join(words[6:]), "b2"))
    async with services.read() as session:
        queries = list(await session.scalars(select(BotTurn.query)))
    assert queries == [SEED_PLACEHOLDER]


async def test_messages_from_long_ago_are_not_read_together(services, bus, make_team):
    await make_team("Support")
    words = phrase_of("english").split()
    first = await receive_message(services, inbound(" ".join(words[:4]), "old"))
    async with services.transaction() as session:
        await session.execute(update(Message).where(Message.id == first.message.id)
                              .values(created_at=utcnow() - timedelta(hours=2)))
    second = await receive_message(services, inbound("and what about my balance today", "new"))
    texts = await customer_texts(services, first.conversation.id)
    assert texts[0] == " ".join(words[:4]) and second.message.text.endswith("today")
    assert bus.of_type("message_edited") == []


async def test_ordinary_messages_in_a_row_are_left_alone(services, bus, make_team):
    await make_team("Support")
    lines = ["hi, I sent 0.5 ETH to my own address", "it shows pending for an hour now",
             "can you check what is wrong please"]
    for number, line in enumerate(lines):
        delivered = await receive_message(services, inbound(line, f"o{number}"))
    assert await customer_texts(services, delivered.conversation.id) == lines
    assert bus.of_type("message_edited") == []


async def test_the_customers_screen_gets_the_earlier_message_replaced(services, live_server,
                                                                      make_team):
    from tests.live.helpers import customer

    await make_team("Support")
    import unicodedata

    words = unicodedata.normalize("NFC", phrase_of("korean")).split()
    visitor, _ = await customer(live_server.ws_url)
    first = await visitor.say(" ".join(words[:6]))
    assert first["message"]["text"] == " ".join(words[:6])
    await visitor.say(" ".join(words[6:]))
    seen = [f for f in visitor.frames if f.get("type") == "message_edited"]
    edited = seen[0] if seen else await visitor.expect_type("message_edited")
    assert edited["message"]["seq"] == first["message"]["seq"]
    assert edited["message"]["text"] == SEED_PLACEHOLDER
    await visitor.close()
