"""Agent suggestions read the customer's last few messages, the latest weighing most, as
stored after the protect step."""

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from walletdesk.accounts.models import Role
from walletdesk.bot.assist import rank_by_conversation, suggest_articles

PHRASE = ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
          "abandon about")


def test_recent_messages_weigh_more_and_the_run_of_them_counts():
    latest, earlier = [("fees", 0.5), ("pending", 0.3)], [("pending", 0.9)]
    ranked = rank_by_conversation([latest, earlier])
    assert ranked[0][0] == "pending"  # 0.3 + 0.6 × 0.9 beats 0.5
    # as sure of each: the latest message wins
    assert rank_by_conversation([[("fees", 0.9)], [("pending", 0.9)]])[0][0] == "fees"
    assert rank_by_conversation([latest], joined=[("pending", 0.9)])[0][0] == "pending"
    assert all(0 <= score <= 1 for _, score in ranked)
    assert rank_by_conversation([]) == []


async def test_a_follow_up_finds_the_article_of_the_question_before_it(services, bot,  # noqa: F811
                                                                       make_agent):
    supervisor = await make_agent("Lead", role=Role.supervisor)
    conversation, _, _ = await ask(services, "I sent USDT to the wrong network", visitor="wn")
    await ask(services, "BSC, to my exchange account", visitor="wn")
    await ask(services, "talk to a person", visitor="wn")  # no topic: left out
    suggestions = await suggest_articles(services, supervisor, conversation.id)
    assert suggestions[0]["slug"] == "wrong-network"
    assert 0 < suggestions[0]["score"] <= 1 and suggestions[0]["locale"] == "en"


async def test_only_the_protected_text_reaches_the_matcher(services, bot, make_agent):  # noqa: F811
    seen: list[str] = []
    match = bot.match

    async def recording(text: str):  # type: ignore[no-untyped-def]
        seen.append(text)
        return await match(text)

    supervisor = await make_agent("Lead", role=Role.supervisor)
    conversation, _, _ = await ask(services, f"my phrase is {PHRASE}, did I back it up?",
                                   visitor="ph")
    bot.match = recording  # type: ignore[method-assign]
    suggestions = await suggest_articles(services, supervisor, conversation.id)
    assert seen and not any("abandon" in text for text in seen)
    assert suggestions
