"""A hex run a few digits off a transaction hash (60–66 hex digits, not 64: a hash copied
short or with a character too many) is no transaction of any chain: the bot tells the
customer it looks incomplete and asks them to paste it again (found in an adversarial review:
62 hex digits alone were handed off with no word about them; with words around them the bot
asked for "the transaction hash" of someone who had just sent one). The full hash pasted
next is looked up. SQLite and PostgreSQL; a TronGrid-format server."""

from sqlalchemy import select

from tests.chains.desk import desk, say
from tests.chains.test_bot_leaves_transfers_to_lookup import confirmed_usdt
from tests.chains.test_http_chains import TRON_OK
from walletdesk.bot.lookup_fallback import hand_over_if_unanswered
from walletdesk.chains import texts
from walletdesk.chains.actions import short
from walletdesk.chains.detection import detect, incomplete_hashes
from walletdesk.chains.verify import ASK_HASH_KIND
from walletdesk.conversations.models import Message, SenderKind, Status

CUT = TRON_OK[:62]  # the last two digits lost when copied


def bot_messages(replies):  # type: ignore[no-untyped-def]
    return [r for r in replies if r.sender_kind == SenderKind.bot]


def asked_again(replies, language: str = "en", value: str = CUT) -> bool:  # type: ignore[no-untyped-def]
    wanted = texts.text("chain_ask_hash_incomplete", language, tx=short(value),
                        count=len(value.removeprefix("0x")))
    return any(r.text == wanted and r.meta["kind"] == ASK_HASH_KIND
               for r in bot_messages(replies))


def test_a_hex_run_near_a_hash_is_incomplete_never_a_transaction():
    assert incomplete_hashes(f"txid {CUT}") == [CUT]
    assert incomplete_hashes(f"0x{CUT}.") == [f"0x{CUT}"]
    assert incomplete_hashes(TRON_OK + "ab") == [TRON_OK + "ab"]  # a character or two too many
    assert incomplete_hashes(TRON_OK[:60]) == [TRON_OK[:60]]
    for whole in (TRON_OK, f"0x{TRON_OK}", TRON_OK[:59], TRON_OK[:40], TRON_OK + "abc"):
        assert incomplete_hashes(whole) == []  # a hash, an address, or too far off one
    assert detect(f"txid {CUT}").transactions == []  # never looked up


async def test_an_incomplete_hash_sent_alone_gets_asked_for_again(database_url):
    async with confirmed_usdt() as (tron, _), \
            desk(database_url, {"tron": tron.url}) as services:
        conversation, replies, lookups = await say(services, CUT)
        async with services.transaction() as session:  # the lookup's deadline, passed
            message_id = await session.scalar(select(Message.id).where(
                Message.conversation_id == conversation.id,
                Message.sender_kind == SenderKind.customer))
            assert message_id is not None
            handed = await hand_over_if_unanswered(session, services, conversation.id,
                                                   message_id)
    assert asked_again(replies)
    # not handed to a person first ("I'm passing you to a person" before the question), nor
    # at the lookup's deadline: the question was the lookup's answer
    assert conversation.status == Status.bot and not handed
    assert [r.meta["kind"] for r in bot_messages(replies)] == [ASK_HASH_KIND]
    assert "62 characters" in texts.text("chain_ask_hash_incomplete", "en", tx=short(CUT),
                                         count=62)
    assert lookups == []


async def test_with_words_it_is_asked_for_again_and_the_whole_hash_is_answered(database_url):
    async with confirmed_usdt() as (tron, _), \
            desk(database_url, {"tron": tron.url}) as services:
        conversation, replies, lookups = await say(
            services, f"my USDT transfer has not arrived, txid {CUT}")
        assert conversation.status == Status.bot and lookups == []
        assert asked_again(replies)
        # not the question for a hash the customer had just sent
        generic = texts.text("chain_ask_hash", "en")
        assert generic not in [r.text for r in bot_messages(replies)]
        conversation, replies, lookups = await say(services, TRON_OK)  # pasted again, whole
    assert conversation.status == Status.bot
    assert [lookup.status for lookup in lookups] == ["confirmed"]
    assert "100 USDT" in bot_messages(replies)[-1].text


async def test_asked_in_the_customers_language(database_url):
    async with confirmed_usdt() as (tron, _), \
            desk(database_url, {"tron": tron.url}) as services:
        _, replies, _ = await say(services, f"我的USDT转账没到账，哈希是 {CUT}", "zh",
                                  language="zh-CN")
    assert asked_again(replies, "zh-Hans")
    [told] = [r.text for r in bot_messages(replies) if r.meta.get("kind") == ASK_HASH_KIND]
    assert "62" in told and "哈希" in told
