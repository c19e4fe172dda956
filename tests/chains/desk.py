"""A desk (services on the test database) with chain endpoints and the demo articles
answered by the bot's lexical matcher (no engine build: fast and deterministic)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import RecordingBus, make_settings, wipe
from walletdesk.accounts.actions import create_team
from walletdesk.bot.runtime import BotRuntime, lexical_matcher
from walletdesk.chains.listeners import settled, stop_lookups
from walletdesk.chains.models import ChainLookup
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.kb.actions import import_articles
from walletdesk.kb.queries import published_articles
from walletdesk.services import Services

DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "walletdesk" / "demo_content" / \
    "articles.jsonl"


@asynccontextmanager
async def desk(database_url: str, endpoints: dict[str, str], *, bot: bool = True,
               **overrides: Any) -> AsyncIterator[Services]:
    values: dict[str, Any] = {"chain_timeout_s": 1.0, "chain_retries": 1,
                              "chain_requests_per_s": 1000.0, **overrides}
    settings = make_settings(database_url, chain_endpoints=endpoints, **values)
    services = Services(settings, bus=RecordingBus())
    await services.start()
    try:
        async with services.transaction() as session:
            await create_team(session, None, name="Support")
        if bot:
            await import_articles(services, DEMO_ARTICLES.read_text(encoding="utf-8").splitlines())
            runtime = BotRuntime("en")
            async with services.read() as session:
                articles = await published_articles(session)
            runtime.fallback = lexical_matcher(articles)
            runtime.articles = {a.slug: a for a in articles}
            services.bot = runtime
        yield services
    finally:
        services.bot = None
        await stop_lookups(services)
        await wipe(services.db)
        await services.stop()


async def say(services: Services, text: str, visitor: str = "v1",
              language: str = "en") -> tuple[Conversation, list[Message], list[ChainLookup]]:
    """The customer writes; the conversation after the listeners, the replies since, the
    conversation's lookups (oldest first)."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language=language))
    await settled()  # the lookups run beside the listeners (walletdesk.chains.listeners)
    async with services.read() as session:
        conversation = await session.get(Conversation, delivered.conversation.id)
        assert conversation is not None
        replies = (await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id,
                                  Message.seq > delivered.message.seq)
            .order_by(Message.seq))).all()
        lookups = (await session.scalars(
            select(ChainLookup).where(ChainLookup.conversation_id == conversation.id)
            .order_by(ChainLookup.id))).all()
    return conversation, list(replies), list(lookups)


async def customer_texts(services: Services, conversation_id: int) -> list[str]:
    """The customer's messages of a conversation as stored, in order."""
    async with services.read() as session:
        return list((await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id,
                                       Message.sender_kind == SenderKind.customer)
            .order_by(Message.seq))).all())
