"""The operator's sensitive phrases go to a person in the words customers use for them: "我的币被偷了"
on a desk that lists 被盗 and stolen was answered with the stolen-funds article."""

import pytest

from tests.bot.test_bot_flow import ask, bot_on_demo_articles, demo_engine  # noqa: F401
from walletdesk.bot.runtime import BotRuntime
from walletdesk.bot.sensitive import names_sensitive_topic
from walletdesk.conversations.models import Status

DEMO_PHRASES = ("被盗", "stolen", "hacked", "robado")  # walletdesk.demo's settings


@pytest.fixture
async def phrases_only(services, make_team, demo_engine):  # noqa: F811
    """The demo articles and phrases, without the demo's "incident" category for people: the
    phrases alone must find stolen funds."""
    await make_team("Support")
    async with bot_on_demo_articles(services, BotRuntime("en"), demo_engine,
                                    sensitive_phrases=list(DEMO_PHRASES),
                                    max_failed_answers=2) as runtime:
        yield runtime


STOLEN = ["我的币被偷了", "我的币被偷走了", "我的币被人偷了", "有人偷走了我的USDT",
          "我的幣被偷了", "我的錢包被盜了", "資產被盜走了", "我的幣被人偷走了",
          "me robaron mis USDT", "fue un robo, ya no tengo fondos", "alguien robó mis fondos",
          "my coins were stolen", "my wallet got hacked", "my wallet was drained overnight"]


@pytest.mark.parametrize("text", STOLEN)
async def test_stolen_funds_in_any_wording_hand_off_as_sensitive(services, phrases_only, text):
    conversation, _, turns = await ask(services, text, visitor=f"v{STOLEN.index(text)}")
    assert (turns[-1].outcome, turns[-1].reason) == ("handed_off", "sensitive_topic")
    assert conversation.handoff_reason == "sensitive_topic"
    assert conversation.status == Status.queued


def test_a_phrase_stands_for_its_notion_and_other_words_are_matched_whole() -> None:
    assert names_sensitive_topic("我的幣被偷了", ("被盗",))
    assert names_sensitive_topic("me robaron el celular", ("stolen",))
    assert names_sensitive_topic("轉帳被盜", ("被盗",))  # a phrase, folded to one script
    assert not names_sensitive_topic("is this a robot?", ("robado",))  # robo is a whole word
    assert not names_sensitive_topic("my coins were stolen", ())  # the operator listed none
    assert not names_sensitive_topic("how do I back up my wallet", DEMO_PHRASES)
    # a phrase outside the glossary is matched as written, in either script
    assert names_sensitive_topic("我要投訴", ("投诉",))
