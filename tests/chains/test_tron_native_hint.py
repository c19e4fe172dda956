"""The customer's words name TRX (decision 0053): the TRON adapter asks for the transaction
beside its outcome, so a native TRX lookup takes one round trip, not two; without the hint a
token transfer stays one request. Either way the answer is the same. Against the local
TronGrid-format server (tests/chains/wire_servers.py): its gate holds every request, so what
reached it while held is what the lookup sent before any answer (one round trip)."""

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from tests.chains.desk import desk, say
from tests.chains.test_http_chains import trc20_transfer, tron_info
from tests.chains.test_lookup_routes import checked_a_while_ago
from tests.chains.test_tron_one_request import (
    INFO,
    OWNER,
    TO,
    TRANSACTION,
    asked,
    shown,
    trx_info,
    trx_transfer,
    txid,
    with_memo,
)
from tests.chains.wire_servers import Behaviour, trongrid
from tests.conftest import make_agent_in
from walletdesk.accounts.models import Role
from walletdesk.chains.actions import memo_missing, refresh_lookup
from walletdesk.chains.detection import ASSET_NATIVE, ASSET_TOKEN, asset_hint, detect
from walletdesk.chains.lookup import look_up_found
from walletdesk.chains.results import CONFIRMED, FAILED, NOT_FOUND, OUT_OF_ENERGY, PENDING

ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.mark.parametrize("text", [
    "I sent 100 TRX to my exchange", "sent 100 trx, not arrived", "1,500.5 TRX withdrawal",
    "1.5TRX", "TRX not received", "where is my TRX?", "my TRX deposit", "转了100个TRX没到账",
    "转了100trx", "TRX币没到", "trx币", "波场币没到账", "波場幣沒到帳", "提了 20 TRX 到钱包",
])
def test_words_that_name_trx(text):
    assert asset_hint(text) == ASSET_NATIVE


@pytest.mark.parametrize("text", [
    "USDT-TRC20 not received", "USDT TRC20", "sent 100 usdt", "my USDC deposit", "TRC-20",
    "trc_20 transfer", "转了100U没到账", "100U", "100 U", "50u到账了吗", "泰达币没到账",
    "泰達幣沒到帳", "代币转账", "代幣", "U币", "token transfer stuck", "stablecoin",
    # a token named wins: the TRX is the fee (and a token lookup is right without the hint)
    "100 USDT sent, paid 30 TRX fee", "TRX 手续费扣了但是 USDT 没到",
])
def test_words_that_name_a_token(text):
    assert asset_hint(text) == ASSET_TOKEN


@pytest.mark.parametrize("text", [
    "my trx is stuck", "trx hash: abc", "TRX hash: abc", "TRX ID 123", "my trx id is",
    "Trx pending since an hour", "sent via TRX network", "TRX链上转账", "the TRX哈希",
    "transfer on Tron", "波场转账没到", "can u help", "I sent 100 u know", "",
    f"to {ADDRESS}", "hello", "trxs",
])
def test_words_that_say_neither(text):
    # "trx" in small letters is a transaction ("my trx is stuck"), "TRX hash" a transaction's
    # hash, "TRX network" the network (a token's too): no hint, the outcome goes first
    assert asset_hint(text) is None


def test_hashes_and_addresses_are_not_words():
    # a base58 address may hold "TRX" or end in a digit and "U"
    assert asset_hint("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE sent 2TRXabcdefghijkmnopqrstuvU") is None
    assert asset_hint("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLS5U") is None
    assert detect(f"100 TRX {txid(1)}").asset == ASSET_NATIVE
    assert detect(f"USDT {txid(1)}").asset == ASSET_TOKEN
    assert detect(txid(1)).asset is None


