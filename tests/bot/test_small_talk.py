"""Small talk (walletdesk.small_talk): a greeting gets a welcome that asks for the
question, thanks / ok / bye a short acknowledgement, in the customer's language; neither is a
failed turn or a hand-off, and a greeting in front of a question is taken off before matching."""

import pytest
from sqlalchemy import select

from tests.bot.test_bot_flow import bot_on_demo_articles
from walletdesk.bot.actions import GREETINGS_BEFORE_PERSON, NO_QUESTION, SMALL_TALK, customer_feedback
from walletdesk.bot.engine import MatchResult
from walletdesk.bot.models import BotTurn
from walletdesk.bot.runtime import BotRuntime
from walletdesk.bot.text import detect_language, message_language
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.i18n import translate
from walletdesk.small_talk import (
    ACK,
    FAREWELL,
    GREETING,
    REPLIES,
    THANKS,
    small_talk,
    without_greeting,
)


@pytest.mark.parametrize(("text", "kind"), [
    ("Hi", GREETING), ("hello?", GREETING), ("hiii", GREETING), ("Hi! 👋", GREETING),
    ("Goood morning!!", GREETING), ("is anyone there?", GREETING), ("hi there", GREETING),
    ("I have a question", GREETING), ("你好", GREETING), ("在吗", GREETING),
    ("在吗？", GREETING), ("您好，在吗？", GREETING), ("哈囉", GREETING), ("有冇人", GREETING),
    ("在唔在呀", GREETING), ("Hola", GREETING), ("¡Buenas tardes!", GREETING),
    ("thanks", THANKS), ("THANK YOU", THANKS), ("ok thanks", THANKS), ("thx!", THANKS),
    ("谢谢", THANKS), ("多谢多谢", THANKS), ("唔該", THANKS), ("唔該晒", THANKS),
    ("gracias!!", THANKS), ("¡Muchas gracias! 🙏", THANKS),
    ("ok", ACK), ("okay 👍", ACK), ("got it", ACK), ("好的", ACK), ("收到", ACK),
    ("明白咗", ACK), ("vale", ACK), ("👍", ACK),
    ("bye", FAREWELL), ("Bye bye!", FAREWELL), ("再见", FAREWELL), ("拜拜", FAREWELL),
    ("adiós", FAREWELL),
])
def test_small_talk_in_every_language_of_the_desk(text, kind):
    found = small_talk(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", [
    "my USDT hasn't arrived", "hi, my USDT hasn't arrived", "hello world", "yes", "no",
    "客服", "转人工", "human", "talk to a person", "2", "the first one", "thanks, but it "
    "still hasn't arrived", "好的，那手续费是多少", "gracias pero no llegó", "😀😀😀", "", "?!",
    "there", "hi " * 40,
])
def test_anything_more_than_small_talk_is_matched(text):
    assert small_talk(text) is None


@pytest.mark.parametrize(("text", "question"), [
    ("hi, my USDT hasn't arrived", "my USDT hasn't arrived"),
    ("Hello? Is anyone there? My transfer is stuck", "My transfer is stuck"),
    ("你好，我的USDT没到账", "我的USDT没到账"),
    ("你好我的USDT没到账", "我的USDT没到账"),
    ("Hola, mi USDT no ha llegado", "mi USDT no ha llegado"),
    ("早上转的币还没到", "早上转的币还没到"),  # 早 is no greeting here
    ("I need help with my wallet", "I need help with my wallet"),  # an opening, kept
    ("his wallet is empty", "his wallet is empty"),
    ("hi", "hi"),
])
def test_a_greeting_in_front_of_a_question_is_taken_off(text, question):
    assert without_greeting(text) == question


@pytest.mark.parametrize(("text", "current", "language"), [
    ("Hola", "en", "es"), ("ok", "es", "es"), ("hello", "zh-Hans", "zh-Hans"),
    ("你好", "en", "zh-Hans"), ("你好", "zh-Hant", "zh-Hant"), ("哈囉", "en", "zh-Hant"),
    ("唔該", None, "zh-Hant"), ("thanks", "es", "en"), ("👍", "es", "es"),
    ("hello 在吗", "en", "zh-Hans"),
])
def test_the_reply_speaks_the_customers_language(text, current, language):
    talk = small_talk(text)
    assert talk is not None and talk.language(text, current, message_language) == language


class Scripted(BotRuntime):
    """The demo articles, and a match that answers transfer-pending for a question about a
    transfer and is unsure otherwise; it records what it was asked to match."""

    asked: list[str]

    async def match(self, text: str) -> MatchResult:  # type: ignore[override]
        self.asked.append(text)
        if "usdt" in text.lower() or "arrived" in text.lower():
            return MatchResult(detect_language(text), [("transfer-pending", 0.9),
                                                       ("network-fees", 0.05)], 0.9, "answer")
        return MatchResult(detect_language(text), [("backup-wallet", 0.4),
                                                   ("import-wallet", 0.35)], 0.4, "suggest",
                           "unsure")


