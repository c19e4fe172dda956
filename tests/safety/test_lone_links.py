"""A link, domain or handle pasted alone gets the official-channel check, as in a question.

Found in an outside review: "is this site legit https://demowallet-support.help/verify" got
the bot's "⚠️ Not official" warning, while the same link pasted alone (the way most people
forward what contacted them) was handed to a person as a question outside the knowledge
base, with no warning in the meantime. The check now reads a message that is only links,
domains or handles (defanged "hxxp" / "[.]", trailing punctuation, a Telegram @handle or
t.me link, a filler word such as "это", "这个", "mira" around it) as the same claim: the same
verdict, in the chat, with the conversation left with the bot. An official domain pasted
alone is official; a message with a question in it keeps the bot's usual path.

The bot runs the demo knowledge base's real engine (tests/bot/test_bot_flow.py) against
SQLite and PostgreSQL, with the demo's official channels (walletdesk.demo).
"""

import httpx
import pytest
from sqlalchemy import select

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 (the fixtures)
from walletdesk import i18n
from walletdesk.accounts.models import Role
from walletdesk.bot.actions import customer_feedback
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.conversations.workspace import open_conversation
from walletdesk.demo import OFFICIAL_CHANNELS
from walletdesk.safety.lookalike import (
    Channel,
    answered_alone,
    claims_to_check,
    refang,
    verify_channel,
)
from walletdesk.verification.actions import add_official_channel
from walletdesk.web.app import create_app

OFFICIAL = [Channel(kind, value, label) for kind, value, label in OFFICIAL_CHANNELS]


class Admin:
    id = None


@pytest.fixture
async def channels(services):  # type: ignore[no-untyped-def]
    for kind, value, label in OFFICIAL_CHANNELS:
        await add_official_channel(services, Admin(), kind=kind, value=value, label=label)


# (pasted alone, the link the check reads, its verdict against the demo's channels)
LONE = [
    # the review's three: fake support domains of no channel of ours
    ("https://walletdesk-support.help/verify", "https://walletdesk-support.help/verify",
     "not_official"),
    ("metamask-restore.app/connect?id=1", "metamask-restore.app/connect?id=1", "not_official"),
    ("www.trust-wallet-support.com", "www.trust-wallet-support.com", "not_official"),
    # imitations of the demo's own channels
    ("https://demowallet-support.help/verify", "https://demowallet-support.help/verify",
     "lookalike"),
    ("https://demowallet-support.help/verify.", "https://demowallet-support.help/verify",
     "lookalike"),
    ("demowallet-support.example!!", "demowallet-support.example", "lookalike"),
    ("hxxps://demowallet-help[.]com/login", "https://demowallet-help.com/login", "lookalike"),
    ("demowa11et[.]example", "demowa11et.example", "lookalike"),
    ("@DemoWallet_Help", "@DemoWallet_Help", "lookalike"),
    ("@DemoWallet_Help?", "@DemoWallet_Help", "lookalike"),
    ("t.me/DemoWallet_Support_Team", "t.me/DemoWallet_Support_Team", "lookalike"),
    ("https://t.me/DemoWalletSupport_bot", "https://t.me/DemoWalletSupport_bot", "lookalike"),
    ("  <https://dem0wallet.example/airdrop>  ", "https://dem0wallet.example/airdrop",
     "lookalike"),
    # a word around it, in the desk's languages
    ("это https://demowallet-support.help/verify", "https://demowallet-support.help/verify",
     "lookalike"),
    ("вот ссылка: t.me/DemoWallet_Help", "t.me/DemoWallet_Help", "lookalike"),
    ("这个 www.demowallet-help.com ？", "www.demowallet-help.com", "lookalike"),
    ("这个链接：demowallet-support.example", "demowallet-support.example", "lookalike"),
    ("請看 @DemoWallet_Help", "@DemoWallet_Help", "lookalike"),
    ("mira: demowallet-support.example", "demowallet-support.example", "lookalike"),
    ("¿y esto? www.trust-wallet-support.com", "www.trust-wallet-support.com", "not_official"),
    ("look at this https://walletdesk-support.help/verify",
     "https://walletdesk-support.help/verify", "not_official"),
    # ours, pasted alone: never called fake
    ("https://demowallet.example", "https://demowallet.example", "official"),
    ("demowallet.example", "demowallet.example", "official"),
    ("demowallet.example.", "demowallet.example", "official"),
    ("WWW.DEMOWALLET.EXAMPLE/", "WWW.DEMOWALLET.EXAMPLE/", "official"),
    ("https://help.demowallet.example/articles/fees", "https://help.demowallet.example/articles/fees",
     "official"),
    ("t.me/DemoWalletSupport", "t.me/DemoWalletSupport", "official"),
    ("@DemoWalletSupport", "@DemoWalletSupport", "official"),
    ("这个 https://demowallet.example/help", "https://demowallet.example/help", "official"),
]