async def held(behaviour: Behaviour, lookup: Awaitable[Any], *, both: bool,
               settle_s: float = 0.2) -> tuple[Any, list[str], list[str]]:
    """Run ``lookup`` with the server holding every request: the transaction requests that
    reached it before any answer, then all it asked once let go, and the lookup's result.

    ``both``: the caller expects the transaction's request beside the outcome's, so it is
    waited for (the 5 s bound is only reached when it never comes). Otherwise the transaction
    is given ``settle_s`` to come too: a slow machine can only let a wrong adapter pass that
    window, never fail a right one."""
    before = len(behaviour.paths)
    behaviour.gate = asyncio.Event()
    task = asyncio.ensure_future(lookup)
    try:
        async with asyncio.timeout(5):
            while INFO not in asked(behaviour, before):
                await asyncio.sleep(0.005)
        loop = asyncio.get_running_loop()
        until = loop.time() + (5.0 if both else settle_s)
        while TRANSACTION not in asked(behaviour, before) and loop.time() < until:
            await asyncio.sleep(0.005)
        first_round = sorted(asked(behaviour, before))
    finally:
        behaviour.gate.set()
    result = await task
    behaviour.gate = None
    return result, first_round, sorted(asked(behaviour, before))


async def test_a_trx_transfer_named_takes_one_round_trip_and_says_the_same(make_client):
    tx = txid(21)
    transactions = {tx: trx_transfer(tx, 1_500_000, memo="order 42")}
    infos = {tx: trx_info(tx, 77_000_010)}
    behaviour = Behaviour()
    async with trongrid(transactions, infos, 77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url})
        hinted, together, hinted_paths = await held(
            behaviour, client.look_up("tron", tx, native=True), both=True)
        plain, first, plain_paths = await held(
            behaviour, client.look_up("tron", tx, fresh=True), both=False)
    assert together == hinted_paths == sorted([INFO, TRANSACTION])  # both before any answer
    assert first == [INFO] and plain_paths == sorted([INFO, TRANSACTION])  # one after the other
    assert shown(hinted) == shown(plain) == {
        "chain": "tron", "status": CONFIRMED, "confirmations": 10, "block": 77_000_010,
        "amount": "1.5", "token": "TRX", "sender": OWNER, "recipient": TO, "memo": "order 42"}


async def test_a_usdt_transfer_without_the_hint_stays_one_request(make_client):
    tx = txid(22)
    behaviour = Behaviour()
    async with trongrid({tx: trc20_transfer(tx, 2_500_000)},
                        {tx: tron_info(tx, 77_000_000, "SUCCESS", 2_500_000)}, 77_000_019,
                        behaviour) as (server, _):
        client = make_client({"tron": server.url})
        said = detect(f"USDT-TRC20 转了 2.5U {tx}")
        outcome = await held(behaviour, look_up_found(
            client, said.transactions[0], said.hints, native=said.asset == ASSET_NATIVE),
            both=False)
    result, first, paths = outcome
    assert said.asset == ASSET_TOKEN
    assert first == paths == [INFO]
    assert (result.result.status, result.result.amount, result.result.token) == (
        CONFIRMED, "2.5", "USDT")


async def test_a_wrong_hint_costs_a_request_never_the_answer(make_client):
    # the hint said TRX; each of these reads exactly as without it
    usdt, memo_usdt, failed, pending, refused, missing = (txid(n) for n in range(31, 37))
    transactions = {usdt: trc20_transfer(usdt, 2_500_000),
                    memo_usdt: with_memo(trc20_transfer(memo_usdt, 9_000_000), "104772"),
                    failed: trc20_transfer(failed, 5_000_000, "OUT_OF_ENERGY"),
                    pending: trc20_transfer(pending, 1_000_000),
                    refused: trc20_transfer(refused, 1_000_000, "OUT_OF_ENERGY")}
    infos = {usdt: tron_info(usdt, 77_000_000, "SUCCESS", 2_500_000),
             failed: tron_info(failed, 77_000_001, "OUT_OF_ENERGY"),
             memo_usdt: tron_info(memo_usdt, 77_000_000, "SUCCESS", 9_000_000)}
    behaviour = Behaviour()
    async with trongrid(transactions, infos, 77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url})
        answers: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for tx in (usdt, memo_usdt, failed, pending, refused, missing):
            hinted, together, _ = await held(behaviour, client.look_up("tron", tx, native=True),
                                             both=True)
            plain = await client.look_up("tron", tx, fresh=True)
            assert together == sorted([INFO, TRANSACTION])  # the hint's cost: one request
            answers[tx] = shown(hinted), shown(plain)
    for hinted_shown, plain_shown in answers.values():
        assert hinted_shown == plain_shown
    # read from the outcome as without the hint, though the transaction came too: the same
    # fields (no memo for an address that needs none, decision 0052)
    assert answers[usdt][0]["token"] == "USDT"
    assert answers[memo_usdt][0]["amount"] == "9" and "memo" not in answers[memo_usdt][0]
    assert (answers[failed][0]["status"], answers[failed][0]["failure"]) == (
        FAILED, OUT_OF_ENERGY)
    assert answers[pending][0]["status"] == PENDING
    assert answers[refused][0]["status"] == FAILED
    assert answers[missing][0]["status"] == NOT_FOUND