@pytest.fixture
async def bot(services, make_team):
    await make_team("Support")
    runtime = Scripted("en")
    runtime.asked = []
    async with bot_on_demo_articles(services, runtime, object(), max_failed_answers=2) as ready:
        yield ready


async def say(services, text, visitor="v1", language="en"):  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language=language))
    async with services.read() as session:
        conversation = await session.get(Conversation, delivered.conversation.id)
        messages = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation.id).order_by(Message.seq))).all()
        turns = (await session.scalars(select(BotTurn).where(
            BotTurn.conversation_id == conversation.id).order_by(BotTurn.id))).all()
    return conversation, list(messages), list(turns)


@pytest.mark.parametrize(("text", "widget", "language"), [
    ("Hi", "en", "en"), ("你好", "zh-CN", "zh-Hans"), ("在吗？", "zh-CN", "zh-Hans"),
    ("哈囉", "zh-HK", "zh-Hant"), ("Hola", "en", "es"),
])
async def test_a_greeting_is_welcomed_not_handed_off(services, bot, text, widget, language):
    conversation, messages, turns = await say(services, text, visitor=text, language=widget)
    assert conversation.status == Status.bot and conversation.assignee_id is None
    assert conversation.handoff_reason is None and conversation.language == language
    welcome = messages[-1]
    assert welcome.sender_kind == SenderKind.bot and welcome.meta["kind"] == SMALL_TALK
    assert welcome.text == translate(REPLIES[GREETING], language)
    assert welcome.meta["actions"] == ["human"]  # a person is offered, not forced
    assert [(t.outcome, t.reason) for t in turns] == [(SMALL_TALK, GREETING)]
    assert bot.asked == []  # nothing was matched
    assert services.bus.of_type("bot.turn")[-1]["outcome"] == SMALL_TALK  # type: ignore[attr-defined]


async def test_thanks_after_an_answer_is_acknowledged(services, bot):
    await say(services, "my USDT hasn't arrived", visitor="t")
    conversation, messages, turns = await say(services, "ok thanks!", visitor="t")
    assert conversation.status == Status.bot and conversation.handoff_reason is None
    assert messages[-1].text == translate(REPLIES[THANKS], "en")
    assert messages[-1].meta["actions"] == []
    assert [t.outcome for t in turns] == ["answered", SMALL_TALK]
    assert turns[0].helpful is None  # thanks is not read as "solved"


async def test_thanks_after_solved_leaves_the_conversation_resolved(services, bot):
    conversation, _, turns = await say(services, "my USDT hasn't arrived", visitor="s")
    await customer_feedback(services, conversation.id, conversation.customer_id, turns[-1].id,
                            "solved")
    conversation, messages, turns = await say(services, "谢谢", visitor="s")
    assert conversation.status == Status.resolved and conversation.resolved_at is not None
    assert conversation.assignee_id is None and conversation.handoff_reason is None
    assert messages[-1].meta["kind"] == SMALL_TALK
    assert turns[-1].outcome == SMALL_TALK
    # a question after it is the bot's again, as before
    conversation, _, turns = await say(services, "my USDT hasn't arrived", visitor="s")
    assert conversation.status == Status.bot and turns[-1].outcome == "answered"


async def test_small_talk_is_no_failed_turn(services, bot):
    """Two unsure turns hand off (max_failed_answers=2); small talk between them neither
    counts nor resets the count."""
    conversation, _, _ = await say(services, "my wallet on a new phone", visitor="f")
    for text in ("ok", "thanks", "👍"):
        conversation, _, turns = await say(services, text, visitor="f")
        assert conversation.status == Status.bot
    conversation, _, turns = await say(services, "my wallet on a new phone", visitor="f")
    assert conversation.status == Status.queued
    assert turns[-1].reason == "repeated_failure"


async def test_greetings_with_no_question_go_to_a_person_the_third_time(services, bot):
    for count, text in enumerate(("hi", "hello?", "在吗"), start=1):
        conversation, messages, turns = await say(services, text, visitor="g")
        if count < GREETINGS_BEFORE_PERSON:
            assert conversation.status == Status.bot
    assert conversation.status == Status.queued and conversation.handoff_reason == NO_QUESTION
    assert [(t.outcome, t.reason) for t in turns][-1] == ("handed_off", NO_QUESTION)
    handoff = translate("I'm passing you to a person from our support team. They'll see "
                        "everything above.", "zh-Hans")  # in the language of the last greeting
    assert handoff in [m.text for m in messages if m.sender_kind == SenderKind.bot]


async def test_a_question_between_greetings_starts_the_count_again(services, bot):
    for text in ("hi", "hello", "my USDT hasn't arrived", "hi", "hello"):
        conversation, _, _ = await say(services, text, visitor="q")
    assert conversation.status == Status.bot


async def test_a_greeting_in_front_of_a_question_is_not_matched(services, bot):
    conversation, messages, turns = await say(services, "hi, my USDT hasn't arrived",
                                              visitor="h")
    assert bot.asked == ["my USDT hasn't arrived"]
    assert turns[-1].outcome == "answered" and turns[-1].query == "hi, my USDT hasn't arrived"
    assert messages[-1].meta["article"]["slug"] == "transfer-pending"
