"""Bitcoin (Esplora), TRON (TronGrid) and Solana (JSON-RPC) lookups against local servers
in each API's documented wire format; timeouts, 429s, malformed answers and chains without
an endpoint give a clear status, never an exception."""

from tests.chains.wire_servers import Behaviour, esplora, solana_rpc, trongrid
from walletdesk.chains.detection import detect
from walletdesk.chains.lookup import look_up_found
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    MALFORMED,
    NOT_FOUND,
    OUT_OF_ENERGY,
    PENDING,
    RATE_LIMITED,
    TIMEOUT,
    UNAVAILABLE,
    UNSUPPORTED,
)

BTC_TX = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
BTC_PENDING = "b" * 64
PAYEE, PAYER = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"


def esplora_tx(txid: str, confirmed: bool) -> dict:
    status = {"confirmed": True, "block_height": 870_000, "block_hash": "00" * 32,
              "block_time": 1764480000} if confirmed else {"confirmed": False}
    return {"txid": txid, "version": 2, "locktime": 0, "size": 222, "weight": 561, "fee": 1410,
            "vin": [{"txid": "c" * 64, "vout": 0, "is_coinbase": False, "sequence": 4294967293,
                     "prevout": {"scriptpubkey": "76a914", "scriptpubkey_type": "p2pkh",
                                 "scriptpubkey_address": PAYER, "value": 150_000_000}}],
            "vout": [{"scriptpubkey": "0014e8df", "scriptpubkey_type": "v0_p2wpkh",
                      "scriptpubkey_address": PAYEE, "value": 120_000_000},
                     {"scriptpubkey": "76a914", "scriptpubkey_type": "p2pkh",
                      "scriptpubkey_address": PAYER, "value": 29_998_590}],
            "status": status}


async def test_bitcoin_confirmed_pending_and_not_found(make_client):
    transactions = {BTC_TX: esplora_tx(BTC_TX, True), BTC_PENDING: esplora_tx(BTC_PENDING, False)}
    async with esplora(transactions, tip=870_005) as (server, _):
        client = make_client({"bitcoin": server.url + "/api"})
        confirmed = await client.look_up("bitcoin", BTC_TX)
        pending = await client.look_up("bitcoin", BTC_PENDING)
        missing = await client.look_up("bitcoin", "e" * 64)
    assert confirmed.status == CONFIRMED and confirmed.confirmations == 6
    assert (confirmed.amount, confirmed.token, confirmed.recipient) == ("1.2", "BTC", PAYEE)
    assert confirmed.sender == PAYER
    assert confirmed.explorer_url == f"https://mempool.space/tx/{BTC_TX}"
    assert pending.status == PENDING and pending.confirmations is None
    assert missing.status == NOT_FOUND


TRON_OK = "b3e4f5a6c7d8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192"
TRON_OOE = "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
TRON_PENDING = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
USDT_HEX = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"  # TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t
OWNER_HEX, TO_HEX = "41" + "11" * 20, "41" + "22" * 20
TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def trc20_transfer(txid: str, amount: int, result: str = "SUCCESS") -> dict:
    data = "a9059cbb" + TO_HEX[2:].rjust(64, "0") + hex(amount)[2:].rjust(64, "0")
    return {"ret": [{"contractRet": result}], "txID": txid, "signature": ["ab" * 65],
            "raw_data_hex": "0a02", "raw_data": {
                "contract": [{"parameter": {"value": {
                    "data": data, "owner_address": OWNER_HEX, "contract_address": USDT_HEX},
                    "type_url": "type.googleapis.com/protocol.TriggerSmartContract"},
                    "type": "TriggerSmartContract"}],
                "ref_block_bytes": "5e4b", "ref_block_hash": "ab" * 8,
                "expiration": 1764480060000, "fee_limit": 100_000_000,
                "timestamp": 1764480000000}}


def tron_info(txid: str, block: int, result: str, amount: int = 100_000_000) -> dict:
    """The outcome of a ``transfer`` call on USDT as TronGrid answers it: a successful one
    with the token's Transfer event (sender and recipient 32-byte padded, the amount in
    ``data``), a failed one with no event (reverted)."""
    info: dict = {"id": txid, "fee": 13_844_850, "blockNumber": block,
                  "blockTimeStamp": 1764480003000, "contractResult": [""],
                  "contract_address": USDT_HEX, "receipt": {
                      "energy_fee": 13_500_000, "energy_usage_total": 64_285, "net_usage": 345,
                      "result": result}}
    if result == "SUCCESS":
        info["contractResult"] = ["0" * 63 + "1"]
        info["log"] = [{"address": USDT_HEX[2:], "topics": [
            TRANSFER_TOPIC, OWNER_HEX[2:].rjust(64, "0"), TO_HEX[2:].rjust(64, "0")],
            "data": hex(amount)[2:].rjust(64, "0")}]
    else:
        info["result"] = "FAILED"
        info["resMessage"] = "4f5554204f4620454e45524759"
    return info


