"""A conversation's reason, for the bot's announcement first, is the category of the article
the customer picked from "Do you mean A or B?" (the second or third offered, too), not the
top candidate's. On SQLite and PostgreSQL."""

import pytest

from tests.bot.test_bot_flow import bot_on_demo_articles
from tests.bot.test_choices import Unsure
from tests.incidents.conftest import thread
from walletdesk.bot.actions import choose_article
from walletdesk.bot.choices import CHOSEN
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.incidents.actions import AnnouncementFields, create_announcement
from walletdesk.services import Services

# three close articles, all offered
FEES_FIRST = [("network-fees", 0.41), ("staking", 0.38), ("withdrawal-review", 0.35)]
WITHDRAWAL_FIRST = [("withdrawal-review", 0.41), ("network-fees", 0.38), ("staking", 0.35)]


@pytest.fixture
async def bot(services, make_team):
    await make_team("Support")
    async with bot_on_demo_articles(services, Unsure("en"), object(),
                                    max_failed_answers=3) as runtime:
        yield runtime


async def pick_then_ask(services: Services, slug: str) -> int:
    """The customer is offered a choice, picks ``slug``; a withdrawal incident is announced;
    the customer asks a question naming nothing it affects. The conversation's id."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="a question about my money", language="en"))
    conversation = delivered.conversation
    [question] = [m for m in await thread(services, conversation.id)
                  if (m.meta or {}).get("kind") == "suggestions"]
    turn = await choose_article(services, conversation.id, conversation.customer_id,
                                question.meta["turn_id"], slug)
    assert turn.outcome == CHOSEN and turn.article_slug == slug
    async with services.transaction() as session:
        await create_announcement(session, None, AnnouncementFields(
            texts={"en": ("Withdrawals are delayed", "They are queued; your funds are safe.")},
            severity="major", affected=["usdt", "tron"], contact_reasons=["withdrawal"],
            published=True))
    await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="any news?", conversation_id=conversation.id))
    return conversation.id


def announced(messages) -> bool:  # type: ignore[no-untyped-def]
    return any((m.meta or {}).get("kind") == "announcement" for m in messages)


@pytest.mark.parametrize(("offered", "slug", "related"), [
    (FEES_FIRST, "withdrawal-review", True),  # the third offered
    (FEES_FIRST, "staking", False),
    (WITHDRAWAL_FIRST, "network-fees", False),  # not the top candidate's reason
    (WITHDRAWAL_FIRST, "withdrawal-review", True),
])
async def test_the_picked_articles_category_is_the_conversations_reason(
        services, bot, offered, slug, related):
    bot.candidates = offered
    conversation_id = await pick_then_ask(services, slug)
    messages = await thread(services, conversation_id)
    assert announced(messages) is related, [m.text for m in messages]
