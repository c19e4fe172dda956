"""A 6-digit code typed when the bot sent none in the conversation is read as a code: the bot
says it sent none and asks what the customer needs (found in a walkthrough: it was matched
as a question and handed off as out of scope). During a verification a code still gets the
verification's answers. The bot's real message path, lexical matcher, both engines."""

from sqlalchemy import select

from tests.customers.test_code_limits import QUESTION, bot_texts, custodial_bot, say  # noqa: F401
from tests.email.conftest import mail_desk  # noqa: F401 - fixture
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Status
from walletdesk.customers.email_code import UNEXPECTED_CODE
from walletdesk.i18n import translate


async def test_a_code_nobody_asked_for_is_answered_as_a_code(services, custodial_bot):  # noqa: F811
    conversation, replies = await say(services, "123456")
    assert bot_texts(replies) == [translate(UNEXPECTED_CODE, "en")]
    assert "haven't sent you a code in this conversation" in bot_texts(replies)[0]
    assert conversation.status == Status.bot and conversation.handoff_reason is None
    async with services.read() as session:
        assert (await session.scalars(select(BotTurn))).all() == []  # not matched
    # still with the bot: the next message is a question like any other
    conversation, replies = await say(services, "my transfer is pending")
    assert conversation.status == Status.bot and bot_texts(replies)


async def test_in_the_customers_language_and_said_to_be_a_code(services, custodial_bot):  # noqa: F811
    conversation, replies = await say(services, "验证码是 654321", "zh", language="zh-CN")
    [told] = bot_texts(replies)
    assert told == translate(UNEXPECTED_CODE, "zh-Hans") and "验证码" in told
    assert conversation.status == Status.bot
    _, replies = await say(services, "el código es 111222", "es", language="es")
    assert bot_texts(replies) == [translate(UNEXPECTED_CODE, "es")]
    assert "código" in bot_texts(replies)[0]


async def test_during_a_verification_the_code_gets_the_verifications_answer(
        services, custodial_bot, mail_desk):  # noqa: F811
    conversation, _ = await say(services, QUESTION, "v")
    assert conversation.verification_state == "asked_email"
    _, replies = await say(services, "000000", "v")
    assert "haven't sent you a code yet" in bot_texts(replies)[-1]  # send the address first


async def test_an_amount_or_a_longer_question_is_not_a_code(services, custodial_bot):  # noqa: F811
    for text in ("$100000", "my 2fa code 123456 does not work"):
        _, replies = await say(services, text, text)
        assert translate(UNEXPECTED_CODE, "en") not in bot_texts(replies)