# a question with one link in it: how the check was reached before (the verdict to match)
ASKED = "is this legit {claim}"

# not a pasted claim: the bot's usual path (a question, a file's name, a typo, no link)
NOT_CLAIMS = [
    "my withdrawal to binance.com has not arrived after 3 hours, what should I do",
    "I can't log in at https://demowallet.example/verify, it says error 502",
    "I really can't withdraw from binance.com",  # "real" only as a word asks about the link
    "how do I add a custom token",
    "screenshot.png",
    "hello.how are you",
    "withdraw.failed",
    "ok",
    "?????",
    "1.5",
    "v2.3.1",
    "",
]


@pytest.mark.parametrize(("text", "claim", "status"), LONE)
def test_a_lone_claim_is_read_as_the_claim_and_judged_as_in_a_question(text, claim, status):
    alone, asked = claims_to_check(text), claims_to_check(ASKED.format(claim=claim))
    assert (alone.values, alone.asked) == ([claim], False)
    assert (asked.values, asked.asked) == ([claim], True)
    assert verify_channel(claim, OFFICIAL).status == status
    if " " not in text.strip():  # /verify takes the paste as it is, punctuation and all
        assert verify_channel(text, OFFICIAL).status == status


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_a_message_that_is_no_pasted_claim_is_left_to_the_bot(text):
    claims = claims_to_check(text)
    # a link in a sentence that asks nothing: checked, and answered only if it imitates ours
    assert claims.values == [] or (claims.told and not claims.asked)


@pytest.mark.parametrize(("text", "answered"), [
    ("bob@gmail.com", False), ("+44 7700 900123", False),  # likely the customer's own
    ("support@demowallet-help.com", True), ("support@demowallet.example", True),
    ("+65 6123 4567", True), ("+44 6123 4567", True),
])
def test_an_email_or_number_alone_is_answered_when_ours_or_an_imitation(text, answered):
    assert claims_to_check(text).values == [text]
    assert answered_alone(verify_channel(text, OFFICIAL)) is answered


def test_several_claims_are_each_checked():
    assert claims_to_check("demowallet.example t.me/DemoWallet_Help").values == [
        "demowallet.example", "t.me/DemoWallet_Help"]
    assert claims_to_check("is demowallet.example or demowallet-help.com official?").values == [
        "demowallet.example", "demowallet-help.com"]
    assert claims_to_check("a.com b.com c.com d.com a.com").values == ["a.com", "b.com", "c.com"]


@pytest.mark.parametrize(("defanged", "link"), [
    ("hxxps://demowallet[.]com/x", "https://demowallet.com/x"),
    ("hXXp://demowallet(.)com", "http://demowallet.com"), ("demowallet[dot]com", "demowallet.com"),
    ("hxxps[:]//demowallet[.]com", "https://demowallet.com"),
])
def test_defanged_links_are_read_as_links(defanged, link):
    assert refang(defanged) == link


async def _verdict_turn(services, text, visitor, language="en"):  # type: ignore[no-untyped-def]
    conversation, replies, turns = await ask(services, text, visitor=visitor, language=language)
    return conversation, [r for r in replies if r.sender_kind == SenderKind.bot], turns


