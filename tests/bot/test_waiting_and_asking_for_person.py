"""Fake support with a phone number gets the official-channel warning; while the customer
waits for a person (handed off, no agent has answered) only that check still answers; asking
for a person is read in every language the desk speaks, however it is written."""

import pytest

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from walletdesk.accounts.models import Role
from walletdesk.bot.engine import asks_for_human
from walletdesk.bot.text import normalise
from walletdesk.conversations.actions import send_message
from walletdesk.conversations.models import SenderKind, Status


async def _official_channels(services):  # type: ignore[no-untyped-def]
    from walletdesk.verification.actions import add_official_channel

    class Admin:
        id = None

    await add_official_channel(services, Admin(), kind="telegram", value="@DemoWalletSupport")
    await add_official_channel(services, Admin(), kind="phone", value="+1 415 555 0100")


@pytest.mark.parametrize(("text", "language", "warning"), [
    ("someone on WhatsApp +44 7700 900123 says they are DemoWallet support and asked for my "
     "recovery phrase, is that you?", "en", "recovery phrase"),
    ("WhatsApp 有個客服 +852 5555 1234 叫我俾助記詞，係咪你哋？", "zh-HK", "❌"),
    ("a guy called me from 07700 900123 saying he is demowallet support is it really you",
     "en", "recovery phrase"),
    ("me escribieron por whatsapp desde el 5555 1234 dicen que son soporte, son ustedes?",
     "es", "❌"),
])
async def test_fake_support_with_a_phone_number_gets_the_warning(services, bot, text, language,  # noqa: F811
                                                                 warning):
    await _official_channels(services)
    conversation, replies, turns = await ask(services, text, visitor="phone", language=language)
    assert turns[-1].outcome == "verified" and turns[-1].reason == "not_official"
    assert replies[0].sender_kind == SenderKind.bot and replies[0].meta["kind"] == "verification"
    assert warning in replies[0].text
    assert conversation.status == Status.bot  # the warning, not a silent hand-off


async def test_while_waiting_for_a_person_only_the_channel_check_answers(services, bot):  # noqa: F811
    await _official_channels(services)
    conversation, _, _ = await ask(services, "转人工", visitor="wait", language="zh-CN")
    assert conversation.status == Status.queued
    conversation, replies, turns = await ask(
        services, "有个电报客服 @DemoWallet_Kefu 说要我验证钱包，是你们吗？", visitor="wait",
        language="zh-CN")
    assert conversation.status == Status.queued  # still waiting for the person
    assert turns[-1].outcome == "verified" and turns[-1].reason == "lookalike"
    assert [r.meta["kind"] for r in replies] == ["verification"]
    assert "@DemoWalletSupport" in replies[0].text
    assert replies[0].meta["actions"] == []  # they already asked for a person
    # an ordinary question is not answered while they wait
    _, replies, turns_after = await ask(services, "转账一直显示pending，好几个小时了",
                                        visitor="wait", language="zh-CN")
    assert not [r for r in replies if r.sender_kind == SenderKind.bot]
    assert len(turns_after) == len(turns)
    # an imitation pasted alone, or told of, while they wait is warned about (outside review:
    # after the hand-off the bot went quiet and the pasted link was never checked)
    for text in ("t.me/DemoWallet_Kefu", "他们又发了这个 t.me/DemoWallet_Help 叫我登录"):
        _, replies, turns_after = await ask(services, text, visitor="wait", language="zh-CN")
        assert turns_after[-1].reason == "lookalike", text
        assert [r.meta["kind"] for r in replies if r.sender_kind == SenderKind.bot] \
            == ["verification"]
    # another link told of while they wait is left to the person
    _, replies, _ = await ask(services, "我从 binance.com 提币到钱包还没到", visitor="wait",
                              language="zh-CN")
    assert not [r for r in replies if r.sender_kind == SenderKind.bot]


async def test_after_an_agent_replied_the_bot_says_nothing(services, bot, make_agent):  # noqa: F811
    await _official_channels(services)
    conversation, _, _ = await ask(services, "talk to a human", visitor="joined")
    assert conversation.status == Status.queued
    admin = await make_agent("Ada", role=Role.admin)
    await send_message(services, admin, conversation.id, "Hi, I'm Ada, looking at it now")
    conversation, replies, turns = await ask(
        services, "is @DemoWallet_Kefu on telegram really you?", visitor="joined")
    assert not [r for r in replies if r.sender_kind == SenderKind.bot]
    assert all(turn.outcome != "verified" for turn in turns)


ASKS = [
    "I want a human", "i want human", "need agent pls", "i need a real person",
    "can i speak to a real person", "give me a real person", "connect me to an agent",
    "get me a human now", "human please", "i wanna talk to someone", "talk to a human",
    "i need to speak with support staff", "is there a human here", "transfer me to agent",
    "want to talk to customer service", "Agent", "representative pls",
    "quiero un agente", "necesito hablar con una persona", "quiero hablar con alguien",
    "pasame con un humano", "dame un asesor porfa", "quiero una persona real",
    "agente por favor",
    "转人工", "我要人工", "找客服", "我要真人", "给我转人工客服", "能不能接人工",
    "想跟客服说话", "人工",
    "轉人工", "我要搵真人", "唔該轉人工", "想同客服傾", "我要找真人客服", "給我人工",
]
NOT_ASKS = [
    "a person sent me USDT", "my human error", "agent error", "someone sent me usdt on tron",
    "the agent in the app says error", "una persona me envió USDT", "un error humano",
    "人工智能钱包安全吗", "提现在人工审核", "客服说我的提现到账了",
    "are you a robot or a human being",
    # a word for a person inside another word
    "want a replacement, device is defective", "can i get a repeat prescription",
    "do I get a personal account manager at VIP 3", "i need a staffing agency",
]


@pytest.mark.parametrize("text", ASKS)
def test_asking_for_a_person_is_read_however_it_is_written(text):
    assert asks_for_human(normalise(text))


@pytest.mark.parametrize("text", NOT_ASKS)
def test_a_person_named_without_asking_for_one_is_no_request(text):
    assert not asks_for_human(normalise(text))


async def test_i_want_a_human_is_handed_off_as_asked_for_human(services, bot):  # noqa: F811
    conversation, _, turns = await ask(services, "I want a human", visitor="want")
    assert conversation.status == Status.queued
    assert conversation.handoff_reason == "asked_for_human"
    assert turns[-1].reason == "asked_for_human"
