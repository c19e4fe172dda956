"""The one-time codes the bot mails are limited: a customer (or a script in the widget) who
sends the address again and again gets at most CODES_PER_CONVERSATION codes in a conversation,
CODES_PER_CUSTOMER per customer and CODES_PER_ADDRESS per address within the hour; then no
mail, a person verifies them (found in an adversarial review: every wrong or expired code
round could mail a new code, to any address). Real SMTP to a loopback relay, the bot's real
message path with the lexical matcher, both database engines."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from structlog.testing import capture_logs

from tests.email.conftest import MailDesk, mail_desk  # noqa: F401 - fixture
from walletdesk.bot.models import BotConfig
from walletdesk.bot.runtime import BotRuntime, lexical_matcher
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.email_code import (
    CODES_PER_ADDRESS,
    CODES_PER_CONVERSATION,
    CODES_PER_CUSTOMER,
)
from walletdesk.customers.models import EmailCode
from walletdesk.db.base import utcnow
from walletdesk.kb.actions import import_articles
from walletdesk.kb.queries import published_articles
from walletdesk.services import Services

ARTICLES = Path(__file__).resolve().parents[2] / "walletdesk" / "demo_content" / "articles.jsonl"
QUESTION = "why was my withdrawal rejected"  # the demo's withdrawal-review: needs the account


@pytest.fixture
async def custodial_bot(services, make_team):  # type: ignore[no-untyped-def]
    """The bot of an operator with custodial accounts, on the demo articles (lexical)."""
    await make_team("Support")
    async with services.transaction() as session:
        session.add(BotConfig(id=1, custody="custodial"))
    await import_articles(services, ARTICLES.read_text(encoding="utf-8").splitlines())
    async with services.read() as session:
        articles = await published_articles(session)
    runtime = BotRuntime("en")
    runtime.fallback = lexical_matcher(articles)
    runtime.articles = {a.slug: a for a in articles}
    services.bot = runtime
    yield runtime
    services.bot = None


async def say(services: Services, text: str, visitor: str = "v1", *, language: str = "en",
              new: bool = False) -> tuple[Conversation, list[Message]]:
    """The customer writes; the conversation after the bot, and the replies since."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language=language,
        new_conversation=new))
    async with services.read() as session:
        conversation = await session.get(Conversation, delivered.conversation.id)
        assert conversation is not None
        replies = (await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id,
                                  Message.seq > delivered.message.seq)
            .order_by(Message.seq))).all()
    return conversation, list(replies)


async def codes_for(services: Services, desk: MailDesk, visitor: str, addresses: list[str],
                    *, question: str = QUESTION, language: str = "en", new: bool = False
                    ) -> tuple[Conversation, list[Message]]:
    """A conversation about the account, then each address sent (its code mailed)."""
    conversation, replies = await say(services, question, visitor, language=language, new=new)
    assert conversation.verification_state == "asked_email", replies
    for address in addresses:
        conversation, replies = await say(services, address, visitor, language=language)
        await desk.run_jobs()
    return conversation, replies


def bot_texts(replies: list[Message]) -> list[str]:
    return [r.text for r in replies if r.sender_kind == SenderKind.bot]


async def code_rows(services: Services) -> int:
    async with services.read() as session:
        return int(await session.scalar(select(func.count(EmailCode.id))) or 0)


async def test_a_conversation_mails_three_codes_then_a_person_verifies(
        services, custodial_bot, mail_desk):  # noqa: F811
    address = "alice@example.com"
    with capture_logs() as logs:
        conversation, replies = await codes_for(services, mail_desk, "v1",
                                                [address] * CODES_PER_CONVERSATION)
        assert conversation.status == Status.bot and "a***@e***.com" in bot_texts(replies)[-1]
        assert len(mail_desk.relay.received) == CODES_PER_CONVERSATION
        conversation, replies = await say(services, f"again: {address}")  # one more
        await mail_desk.run_jobs()
    assert len(mail_desk.relay.received) == CODES_PER_CONVERSATION  # no mail
    assert await code_rows(services) == CODES_PER_CONVERSATION
    assert conversation.status != Status.bot
    assert conversation.handoff_reason == "verification_failed"
    assert conversation.verification_state == "failed"
    [told] = bot_texts(replies)  # one clear message: a person checks it's them
    assert "a person from our team needs to check it's you" in told
    assert any(entry["event"] == "verification_code_limit" and entry["limit"] == "conversation"
               for entry in logs)
    assert "alice" not in repr(logs)  # the address is never logged (nor a code: none sent)


async def test_the_refusal_is_in_the_customers_language(services, custodial_bot, mail_desk):  # noqa: F811
    await codes_for(services, mail_desk, "es1", ["ana@example.com"] * CODES_PER_CONVERSATION,
                    question="¿por qué rechazaron mi retiro?", language="es")
    conversation, replies = await say(services, "ana@example.com", "es1", language="es")
    assert conversation.handoff_reason == "verification_failed"
    [told] = bot_texts(replies)
    assert "persona" in told and "check" not in told


async def test_an_address_gets_five_codes_an_hour_whoever_asks(services, custodial_bot,
                                                               mail_desk):  # noqa: F811
    victim = "victim@example.com"
    await codes_for(services, mail_desk, "a", [victim] * 3)
    await codes_for(services, mail_desk, "b", [victim.upper()] * 2)
    assert len(mail_desk.relay.received) == CODES_PER_ADDRESS
    conversation, _ = await codes_for(services, mail_desk, "c", [victim])  # a third customer
    assert conversation.handoff_reason == "verification_failed"
    assert len(mail_desk.relay.received) == CODES_PER_ADDRESS
    conversation, _ = await codes_for(services, mail_desk, "d", ["other@example.com"])
    assert conversation.status == Status.bot  # another address is not limited by it
    assert mail_desk.relay.received[-1]["To"] == "other@example.com"
    async with services.transaction() as session:  # an hour later the address may get one
        await session.execute(update(EmailCode).values(
            created_at=utcnow() - timedelta(minutes=61)))
    conversation, _ = await codes_for(services, mail_desk, "e", [victim])
    assert conversation.status == Status.bot
    assert mail_desk.relay.received[-1]["To"] == victim


async def test_a_customer_gets_five_codes_an_hour_across_conversations(
        services, custodial_bot, mail_desk):  # noqa: F811
    await codes_for(services, mail_desk, "v", [f"a{i}@example.com" for i in range(3)])
    first = CODES_PER_CONVERSATION
    conversation, _ = await codes_for(
        services, mail_desk, "v", [f"b{i}@example.com" for i in range(CODES_PER_CUSTOMER - first)],
        new=True)
    assert conversation.status == Status.bot
    assert len(mail_desk.relay.received) == CODES_PER_CUSTOMER
    conversation, replies = await say(services, "c@example.com", "v")
    await mail_desk.run_jobs()
    assert len(mail_desk.relay.received) == CODES_PER_CUSTOMER
    assert conversation.handoff_reason == "verification_failed"
    assert "a person from our team needs to check it's you" in bot_texts(replies)[-1]