@pytest.mark.parametrize(("text", "claim", "status"), LONE)
async def test_the_bot_answers_a_lone_claim_with_the_questions_verdict(
        services, bot, channels, text, claim, status):  # noqa: F811
    lone, lone_replies, lone_turns = await _verdict_turn(services, text, "lone")
    asked, asked_replies, asked_turns = await _verdict_turn(
        services, ASKED.format(claim=claim), "asked")
    # the question's verdict (how the check worked before), and now the lone link's as well
    assert (asked_turns[-1].outcome, asked_turns[-1].reason) == ("verified", status)
    assert (lone_turns[-1].outcome, lone_turns[-1].reason) == ("verified", status), text
    assert lone.status == Status.bot and lone.handoff_reason is None  # no hand-off
    verdict = verify_channel(claim, OFFICIAL)
    assert lone_replies[0].meta["status"] == status
    assert lone_replies[0].text == i18n.verdict_text(
        status, lone.language, services.settings.brand_name,
        verdict.channel.value if verdict.channel else "")
    if status == "lookalike":
        assert lone_replies[0].text.startswith("⚠️")
    if status == "official":
        assert lone_replies[0].text.startswith("✅")
    else:
        assert not lone_replies[0].text.startswith("✅")


async def test_one_reply_per_claim_and_none_of_ours_hides_an_imitation(services, bot, channels):  # noqa: F811
    conversation, replies, turns = await _verdict_turn(
        services, "demowallet.example t.me/DemoWallet_Help", "two")
    assert conversation.status == Status.bot
    assert turns[-1].outcome == "verified" and turns[-1].reason == "lookalike"  # the worst
    assert [r.meta["status"] for r in replies] == ["official", "lookalike"]
    assert replies[0].text.startswith("demowallet.example") and "✅" in replies[0].text
    # the imitation is named without a link a mail client would make clickable
    assert replies[1].text.startswith("t[.]me/DemoWallet_Help") and "⚠️" in replies[1].text
    assert replies[-1].meta["actions"] == ["human"]


@pytest.mark.parametrize("text", [
    "what's the weather going to be in Paris tomorrow afternoon",
    "asdfgh qwerty zxcvb", "https://etherscan.io/tx/0x" + "ab" * 32, "bob@gmail.com",
])
async def test_unclear_messages_keep_the_bots_path(services, bot, channels, text):  # noqa: F811
    _, _, turns = await _verdict_turn(services, text, "unclear")
    assert turns[-1].outcome != "verified"


async def test_a_lookalike_email_alone_is_warned_about(services, bot, channels):  # noqa: F811
    conversation, replies, turns = await _verdict_turn(services, "support@demowallet-help.com",
                                                       "mail")
    assert turns[-1].outcome == "verified" and turns[-1].reason == "lookalike"
    assert replies[0].text.startswith("⚠️")


@pytest.mark.parametrize(("text", "language", "warning"), [
    ("это https://demowallet-support.help/verify", "ru", "⚠️ Not official"),
    ("这个 https://demowallet-support.help/verify", "zh-CN", "⚠️ 非官方"),
    ("mira demowallet-support.example", "es", "⚠️ No es oficial"),
])
async def test_the_warning_comes_in_the_customers_language(  # noqa: F811
        services, bot, channels, text, language, warning):  # noqa: F811
    conversation, replies, turns = await _verdict_turn(services, text, "lang", language)
    assert turns[-1].reason == "lookalike"
    expected = i18n.verdict_text("lookalike", conversation.language,
                                 services.settings.brand_name, "https://demowallet.example")
    assert replies[0].text == expected
    assert replies[0].text.startswith(warning)


async def test_a_lone_link_is_stored_and_shown_as_text(services, bot, channels):  # noqa: F811
    text = 'https://demowallet-help.com/"><script>alert(1)</script>'
    conversation, replies, turns = await _verdict_turn(services, text, "xss")
    async with services.read() as session:
        stored = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation.id,
            Message.sender_kind == SenderKind.customer))).one()
    assert stored.text == text  # as typed: the widget and workspace show it as text
    assert turns[-1].outcome == "verified" and turns[-1].reason == "lookalike"
    url = replies[0].meta["article"]["url"]
    assert url.startswith("/verify?value=") and not set('<>"\' ') & set(url)
    assert "<script>" not in replies[0].text
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as client:
        page = await client.get(url)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert 'value="https://demowallet-help.com/&#34;&gt;&lt;script&gt;alert(1)' in page.text


