"""TRON lookups ask TronGrid once for a TRC-20 transfer in a block (its outcome's Transfer
event), and the transaction too whenever the outcome does not tell the whole story (decision
0052): native TRX, failed calls, pending, not found, other contracts, and transfers to a
deposit address that needs a memo. Against the local TronGrid-format server
(tests/chains/wire_servers.py), counting the requests it saw."""

from typing import Any

from tests.chains.test_http_chains import (
    OWNER_HEX,
    TO_HEX,
    TRANSFER_TOPIC,
    USDT_HEX,
    trc20_transfer,
    tron_info,
)
from tests.chains.wire_servers import Behaviour, trongrid
from walletdesk.chains.actions import memo_missing
from walletdesk.chains.adapters.tron import tron_address
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    NOT_FOUND,
    OUT_OF_ENERGY,
    PENDING,
    REVERTED,
    TransferStatus,
)

INFO, TRANSACTION = "/wallet/gettransactioninfobyid", "/wallet/gettransactionbyid"
OWNER, TO = tron_address(OWNER_HEX), tron_address(TO_HEX)
ROUTER_HEX = "41" + "33" * 20  # a contract that is not the token (a swap, a batch payout)


def txid(n: int) -> str:
    return f"{n:064x}"


def trx_transfer(tx: str, sun: int, memo: str | None = None) -> dict[str, Any]:
    """A native TRX transfer (TransferContract) as gettransactionbyid answers it."""
    raw: dict[str, Any] = {
        "contract": [{"parameter": {"value": {
            "amount": sun, "owner_address": OWNER_HEX, "to_address": TO_HEX},
            "type_url": "type.googleapis.com/protocol.TransferContract"},
            "type": "TransferContract"}],
        "ref_block_bytes": "5e4b", "ref_block_hash": "ab" * 8,
        "expiration": 1764480060000, "timestamp": 1764480000000}
    if memo is not None:
        raw["data"] = memo.encode().hex()
    return {"ret": [{"contractRet": "SUCCESS"}], "txID": tx, "signature": ["ab" * 65],
            "raw_data_hex": "0a02", "raw_data": raw}


def trx_info(tx: str, block: int) -> dict[str, Any]:
    """A TRX transfer's outcome: no contract, no event, no receipt result (bandwidth only)."""
    return {"id": tx, "blockNumber": block, "blockTimeStamp": 1764480003000,
            "contractResult": [""], "receipt": {"net_usage": 268}}


def with_memo(transaction: dict[str, Any], memo: str) -> dict[str, Any]:
    return {**transaction, "raw_data": {**transaction["raw_data"], "data": memo.encode().hex()}}


def asked(behaviour: Behaviour, since: int) -> list[str]:
    """The transaction requests since ``since`` (the shared head left out)."""
    return [path for path in behaviour.paths[since:] if path != "/wallet/getnowblock"]


async def look_up(client: Any, behaviour: Behaviour, tx: str) -> tuple[TransferStatus,
                                                                     list[str]]:
    before = len(behaviour.paths)
    result = await client.look_up("tron", tx)
    return result, asked(behaviour, before)


async def looked_up(make_client: Any, transactions: dict[str, Any], infos: dict[str, Any],
                    *txs: str) -> list[tuple[TransferStatus, list[str]]]:
    """Each of ``txs`` looked up in turn on a TronGrid-format server that knows
    ``transactions`` and ``infos``: its answer and the requests it made."""
    behaviour = Behaviour()
    async with trongrid(transactions, infos, 77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url})
        return [await look_up(client, behaviour, tx) for tx in txs]


def shown(result: TransferStatus) -> dict[str, Any]:
    """What the customer and the agent are told of a lookup (all but the hash)."""
    return {k: v for k, v in result.to_json().items() if k not in ("tx", "explorer_url")}


