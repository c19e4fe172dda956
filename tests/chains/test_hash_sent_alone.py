"""A transaction id sent alone (64 hex digits, no word) after the desk asked for the hash is
checked on the chains before the message is stored: found, it is kept and looked up (from
the cache: one request); not found, no endpoint for its chains, an endpoint too slow: it is
removed as a private key. Never checked without the desk's question. SQLite and PostgreSQL;
real chain servers in the APIs' wire formats (tests/chains/wire_servers.py)."""

import asyncio
import os

import pytest

from tests.chains.desk import customer_texts, desk, say
from tests.chains.test_http_chains import BTC_TX, esplora_tx
from tests.chains.wire_servers import Behaviour, esplora
from walletdesk.bot.actions import NOT_LOOKED_UP
from walletdesk.chains.verify import asks_for_hash, transactions_on_chain
from walletdesk.conversations.models import SenderKind, Status
from walletdesk.safety.protect import KEY_PLACEHOLDER

ASK = "my transfer is stuck as pending for hours, can I speed it up?"  # the bot asks the hash
NOTICE = "For your safety we removed"


def chain_replies(replies):  # type: ignore[no-untyped-def]
    return [r for r in replies if r.sender_kind == SenderKind.bot
            and (r.meta or {}).get("kind") == "chain_lookup"]


async def asked(services) -> None:  # type: ignore[no-untyped-def]
    conversation, replies, _ = await say(services, ASK)
    assert conversation.status == Status.bot
    assert [(r.meta or {}).get("kind") for r in replies][-1] == "chain_ask_hash"


async def test_a_txid_sent_alone_after_the_question_is_kept_and_looked_up(database_url):
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}) as services:
        await asked(services)
        before = behaviour.requests
        conversation, replies, lookups = await say(services, BTC_TX)
        texts = await customer_texts(services, conversation.id)
    assert texts[-1] == BTC_TX
    assert not any(NOTICE in r.text for r in replies)
    [answer] = chain_replies(replies)
    assert answer.meta["status"] == "confirmed" and "1.2 BTC" in answer.text
    [lookup] = lookups
    assert (lookup.chain, lookup.status, lookup.tx) == ("bitcoin", "confirmed", BTC_TX)
    # the transaction and the tip height, asked once: the lookup after commit was the cache's
    assert behaviour.requests - before == 2


async def test_sure_and_the_txid_is_kept_too(database_url):
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}) as services:
        await asked(services)
        conversation, _, lookups = await say(services, f"sure: {BTC_TX}")
        texts = await customer_texts(services, conversation.id)
    assert texts[-1] == f"sure: {BTC_TX}"
    assert [lookup.status for lookup in lookups] == ["confirmed"]


async def test_a_value_the_chain_does_not_know_is_removed(database_url):
    value = os.urandom(32).hex()
    behaviour = Behaviour()
    async with esplora({}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}) as services:
        await asked(services)
        before = behaviour.requests
        conversation, replies, lookups = await say(services, value)
        texts = await customer_texts(services, conversation.id)
    assert texts[-1] == KEY_PLACEHOLDER
    assert any(NOTICE in r.text for r in replies if r.sender_kind == SenderKind.system)
    assert lookups == [] and 1 <= behaviour.requests - before <= 2  # asked, then removed


async def test_without_the_desks_question_the_chain_is_not_asked(database_url):
    value = os.urandom(32).hex()
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}) as services:
        conversation, _, _ = await say(services, "hello")
        _, _, lookups = await say(services, BTC_TX)  # a real txid, but nobody asked for one
        await say(services, value)
        texts = await customer_texts(services, conversation.id)
    assert texts[1:] == [KEY_PLACEHOLDER, KEY_PLACEHOLDER]
    assert lookups == [] and behaviour.requests == 0


@pytest.mark.parametrize("endpoints", [
    # a Solana endpoint: the bot asks for hashes, but 64 hex is a Bitcoin or TRON shape
    {"solana": "http://127.0.0.1:9"},
    {"bitcoin": "http://127.0.0.1:9"},  # the Bitcoin endpoint refuses the connection
], ids=["no_endpoint_for_the_shape", "endpoint_refuses"])
async def test_a_value_no_chain_can_confirm_is_removed(database_url, endpoints):
    async with desk(database_url, endpoints) as services:
        await asked(services)
        conversation, replies, lookups = await say(services, BTC_TX)
        texts = await customer_texts(services, conversation.id)
    assert texts[-1] == KEY_PLACEHOLDER
    assert any(NOTICE in r.text for r in replies) and lookups == []


async def test_no_endpoint_at_all_keeps_nothing(services):
    assert await transactions_on_chain(services, [BTC_TX], BTC_TX) == frozenset()