async def test_a_memo_address_transfer_hinted_still_warns(make_client):
    tx = txid(40)
    memo_addresses = [{"chain": "tron", "address": TO, "name": "ExampleEx"}]
    behaviour = Behaviour()
    async with trongrid({tx: trx_transfer(tx, 3_000_000)}, {tx: trx_info(tx, 77_000_000)},
                        77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url}, chain_memo_addresses=memo_addresses)
        result, together, _ = await held(behaviour, client.look_up("tron", tx, native=True),
                                         both=True)
    assert together == sorted([INFO, TRANSACTION])
    assert (result.amount, result.token, result.memo) == ("3", "TRX", None)
    assert memo_missing(result, client.settings) == "ExampleEx"


async def test_the_hint_and_the_lookup_under_way_share_one_answer(make_client):
    # the cache key stays (chain, tx): a hinted and a plain lookup at once ask once
    tx = txid(41)
    behaviour = Behaviour()
    async with trongrid({tx: trx_transfer(tx, 1_000_000)}, {tx: trx_info(tx, 77_000_000)},
                        77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url})
        before = len(behaviour.paths)
        hinted, plain = await asyncio.gather(client.look_up("tron", tx, native=True),
                                             client.look_up("tron", tx))
        cached = await client.look_up("tron", tx)
    assert hinted is plain is cached
    assert sorted(asked(behaviour, before)) == sorted([INFO, TRANSACTION])


async def test_a_customer_naming_trx_is_answered_after_one_round_trip(database_url):
    tx = txid(42)
    behaviour = Behaviour()
    async with trongrid({tx: trx_transfer(tx, 100_000_000)}, {tx: trx_info(tx, 77_000_000)},
                        77_000_019, behaviour) as (server, _), \
            desk(database_url, {"tron": server.url}) as services:
        (_, replies, lookups), together, _ = await held(
            behaviour, say(services, f"I sent 100 TRX, hash {tx}, not arrived"), both=True)
    assert together == sorted([INFO, TRANSACTION])
    [answer] = [r.text for r in replies if (r.meta or {}).get("kind") == "chain_lookup"]
    assert "on TRON is confirmed" in answer and "TRC-20" not in answer  # a coin, not a token
    assert (lookups[0].status, lookups[0].result["amount"], lookups[0].result["token"]) == (
        CONFIRMED, "100", "TRX")


async def test_words_without_a_hint_then_the_agents_refresh_of_a_trx_transfer(database_url):
    # "my trx is stuck": a transaction, no hint: two round trips; the agent's refresh knows
    # from the stored answer that it is TRX: one
    tx = txid(43)
    behaviour = Behaviour()
    async with trongrid({tx: trx_transfer(tx, 5_000_000)}, {tx: trx_info(tx, 77_000_000)},
                        77_000_019, behaviour) as (server, _), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        (conversation, _, lookups), first, _ = await held(
            behaviour, say(services, f"my trx is stuck, hash {tx}"), both=False)
        admin = await make_agent_in(services, "Ada", role=Role.admin)
        await checked_a_while_ago(services, lookups[0].id)  # a refresh waits REFRESH_EVERY_S
        refreshed, together, _ = await held(
            behaviour, refresh_lookup(services, admin, conversation.id, lookups[0].id),
            both=True)
    assert first == [INFO]
    assert lookups[0].result["token"] == "TRX"
    assert together == sorted([INFO, TRANSACTION])
    assert (refreshed["status"], refreshed["result"]["amount"]) == (CONFIRMED, "5")
    assert refreshed["network"] == "TRON"  # the panel's name for a TRX transfer