async def test_a_trc20_transfer_is_one_request_and_says_what_two_said(make_client):
    one, two = txid(1), txid(2)
    transactions = {one: trc20_transfer(one, 2_500_000), two: trc20_transfer(two, 2_500_000)}
    # the second's outcome without its event: read from the transaction, as before 0052
    infos = {one: tron_info(one, 77_000_000, "SUCCESS", 2_500_000),
             two: {**tron_info(two, 77_000_000, "SUCCESS", 2_500_000), "log": []}}
    (from_outcome, asked_one), (from_transaction, asked_two) = await looked_up(
        make_client, transactions, infos, one, two)
    assert asked_one == [INFO]
    assert asked_two == [INFO, TRANSACTION]
    assert shown(from_outcome) == shown(from_transaction) == {
        "chain": "tron", "status": CONFIRMED, "confirmations": 20, "block": 77_000_000,
        "amount": "2.5", "token": "USDT", "token_contract": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "sender": OWNER, "recipient": TO}


async def test_a_trx_transfer_asks_the_transaction_too(make_client):
    tx = txid(3)
    transactions = {tx: trx_transfer(tx, 1_500_000, memo="order 42")}
    infos = {tx: trx_info(tx, 77_000_010)}
    [(result, paths)] = await looked_up(make_client, transactions, infos, tx)
    assert paths == [INFO, TRANSACTION]
    assert shown(result) == {
        "chain": "tron", "status": CONFIRMED, "confirmations": 10, "block": 77_000_010,
        "amount": "1.5", "token": "TRX", "sender": OWNER, "recipient": TO, "memo": "order 42"}


async def test_failed_token_transfers_are_read_from_their_call(make_client):
    out_of_energy, reverted = txid(4), txid(5)
    transactions = {out_of_energy: trc20_transfer(out_of_energy, 5_000_000, "OUT_OF_ENERGY"),
                    reverted: trc20_transfer(reverted, 7_000_000, "REVERT")}
    infos = {out_of_energy: tron_info(out_of_energy, 77_000_001, "OUT_OF_ENERGY"),
             reverted: tron_info(reverted, 77_000_002, "REVERT")}
    (energy, energy_paths), (revert, revert_paths) = await looked_up(
        make_client, transactions, infos, out_of_energy, reverted)
    assert energy_paths == revert_paths == [INFO, TRANSACTION]
    assert (energy.status, energy.failure, energy.amount, energy.token, energy.recipient,
            energy.confirmations) == (FAILED, OUT_OF_ENERGY, "5", "USDT", TO, 19)
    assert (revert.status, revert.failure, revert.amount, revert.sender) == (
        FAILED, REVERTED, "7", OWNER)


async def test_pending_and_not_found_are_told_by_the_transaction(make_client):
    pending, declared_failed, missing = txid(6), txid(7), txid(8)
    transactions = {pending: trc20_transfer(pending, 1_000_000),
                    declared_failed: trc20_transfer(declared_failed, 1_000_000, "OUT_OF_ENERGY")}
    (waiting, waiting_paths), (refused, refused_paths), (unknown, unknown_paths) = \
        await looked_up(make_client, transactions, {}, pending, declared_failed, missing)
    assert waiting_paths == refused_paths == unknown_paths == [INFO, TRANSACTION]
    assert (waiting.status, waiting.amount, waiting.recipient, waiting.confirmations) == (
        PENDING, "1", TO, None)
    assert (refused.status, refused.failure) == (FAILED, OUT_OF_ENERGY)
    assert (unknown.status, unknown.amount) == (NOT_FOUND, None)