async def test_an_endpoint_too_slow_removes_it_without_waiting_for_its_answer(database_url):
    # the endpoint holds every request until the gate opens: the message is stored (the
    # value removed, though the transaction exists) while the request is still unanswered,
    # so the timeout cut it short (no duration asserted: docs/development.md)
    behaviour = Behaviour()
    behaviour.gate = asyncio.Event()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, chain_timeout_s=0.5,
                 chain_retries=0) as services:
        await asked(services)
        try:
            conversation, replies, _ = await say(services, BTC_TX)
            assert behaviour.requests >= 1 and not behaviour.gate.is_set()
        finally:
            behaviour.gate.set()
        texts = await customer_texts(services, conversation.id)
    assert texts[-1] == KEY_PLACEHOLDER
    assert any(NOTICE in r.text for r in replies)


def test_what_asks_for_a_hash():
    assert asks_for_hash("whatever", {"kind": "chain_ask_hash"})
    assert asks_for_hash("Could you send me the TxID of the transfer?", None)
    assert asks_for_hash("Please paste the transaction hash here", {})
    assert asks_for_hash("请发送交易哈希", None)
    assert not asks_for_hash("Thanks, I'll look into your account.", None)


SHAPE_NOTICE = "send the link to the transfer on a block explorer"


async def test_a_hash_sent_unasked_is_told_how_to_send_a_transaction_id(database_url):
    # the demo's flow (no TRON endpoint): an article answered, then the TRON hash alone. It
    # had the key notice ("treat the wallet as compromised") and the bot offered articles
    # about bridges for "[private key removed]"; now the notice names the shape and says how
    # to send a transaction id, the bot adds nothing, and the explorer link is kept
    async with desk(database_url, {}) as services:
        conversation, replies, _ = await say(services, "my usdt transfer is still pending")
        assert [r.meta.get("kind") for r in replies] == ["answer"]
        _, replies, _ = await say(services, BTC_TX)
        assert [(r.sender_kind, SHAPE_NOTICE in r.text) for r in replies] == [
            (SenderKind.system, True)]
        link = f"https://tronscan.org/#/transaction/{BTC_TX}"
        conversation, replies, _ = await say(services, link)
        texts = await customer_texts(services, conversation.id)
    assert texts[1:] == [KEY_PLACEHOLDER, link]
    # the link names the transfer: the desk cannot look it up, says so, and links the article
    assert conversation.language == "en" and conversation.status == Status.bot
    assert [r.meta.get("kind") for r in replies] == [NOT_LOOKED_UP, "answer"]
    assert not any(NOTICE in r.text for r in replies)


@pytest.mark.parametrize("text", [
    f"my private key is {BTC_TX}",  # named a key: the usual notice
    "abandon " * 11 + "about",  # a recovery phrase
])
async def test_a_secret_named_or_a_phrase_has_the_usual_notice(database_url, text):
    async with desk(database_url, {}) as services:
        conversation, _, _ = await say(services, "my usdt transfer is still pending")
        assert conversation.status == Status.bot  # answered: the bot reads what follows
        _, replies, _ = await say(services, text)
    notices = [r.text for r in replies if r.sender_kind == SenderKind.system]
    assert len(notices) == 1 and NOTICE in notices[0] and SHAPE_NOTICE not in notices[0]
    assert "treat the wallet as compromised" in notices[0]


async def test_a_question_beside_a_removed_key_is_still_answered(database_url):
    async with desk(database_url, {}) as services:
        conversation, _, _ = await say(services, "my usdt transfer is still pending")
        assert conversation.status == Status.bot  # answered: the bot reads what follows
        _, replies, _ = await say(services, f"my transfer is still pending, key {BTC_TX}")
    assert [r.sender_kind for r in replies] == [SenderKind.system, SenderKind.bot]


@pytest.mark.parametrize("text", [BTC_TX, f"please check {BTC_TX}"])
async def test_a_hash_as_the_first_message_has_the_shape_notice(database_url, text):
    # a new conversation was protected without reading the shape: it had the key notice
    async with desk(database_url, {}) as services:
        conversation, replies, _ = await say(services, text)
        texts = await customer_texts(services, conversation.id)
    notices = [r.text for r in replies if r.sender_kind == SenderKind.system]
    assert texts[0] == text.replace(BTC_TX, KEY_PLACEHOLDER)
    assert len(notices) == 1 and SHAPE_NOTICE in notices[0]


async def test_a_key_named_in_the_first_message_keeps_the_usual_notice(database_url):
    async with desk(database_url, {}) as services:
        _, replies, _ = await say(services, f"my private key is {BTC_TX}")
    notices = [r.text for r in replies if r.sender_kind == SenderKind.system]
    assert len(notices) == 1 and SHAPE_NOTICE not in notices[0]
    assert "treat the wallet as compromised" in notices[0]