async def test_the_agent_sees_the_warning_the_customer_got(services, bot, channels, make_agent):  # noqa: F811
    conversation, replies, turns = await _verdict_turn(
        services, "https://demowallet-support.help/login", "agent")
    await customer_feedback(services, conversation.id, conversation.customer_id, turns[-1].id,
                            "human")
    lead = await make_agent("Lead", role=Role.supervisor)
    view = await open_conversation(services, lead, conversation.id)
    said = [(m["sender_kind"], m["text"], (m["meta"] or {}).get("status")) for m in view["messages"]]
    assert said[0] == (SenderKind.customer, "https://demowallet-support.help/login", None)
    assert said[1][0] == SenderKind.bot and said[1][1].startswith("⚠️ Not official")
    assert said[1][2] == "lookalike"
    assert [(t["outcome"], t["reason"]) for t in view["bot_turns"]] == [("verified", "lookalike")]
    async with services.read() as session:
        handed = await session.get(Conversation, conversation.id)
    assert handed.handoff_reason == "asked_for_human"  # a person only when asked for


@pytest.mark.parametrize(("text", "claim"), [
    ("someone on WhatsApp +44 7700 900123 says they are DemoWallet support and asked for my "
     "recovery phrase, is that you?", "+44 7700 900123"),
    ("WhatsApp 有個客服 +852 5555 1234 叫我俾助記詞，係咪你哋？", "+852 5555 1234"),
    ("a guy called me from 07700 900123 saying he is support is it really you", "07700 900123"),
    ("got an sms from 5555 1234 claiming to be your team", "5555 1234"),
    ("微信客服 13800138000 是不是你们的", "13800138000"),
    ("me escribieron por whatsapp desde el 5555 1234 dicen que son soporte, son ustedes?",
     "5555 1234"),
    ("support@demowallet-help.com says they are your team", "support@demowallet-help.com"),
])
def test_a_phone_number_or_address_from_fake_support_is_asked_about(text, claim):
    claims = claims_to_check(text)
    assert claims.asked and claims.values == [claim]


@pytest.mark.parametrize("text", [
    "my order number 12345678 is late", "i called you 3 times today",
    "whatsapp me at 5555 1234 when you can",
])
def test_a_number_not_asked_about_is_no_claim(text):
    assert claims_to_check(text).values == []


@pytest.mark.parametrize(("text", "language", "warning"), [
    ("they sent me this link https://demowallet-support.help/verify-wallet and said i need to "
     "sync my wallet there", "en", "⚠️ Not official"),
    ("客服发了这个 demowallet-support.example 叫我去同步钱包", "zh-CN", "⚠️ 非官方"),
    ("me mandaron https://demowallet-help.com/login para validar mi billetera", "es",
     "⚠️ No es oficial"),
])
async def test_an_imitation_told_of_in_a_sentence_is_warned_about(  # noqa: F811
        services, bot, channels, text, language, warning):  # noqa: F811
    """Found in an outside review: a fake link inside a sentence that asked nothing about it
    got the fake-support article and no verdict on the link."""
    conversation, replies, turns = await _verdict_turn(services, text, "told", language)
    assert turns[-1].outcome == "verified" and turns[-1].reason == "lookalike"
    assert any(reply.text.startswith(warning) for reply in replies), [r.text for r in replies]
    assert conversation.status == Status.bot


async def test_another_link_in_a_sentence_keeps_the_bots_path(services, bot, channels):  # noqa: F811
    _, replies, turns = await _verdict_turn(
        services, "my withdrawal to binance.com has not arrived after 3 hours, what should I do",
        "other")
    assert turns[-1].outcome != "verified"
    assert not any(reply.text.startswith(("⚠️ Not", "❌", "✅")) for reply in replies)
