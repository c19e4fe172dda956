"""EVM lookups through web3.py's AsyncHTTPProvider against eth-tester's in-process chain,
served over real HTTP JSON-RPC, with real transactions."""

from tests.chains.evm_chain import evm_endpoint
from walletdesk.chains.detection import detect
from walletdesk.chains.lookup import look_up_found
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    MALFORMED,
    NOT_FOUND,
    OUT_OF_GAS,
    PENDING,
    RATE_LIMITED,
    REVERTED,
    UNAVAILABLE,
)


async def test_a_confirmed_native_transfer(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        a = chain.accounts
        tx = chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 2 * 10**18})
        chain.tester.mine_blocks(2)
        result = await client.look_up("ethereum", tx.to_0x_hex())
    assert result.status == CONFIRMED
    assert result.confirmations == 3
    assert (result.amount, result.token) == ("2", "ETH")
    assert result.recipient == a[1].lower() and result.sender == a[0].lower()
    assert result.explorer_url == f"https://etherscan.io/tx/{tx.to_0x_hex()}"


async def test_an_erc20_transfer_is_read_from_its_transfer_log(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"bsc": server.url},
                             chain_explorers={"bsc": "https://explorer.example/{tx}"})
        a = chain.accounts
        token = chain.deploy_token()
        tx = chain.token(token).functions.transfer(a[2], 25_500_000).transact(
            {"from": a[0], "gas": 100_000})
        result = await client.look_up("bsc", tx.to_0x_hex())
    assert result.status == CONFIRMED
    # a fresh contract calling itself USDT: its decimals read, its symbol not its name (0054)
    assert (result.amount, result.token, result.claimed_token) == ("25.5", None, "USDT")
    assert result.unverified_token and result.token_contract == token.lower()
    assert result.recipient == a[2].lower()
    assert result.explorer_url == f"https://explorer.example/{tx.to_0x_hex()}"


async def test_reverted_and_out_of_gas_are_told_apart(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        a = chain.accounts
        contract = chain.token(chain.deploy_token(supply=10))
        too_much = contract.functions.transfer(a[2], 11).transact({"from": a[0], "gas": 100_000})
        no_gas = contract.functions.transfer(a[2], 1).transact({"from": a[0], "gas": 23_000})
        reverted = await client.look_up("ethereum", too_much.to_0x_hex())
        out_of_gas = await client.look_up("ethereum", no_gas.to_0x_hex())
    assert (reverted.status, reverted.failure) == (FAILED, REVERTED)
    assert (out_of_gas.status, out_of_gas.failure) == (FAILED, OUT_OF_GAS)
    # what it tried (a token the desk does not know: unverified, decision 0054)
    assert reverted.claimed_token == "USDT" and reverted.recipient == a[2].lower()
    assert reverted.token is None and reverted.unverified_token


async def test_a_pending_transfer_shows_its_fee_against_the_base_fee(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        a = chain.accounts
        chain.tester.disable_auto_mine_transactions()
        tx = chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 10**17,
                                            "maxFeePerGas": 3 * 10**9,
                                            "maxPriorityFeePerGas": 10**9})
        pending = await client.look_up("ethereum", tx.to_0x_hex())
        chain.tester.mine_blocks(1)
        mined = await client.look_up("ethereum", tx.to_0x_hex(), fresh=True)
    assert pending.status == PENDING and pending.confirmations is None
    assert pending.fee_offered_gwei == "3"
    assert pending.base_fee_gwei is not None and float(pending.base_fee_gwei) > 0
    assert not pending.underpriced
    assert mined.status == CONFIRMED


async def test_an_unknown_hash_is_not_found_and_a_wrong_network_is_recognised(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url, "tron": "http://127.0.0.1:9"})
        a = chain.accounts
        tx = chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 10**18})
        missing = await client.look_up("ethereum", "0x" + "ab" * 32)
        said = detect(f"I sent USDT-TRC20, txid {tx.to_0x_hex()}")
        outcome = await look_up_found(client, said.transactions[0], said.hints)
    assert missing.status == NOT_FOUND
    assert outcome.result is not None and outcome.result.status == CONFIRMED
    assert outcome.result.chain == "ethereum" and outcome.named_elsewhere == "tron"


async def test_rate_limit_answers_are_retried_then_reported(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url}, chain_retries=2)
        a = chain.accounts
        tx = chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 1})
        chain.answer_429 = 1  # one 429, then answers
        recovered = await client.look_up("ethereum", tx.to_0x_hex())
        chain.answer_429 = 100
        limited = await client.look_up("ethereum", "0x" + "cd" * 32)
    assert recovered.status == CONFIRMED
    assert (limited.status, limited.error) == (UNAVAILABLE, RATE_LIMITED)


async def test_a_malformed_answer_is_reported_not_raised(make_client):
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.conftest import serving

    async def garbage(request):  # type: ignore[no-untyped-def]
        return Response("<html>not json-rpc</html>", media_type="text/html")

    async with serving(Starlette(routes=[Route("/", garbage, methods=["POST"])])) as server:
        client = make_client({"ethereum": server.url})
        result = await client.look_up("ethereum", "0x" + "ef" * 32)
    assert (result.status, result.error) == (UNAVAILABLE, MALFORMED)
