"""A customer who picks the transfer article from the bot's "Do you mean A or B?" is asked
for the transaction hash, as after a direct answer with it; a pick of another article is
not, and a question is asked once. On SQLite and PostgreSQL."""

from sqlalchemy import select

from tests.chains.desk import desk, say
from walletdesk.bot.actions import customer_feedback
from walletdesk.bot.choices import CHOSEN
from walletdesk.bot.engine import MatchResult
from walletdesk.bot.models import BotTurn
from walletdesk.bot.runtime import BotRuntime
from walletdesk.chains.actions import look_up_message
from walletdesk.chains.listeners import ask_for_hash_on_pick
from walletdesk.chains.verify import ASK_HASH_KIND
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.services import Services

QUESTION = "my USDT has not arrived"
# the fee article first, the transfer article close behind: both offered
FEES_FIRST = [("network-fees", 0.41), ("transfer-pending", 0.35), ("staking", 0.01)]
TRANSFER_FIRST = [("transfer-pending", 0.41), ("network-fees", 0.35), ("staking", 0.01)]


class Unsure(BotRuntime):
    """The desk's articles, and a match that is always "suggest" over ``candidates``."""

    def __init__(self, base: BotRuntime, candidates: list[tuple[str, float]]) -> None:
        super().__init__("en")
        self.fallback, self.articles, self.candidates = base.fallback, base.articles, candidates

    async def match(self, text: str) -> MatchResult:  # type: ignore[override]
        return MatchResult("en", list(self.candidates), 0.4, "suggest", "unsure")


def unsure(services: Services, candidates: list[tuple[str, float]]) -> None:
    assert services.bot is not None
    services.bot = Unsure(services.bot, candidates)


def listen_to_picks(services: Services) -> None:
    """As each server process subscribes the handler to the bus."""
    services.bus.subscribe(lambda event: ask_for_hash_on_pick(services, event))


async def ask_then_pick(services: Services, slug: str) -> tuple[BotTurn, list[Message]]:
    """The customer asks, is offered a choice, picks ``slug``: the question's bot turn and
    the bot's messages."""
    conversation, replies, _ = await say(services, QUESTION)
    [choice] = [r for r in replies if (r.meta or {}).get("kind") == "suggestions"]
    await customer_feedback(services, conversation.id, conversation.customer_id,
                            choice.meta["turn_id"], "choose", slug=slug)
    async with services.read() as session:
        turn = await session.get(BotTurn, choice.meta["turn_id"])
    assert turn is not None
    return turn, await bot_messages(services, conversation.id)


async def bot_messages(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        return list((await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id,
                                  Message.sender_kind == SenderKind.bot)
            .order_by(Message.seq))).all())


def kinds(messages: list[Message]) -> list[str | None]:
    return [(m.meta or {}).get("kind") for m in messages]


async def test_picking_the_transfer_article_asks_for_the_hash(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        unsure(services, FEES_FIRST)
        listen_to_picks(services)
        turn, messages = await ask_then_pick(services, "transfer-pending")
    assert (turn.outcome, turn.article_slug) == (CHOSEN, "transfer-pending")
    assert kinds(messages) == ["suggestions", "answer", ASK_HASH_KIND]
    assert messages[-1].meta["turn_id"] == turn.id
    assert "hash" in messages[-1].text.lower()


async def test_a_turn_picked_before_the_lookup_reads_it_counts_as_answered(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        unsure(services, FEES_FIRST)  # no handler: the message's own listener decides
        turn, messages = await ask_then_pick(services, "transfer-pending")
        assert kinds(messages) == ["suggestions", "answer"]
        assert turn.message_id is not None
        await look_up_message(services, turn.conversation_id, turn.message_id, QUESTION,
                              with_bot=True)
        messages = await bot_messages(services, turn.conversation_id)
    assert kinds(messages) == ["suggestions", "answer", ASK_HASH_KIND]


async def test_picking_another_article_asks_nothing(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        unsure(services, FEES_FIRST)
        listen_to_picks(services)
        turn, messages = await ask_then_pick(services, "network-fees")
        assert turn.message_id is not None
        await look_up_message(services, turn.conversation_id, turn.message_id, QUESTION,
                              with_bot=True)
        messages = await bot_messages(services, turn.conversation_id)
    assert turn.outcome == CHOSEN
    assert kinds(messages) == ["suggestions", "answer"]


async def test_the_picked_top_suggestion_is_not_asked_for_twice(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        unsure(services, TRANSFER_FIRST)
        listen_to_picks(services)
        _, messages = await ask_then_pick(services, "transfer-pending")
    # the top suggestion is the transfer article: asked at once (as before), not again
    assert kinds(messages) == ["suggestions", ASK_HASH_KIND, "answer"]