async def test_tron_trc20_confirmed_out_of_energy_and_pending(make_client):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000),
                    TRON_OOE: trc20_transfer(TRON_OOE, 5_000_000, "OUT_OF_ENERGY"),
                    TRON_PENDING: trc20_transfer(TRON_PENDING, 1_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS"),
             TRON_OOE: tron_info(TRON_OOE, 77_000_001, "OUT_OF_ENERGY")}
    async with trongrid(transactions, infos, now_block=77_000_019) as (server, _):
        client = make_client({"tron": server.url})
        said = detect(f"USDT-TRC20 转账 txid {TRON_OK} 还没到")
        outcome = await look_up_found(client, said.transactions[0], said.hints)
        failed = await client.look_up("tron", TRON_OOE)
        pending = await client.look_up("tron", TRON_PENDING)
        missing = await client.look_up("tron", "4" * 64)
    ok = outcome.result
    assert ok is not None and ok.chain == "tron" and ok.status == CONFIRMED
    assert ok.confirmations == 20
    assert (ok.amount, ok.token) == ("100", "USDT")
    assert ok.token_contract == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert ok.recipient is not None and detect(ok.recipient).addresses[0].families == ("tron",)
    assert (failed.status, failed.failure) == (FAILED, OUT_OF_ENERGY)
    assert pending.status == PENDING
    assert missing.status == NOT_FOUND


SOL_SIG = ("5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZ"
           "kQUW")
SOL_FAILED = ("3AsdoALgZFuq2oUVWrDYhg2pNeaLJKPLf8hU2mQ6U8qJxeJ6hsrPVpMn9ma39DtfYCrDQSvngWRP8NnTpEhe"
              "zJpE")
SOL_TO = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"


