"""Agent assist: articles that answer what the customer has been asking, not only their last line.

A customer explains over several messages ("I sent USDT to the wrong network" … "BSC, to my
exchange account"); the last one alone often names no topic. Each of the customer's last few
messages is matched on its own, and the whole run of them once more as one text; an article's
score is the weighted mean of its probabilities, the latest message weighing most. Messages
without a topic (a request for a person, small talk: "thanks", "hi") are left out, and a
greeting in front of a question is taken off it. Messages are
read as stored, i.e. after the protect step: a recovery phrase never reaches the matcher.
The answers are the articles' current text (walletdesk.bot.articles).
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from walletdesk.accounts.models import Agent
from walletdesk.bot.articles import current_articles
from walletdesk.bot.text import has_content
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.kb.text import markdown_to_chat_text
from walletdesk.services import Services
from walletdesk.small_talk import small_talk, without_greeting

CONTEXT_MESSAGES = 4  # the customer's last messages read
RECENCY = 0.6  # a message weighs this much of the one after it
JOINED_WEIGHT = 1.0  # the run of messages read as one text, against the latest message's 1
SUGGESTIONS = 3


def rank_by_conversation(latest_first: Sequence[Sequence[tuple[str, float]]],
                         joined: Sequence[tuple[str, float]] = ()) -> list[tuple[str, float]]:
    """Articles ranked over a conversation: ``latest_first`` holds each message's candidates
    (slug, probability), the latest message first; ``joined`` the candidates of all of them
    read as one text. Scores are weighted means, so they stay between 0 and 1."""
    scores: dict[str, float] = defaultdict(float)
    total = 0.0
    for age, candidates in enumerate(latest_first):
        weight = RECENCY ** age
        total += weight
        for slug, probability in candidates:
            scores[slug] += weight * probability
    if joined:
        total += JOINED_WEIGHT
        for slug, probability in joined:
            scores[slug] += JOINED_WEIGHT * probability
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(slug, score / total) for slug, score in ranked] if total else []


async def suggest_articles(services: Services, agent: Agent,
                           conversation_id: int) -> list[dict[str, Any]]:
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        texts = [without_greeting(text) for text in (await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation.id,
                                       Message.sender_kind == SenderKind.customer,
                                       Message.is_internal.is_(False))
            .order_by(Message.seq.desc()).limit(CONTEXT_MESSAGES))).all()
            if has_content(text) and small_talk(text) is None]
    runtime = services.bot
    if runtime is None or not runtime.ready or not texts:
        return []
    results = [(text, await runtime.match(text)) for text in texts]
    # "talk to a person", "thanks": no topic, so neither weight nor a place in the joined text
    topical = [(text, result) for text, result in results if result.candidates]
    joined = await runtime.match(" ".join(reversed([text for text, _ in topical]))) \
        if len(topical) > 1 else None
    ranked = rank_by_conversation([result.candidates for _, result in topical],
                                  joined.candidates if joined else ())
    language = conversation.language or results[0][1].language
    async with services.read() as session:
        current = await current_articles(session, [slug for slug, _ in ranked])
    ranked = [(slug, score) for slug, score in ranked if slug in current]
    suggestions = []
    for slug, score in ranked[:SUGGESTIONS]:
        localized = runtime.localize(current[slug], language)
        if localized is not None:
            suggestions.append({"slug": slug, "title": localized.title,
                                "answer": markdown_to_chat_text(localized.body),
                                "score": round(float(score), 4), "locale": localized.locale})
    return suggestions
