"""Agent assist: articles that answer the customer's latest questions."""

from typing import Any

from sqlalchemy import select

from walletdesk.accounts.models import Agent
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.kb.text import markdown_to_chat_text
from walletdesk.services import Services

CONTEXT_MESSAGES = 3
SUGGESTIONS = 3


async def suggest_articles(services: Services, agent: Agent,
                           conversation_id: int) -> list[dict[str, Any]]:
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        texts = (await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation.id,
                                       Message.sender_kind == SenderKind.customer)
            .order_by(Message.seq.desc()).limit(CONTEXT_MESSAGES))).all()
    runtime = services.bot
    if runtime is None or not runtime.ready or not texts:
        return []
    result = await runtime.match(" ".join(reversed(texts)))
    language = conversation.language or result.language
    suggestions = []
    for slug, score in result.candidates[:SUGGESTIONS]:
        localized = runtime.article(slug, language)
        if localized is not None:
            suggestions.append({"slug": slug, "title": localized.title,
                                "answer": markdown_to_chat_text(localized.body),
                                "score": round(float(score), 4), "locale": localized.locale})
    return suggestions