def sol_transaction(sig: str, err: object = None) -> dict:
    return {"slot": 299_999_990, "blockTime": 1764480000, "version": 0,
            "meta": {"err": err, "fee": 5000, "preBalances": [10, 0], "postBalances": [5, 5],
                     "logMessages": [], "preTokenBalances": [], "postTokenBalances": []},
            "transaction": {"signatures": [sig], "message": {
                "accountKeys": [{"pubkey": "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",
                                 "signer": True, "writable": True, "source": "transaction"}],
                "recentBlockhash": "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N",
                "instructions": [
                    {"program": "spl-token", "programId":
                     "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "stackHeight": None,
                     "parsed": {"type": "transferChecked", "info": {
                         "source": "Hs8Ad4zcXrJeCjDNfqRpY9c9Uyx3fgmKkKp8Yi1NdDhw",
                         "destination": SOL_TO,
                         "authority": "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",
                         "mint": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
                         "tokenAmount": {"amount": "12500000", "decimals": 6,
                                         "uiAmount": 12.5, "uiAmountString": "12.5"}}}},
                    {"program": "spl-memo", "programId":
                     "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "parsed": "order 42"}]}}}


async def test_solana_spl_transfer_confirmed_and_failed(make_client):
    statuses = {SOL_SIG: {"slot": 299_999_990, "confirmations": None, "err": None,
                          "status": {"Ok": None}, "confirmationStatus": "finalized"},
                SOL_FAILED: {"slot": 299_999_991, "confirmations": 10,
                             "err": {"InstructionError": [0, {"Custom": 1}]},
                             "status": {"Err": {"InstructionError": [0, {"Custom": 1}]}},
                             "confirmationStatus": "confirmed"}}
    transactions = {SOL_SIG: sol_transaction(SOL_SIG),
                    SOL_FAILED: sol_transaction(SOL_FAILED, {"InstructionError": [0, {"Custom": 1}]})}
    async with solana_rpc(statuses, transactions) as (server, _):
        client = make_client({"solana": server.url})
        said = detect(f"sent USDC on SOL, signature {SOL_SIG}")
        outcome = await look_up_found(client, said.transactions[0], said.hints)
        failed = await client.look_up("solana", SOL_FAILED)
        missing = await client.look_up("solana", SOL_SIG[::-1])
    ok = outcome.result
    assert ok is not None and ok.status == CONFIRMED and ok.confirmations == 32
    assert (ok.amount, ok.token, ok.recipient, ok.memo) == ("12.5", "USDC", SOL_TO, "order 42")
    assert (failed.status, failed.failure) == (FAILED, "reverted")
    assert missing.status == NOT_FOUND


async def test_timeouts_and_rate_limits_become_a_clear_status(make_client):
    slow = Behaviour()
    slow.delay_s = 1.0
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, slow) as (server, _):
        client = make_client({"bitcoin": server.url + "/api"}, chain_timeout_s=0.2,
                             chain_retries=1)
        timed_out = await client.look_up("bitcoin", BTC_TX)
        slow.delay_s, slow.answer_429 = 0.0, 10
        limited = await client.look_up("bitcoin", BTC_TX)
        slow.answer_429 = 0
        answered = await client.look_up("bitcoin", BTC_TX)
    assert (timed_out.status, timed_out.error) == (UNAVAILABLE, TIMEOUT)
    assert (limited.status, limited.error) == (UNAVAILABLE, RATE_LIMITED)
    assert answered.status == CONFIRMED  # an unavailable answer is not cached


async def test_malformed_answers_unknown_chains_and_hashes(make_client):
    async with solana_rpc({SOL_SIG: {"unexpected": True}}, {}) as (server, _):
        client = make_client({"solana": server.url})
        malformed = await client.look_up("solana", SOL_SIG)
    assert (malformed.status, malformed.error) == (UNAVAILABLE, MALFORMED)
    client = make_client({})
    unsupported = await client.look_up("bitcoin", BTC_TX)
    assert unsupported.status == UNSUPPORTED
    said = detect(f"my BEP20 transfer 0x{'ab' * 32}")
    outcome = await look_up_found(client, said.transactions[0], said.hints)
    assert outcome.result is not None and outcome.result.status == UNSUPPORTED
    assert outcome.result.chain == "bsc"  # named, not guessed elsewhere
    assert detect("txid 0x12345 and 0xZZ" + "a" * 62).transactions == []  # malformed: none


async def test_the_local_rate_limit_spaces_requests(make_client):
    behaviour = Behaviour()
    async with esplora({}, 1, behaviour) as (server, _):
        client = make_client({"bitcoin": server.url + "/api"}, chain_requests_per_s=1.0,
                             chain_timeout_s=0.5, chain_retries=0, chain_cache_ttl_s=0)
        first = await client.look_up("bitcoin", "a" * 64)
        second = await client.look_up("bitcoin", "b" * 64)
    assert first.status == NOT_FOUND
    # the bucket held one token: the second waits a second, past its 0.5 s timeout
    assert (second.status, second.error) == (UNAVAILABLE, RATE_LIMITED)
    assert behaviour.requests == 1


async def test_a_tron_hash_written_with_0x_is_looked_up_on_tron_when_named(make_client):
    # some wallets show TRON ids with 0x: "USDT TRC20 txid 0x…" was answered "I can't check
    # transfers on TRON" on a desk that checks TRON (the format read as EVM only)
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    async with trongrid(transactions, infos, now_block=77_000_019) as (server, _):
        client = make_client({"tron": server.url})
        said = detect(f"USDT TRC20 txid 0x{TRON_OK} not arrived")
        outcome = await look_up_found(client, said.transactions[0], said.hints)
    assert outcome.candidates.claimed == "tron" and outcome.named_elsewhere is None
    assert outcome.result is not None and outcome.result.status == CONFIRMED
    assert outcome.result.tx == TRON_OK
    assert outcome.result.explorer_url == f"https://tronscan.org/#/transaction/{TRON_OK}"


async def test_a_0x_hash_no_checked_network_fits_is_unsupported_not_a_question(make_client):
    # "which network (Ethereum, BSC …)?" on a desk that checks none of them led nowhere
    client = make_client({"tron": "http://127.0.0.1:9", "bitcoin": "http://127.0.0.1:9"})
    said = detect(f"where is my transfer? txid 0x{'6d' * 32}")
    outcome = await look_up_found(client, said.transactions[0], said.hints)
    assert outcome.result is not None and outcome.result.status == UNSUPPORTED
    assert outcome.result.chain == ""
    # a bare hash could be an EVM one once named: asked when an EVM network is checked
    evm_desk = make_client({"ethereum": "http://127.0.0.1:9"})
    said = detect(f"where is my transfer? txid {'6d' * 32}")
    assert (await look_up_found(evm_desk, said.transactions[0], said.hints)).ask_network