async def test_a_transfer_made_by_another_contract_is_read_from_the_transaction(make_client):
    # a router called, the token's event emitted: not a transfer the customer's call made
    tx = txid(9)
    call = trc20_transfer(tx, 3_000_000)
    value = call["raw_data"]["contract"][0]["parameter"]["value"]
    value["contract_address"] = ROUTER_HEX
    value["data"] = "38ed1739" + "00" * 160  # swapExactTokensForTokens(…): not a transfer call
    infos = {tx: {**tron_info(tx, 77_000_000, "SUCCESS", 3_000_000),
                  "contract_address": ROUTER_HEX}}
    [(result, paths)] = await looked_up(make_client, {tx: call}, infos, tx)
    assert paths == [INFO, TRANSACTION]
    # as before 0052: the contract called, and no amount or recipient (not a transfer call)
    assert (result.status, result.token_contract, result.amount, result.recipient) == (
        CONFIRMED, tron_address(ROUTER_HEX), None, None)


async def test_a_second_event_sends_the_lookup_to_the_transaction(make_client):
    tx = txid(10)
    info = tron_info(tx, 77_000_000, "SUCCESS", 4_000_000)
    info["log"] = info["log"] * 2  # two Transfers: not one transfer's story
    [(result, paths)] = await looked_up(make_client, {tx: trc20_transfer(tx, 4_000_000)},
                                        {tx: info}, tx)
    assert paths == [INFO, TRANSACTION]
    assert (result.amount, result.token, result.recipient) == ("4", "USDT", TO)


async def test_a_deposit_address_that_needs_a_memo_reads_the_memo(make_client):
    with_one, without = txid(11), txid(12)
    transactions = {with_one: with_memo(trc20_transfer(with_one, 9_000_000), "104772"),
                    without: trc20_transfer(without, 9_000_000)}
    infos = {with_one: tron_info(with_one, 77_000_000, "SUCCESS", 9_000_000),
             without: tron_info(without, 77_000_000, "SUCCESS", 9_000_000)}
    memo_addresses = [{"chain": "tron", "address": TO, "name": "ExampleEx"}]
    behaviour = Behaviour()
    async with trongrid(transactions, infos, 77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url}, chain_memo_addresses=memo_addresses)
        carried, carried_paths = await look_up(client, behaviour, with_one)
        missing, missing_paths = await look_up(client, behaviour, without)
    assert carried_paths == missing_paths == [INFO, TRANSACTION]
    assert carried.memo == "104772" and memo_missing(carried, client.settings) is None
    assert missing.memo is None and memo_missing(missing, client.settings) == "ExampleEx"
    assert (carried.amount, carried.recipient) == ("9", TO)


async def test_an_event_of_another_shape_is_not_read(make_client):
    # an Approval-like event (same emitter, other signature): the transaction tells
    tx = txid(13)
    info = tron_info(tx, 77_000_000, "SUCCESS", 6_000_000)
    info["log"][0]["topics"][0] = "8c5be1e5" + TRANSFER_TOPIC[8:]
    [(result, paths)] = await looked_up(make_client, {tx: trc20_transfer(tx, 6_000_000)},
                                        {tx: info}, tx)
    assert paths == [INFO, TRANSACTION]
    assert (result.status, result.amount, result.token_contract) == (
        CONFIRMED, "6", tron_address(USDT_HEX))


async def test_a_mint_or_a_burn_is_not_read_as_a_transfer(make_client):
    minted, burnt = txid(14), txid(15)
    zero = "0" * 64
    mint_info = tron_info(minted, 77_000_000, "SUCCESS", 8_000_000)
    mint_info["log"][0]["topics"][1] = zero  # from nobody: minted (a deployment's too)
    burn_info = tron_info(burnt, 77_000_000, "SUCCESS", 8_000_000)
    burn_info["log"][0]["topics"][2] = zero  # to nobody: burnt
    transactions = {minted: trc20_transfer(minted, 8_000_000),
                    burnt: trc20_transfer(burnt, 8_000_000)}
    (mint, mint_paths), (burn, burn_paths) = await looked_up(
        make_client, transactions, {minted: mint_info, burnt: burn_info}, minted, burnt)
    assert mint_paths == burn_paths == [INFO, TRANSACTION]
    assert (mint.sender, burn.recipient) == (OWNER, TO)  # the transaction's, as before 0052
