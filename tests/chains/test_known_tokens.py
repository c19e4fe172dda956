"""A token is named by its contract, never by what the contract says of itself (decision
0054): anyone can deploy a contract whose ``symbol()`` is "USDT". Against eth-tester's
in-process chain over real JSON-RPC (EVM), TronGrid- and Solana-format servers, and the bot
answering on SQLite and PostgreSQL."""

import copy
from typing import Any

import pytest
from eth_utils import to_checksum_address
from pydantic import ValidationError

from tests.chains.desk import desk, say
from tests.chains.evm_chain import evm_endpoint
from tests.chains.test_http_chains import (
    SOL_SIG,
    TRON_OK,
    USDT_HEX,
    sol_transaction,
    trc20_transfer,
    tron_info,
)
from tests.chains.wire_servers import solana_rpc, trongrid
from walletdesk.chains import texts
from walletdesk.chains.adapters.tron import tron_address
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.networks import EVM, NETWORKS
from walletdesk.chains.results import CONFIRMED, FAILED, TransferStatus
from walletdesk.chains.tokens import KNOWN_TOKENS, imitated, known_tokens, parse_entry
from walletdesk.config import Settings
from walletdesk.conversations.models import SenderKind

FAKE_USDT_SENT = 25_500_000  # 25.5 in the test token's 6 decimals


def sent_fake_usdt(chain: Any) -> tuple[str, str]:
    """A fresh contract whose symbol() is "USDT" (tests/chains/evm_chain.py) and a transfer
    of 25.5 of it: (contract, transaction hash)."""
    a = chain.accounts
    token = chain.deploy_token()
    tx = chain.token(token).functions.transfer(a[2], FAKE_USDT_SENT).transact(
        {"from": a[0], "gas": 100_000})
    return token, tx.to_0x_hex()


async def test_a_token_calling_itself_usdt_at_a_fresh_address_is_unverified(make_client):
    async with evm_endpoint() as (chain, server):
        token, tx = sent_fake_usdt(chain)
        client = make_client({"ethereum": server.url})
        result = await client.look_up("ethereum", tx)
    assert result.status == CONFIRMED
    assert result.token is None  # not named by its own symbol()
    assert (result.unverified_token, result.claimed_token, result.imitated_token) == (
        True, "USDT", "USDT")
    assert (result.amount, result.token_contract) == ("25.5", token.lower())  # its decimals
    # stored as it was found, and read back the same
    stored = result.to_json()
    assert (stored["unverified_token"], stored["claimed_token"]) == (True, "USDT")
    assert "token" not in stored
    assert TransferStatus.from_json(stored) == result


async def test_a_failed_transfer_of_an_unknown_token_is_unverified_too(make_client):
    async with evm_endpoint() as (chain, server):
        a = chain.accounts
        contract = chain.token(chain.deploy_token(supply=10))
        tx = contract.functions.transfer(a[2], 11).transact({"from": a[0], "gas": 100_000})
        client = make_client({"ethereum": server.url})
        result = await client.look_up("ethereum", tx.to_0x_hex())
    assert result.status == FAILED
    assert (result.token, result.unverified_token, result.claimed_token) == (None, True, "USDT")


async def test_a_token_the_operator_registered_is_named_by_the_setting(make_client):
    async with evm_endpoint() as (chain, server):
        token, tx = sent_fake_usdt(chain)
        # mixed case as explorers write it; named by the entry, not by its symbol() "USDT"
        client = make_client({"bsc": server.url},
                             chain_known_tokens=[f"bsc:{to_checksum_address(token)}:TST:6"])
        result = await client.look_up("bsc", tx)
        calls = chain.calls
    assert (result.status, result.amount, result.token) == (CONFIRMED, "25.5", "TST")
    assert (result.unverified_token, result.claimed_token, result.imitated_token) == (
        False, None, None)
    assert "unverified_token" not in result.to_json()  # a stored row as before
    # named without asking the contract: the transaction, its receipt and the head only
    assert calls == 3


async def test_a_registration_on_another_chain_does_not_name_it(make_client):
    async with evm_endpoint() as (chain, server):
        token, tx = sent_fake_usdt(chain)
        client = make_client({"ethereum": server.url},
                             chain_known_tokens=[f"polygon:{token}:TST:6"])
        result = await client.look_up("ethereum", tx)
    assert (result.token, result.unverified_token) == (None, True)


def chain_answer(replies: list[Any]) -> Any:
    [answer] = [r for r in replies if r.sender_kind == SenderKind.bot
                and (r.meta or {}).get("kind") == "chain_lookup"]
    return answer


async def test_the_bot_never_calls_a_fake_usdt_usdt(database_url):
    async with evm_endpoint() as (chain, server):
        token, tx = sent_fake_usdt(chain)
        async with desk(database_url, {"ethereum": server.url}) as services:
            _, replies, lookups = await say(
                services, f"I received 25.5 USDT (ERC20) for my order, txid {tx}, is it ok?")
    answer = chain_answer(replies)
    assert answer.meta["status"] == "confirmed"
    assert "25.5 USDT" not in answer.text and "25.5" in answer.text
    [lookup] = lookups
    assert lookup.result["unverified_token"] is True
    assert (lookup.result["claimed_token"], lookup.result["token_contract"]) == (
        "USDT", token.lower())


async def test_the_bot_warns_of_a_fake_usdt_and_links_the_article(database_url):
    async with evm_endpoint() as (chain, server):
        token, tx = sent_fake_usdt(chain)
        async with desk(database_url, {"ethereum": server.url}) as services:
            _, replies, _ = await say(services, f"got 25.5 USDT ERC20, txid {tx}")
    answer = chain_answer(replies)
    assert 'calling itself "USDT"' in answer.text and "not the real USDT" in answer.text
    assert token.lower() in answer.text
    assert answer.meta["article"]["slug"] == "add-custom-token"


def confirmed_row(**result: Any) -> ChainLookup:
    tx = "0x" + "ab" * 32
    return ChainLookup(tx=tx, chain="ethereum", candidates=["ethereum"], status=CONFIRMED,
                       result={"chain": "ethereum", "tx": tx, "status": CONFIRMED,
                               "confirmations": 3, "recipient": "0x" + "22" * 20, **result})


def told(row: ChainLookup, language: str = "en") -> tuple[str, str | None]:
    result = TransferStatus.from_json(row.result)
    return texts.confirmed(result, language, tx="0xabab…abab", network="Ethereum (ERC-20)")


def test_the_answer_says_a_fake_is_not_the_real_token_in_every_language():
    row = confirmed_row(amount="250", token_contract="0x" + "12" * 19 + "ab",
                        unverified_token=True, claimed_token="usdt", imitated_token="USDT")
    sentence, article = told(row)
    assert sentence.startswith("Your transfer 0xabab…abab on Ethereum (ERC-20) is confirmed")
    assert 'calling itself "USDT"' in sentence and "not the real USDT" in sentence
    assert "0x" + "12" * 19 + "ab" in sentence and "250 USDT" not in sentence
    assert article == texts.FAKE_TOKEN_ARTICLE
    for language in ("zh-Hans", "zh-Hant", "es"):
        translated, _ = told(row, language)
        assert translated != sentence and "USDT" in translated and "250 USDT" not in translated


def test_an_unknown_token_is_said_unknown_without_quoting_what_it_calls_itself():
    # a symbol() is the deployer's text: a link or "verified" never reaches the customer
    row = confirmed_row(amount="9", token_contract="0x" + "34" * 20, unverified_token=True,
                        claimed_token="claim-at-scam.example")
    sentence, article = told(row)
    assert "don't recognise" in sentence and "0x" + "34" * 20 in sentence
    assert "scam.example" not in sentence and article == texts.FAKE_TOKEN_ARTICLE


def test_a_known_token_and_a_row_stored_before_0054_read_as_before():
    known, _ = told(confirmed_row(amount="25.5", token="USDT",
                                  token_contract="0xdac17f958d2ee523a2206206994597c13d831ec7"))
    assert "25.5 USDT to 0x" in known
    old = confirmed_row(amount="2", token="ETH")  # no unverified_token: stored before
    assert TransferStatus.from_json(old.result).unverified_token is False
    assert "2 ETH to 0x" in told(old)[0]


def test_imitation_is_read_past_case_width_and_punctuation():
    assert imitated("usdt ", "ethereum") == "USDT"
    assert imitated("ＵＳＤＴ", "bsc") == "USDT"  # full-width letters
    assert imitated("U.S.D.C", "base") == "USDC"
    assert imitated("ETH", "arbitrum") == "ETH"  # a contract is never the native coin
    assert imitated("TST", "bsc", known_tokens("bsc", ["bsc:0x" + "56" * 20 + ":TST:6"])) == "TST"
    assert imitated("PEPE", "ethereum") is None and imitated(None, "ethereum") is None


@pytest.mark.parametrize("entry", [
    "bsc:0x1234:ABC:18",  # not 40 hex
    "bsc:0x" + "12" * 20 + ":ABC",  # three parts
    "bsc:0x" + "12" * 20 + ":ABC:18:x",  # five
    "moon:0x" + "12" * 20 + ":ABC:18",  # no such chain
    "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq:ABC:8",  # no token contracts
    "bsc:0x" + "12" * 20 + ":ABC:99",  # decimals over 36
    "bsc:0x" + "12" * 20 + ":ABC:-1",
    "bsc:0x" + "12" * 20 + ":ABC:１８",  # full-width digits
    "bsc:0x" + "12" * 20 + ":AB C:18",  # a space in the symbol
    "bsc:0x" + "12" * 20 + "::18",  # no symbol
    "bsc:0x" + "12" * 20 + ":ABCDEFGHIJKLMNOPQRSTU:18",  # 21 characters
    "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u:ABC:6",  # the checksum fails
    "tron:0x" + "12" * 20 + ":ABC:6",
    "solana:0x" + "12" * 20 + ":ABC:6",
    "solana:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t:ABC:6",  # 25 bytes, not a 32-byte key
])
def test_a_bad_entry_is_refused_with_a_clear_error(entry: str):
    with pytest.raises(ValidationError) as refused:
        Settings(environment="test", chain_known_tokens=[entry])
    message = str(refused.value)
    assert "WALLETDESK_CHAIN_KNOWN_TOKENS" in message and repr(entry) in message
    assert "chain:contract:symbol:decimals" in message


def test_a_contract_listed_twice_is_refused():
    twice = ["bsc:0x" + "ab" * 20 + ":ABC:18", "bsc:0x" + "AB" * 20 + ":XYZ:6"]
    with pytest.raises(ValidationError, match="listed twice"):
        Settings(environment="test", chain_known_tokens=twice)


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    mint = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    monkeypatch.setenv("WALLETDESK_CHAIN_KNOWN_TOKENS", f'["solana:{mint}:USDC:6", '
                       '" tron:TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8 : USDC : 6 "]')
    settings = Settings(environment="test")
    assert known_tokens("solana", settings.chain_known_tokens)[mint].symbol == "USDC"
    monkeypatch.setenv("WALLETDESK_CHAIN_KNOWN_TOKENS", '["ethereum:0xdead:X:1"]')
    with pytest.raises(ValidationError, match="WALLETDESK_CHAIN_KNOWN_TOKENS"):
        Settings(environment="test")


def test_the_desk_list_is_written_without_a_typo():
    """Every EVM address is in its EIP-55 checksummed form (a mistyped digit breaks the
    checksum), and every TRON and Solana address is one: the entries parse as the setting's."""
    for chain, tokens in KNOWN_TOKENS.items():
        for contract, token in tokens.items():
            if NETWORKS[chain].family == EVM:
                assert contract == to_checksum_address(contract), (chain, contract)
            assert parse_entry(f"{chain}:{contract}:{token.symbol}:{token.decimals}")


OTHER_TRC20_HEX = "41" + "33" * 20


def on_another_contract(transfer: dict[str, Any], info: dict[str, Any]) -> tuple[dict, dict]:
    """A TRC-20 transfer and its outcome moved to a contract the desk does not know."""
    transfer, info = copy.deepcopy(transfer), copy.deepcopy(info)
    transfer["raw_data"]["contract"][0]["parameter"]["value"]["contract_address"] = \
        OTHER_TRC20_HEX
    info["contract_address"] = OTHER_TRC20_HEX
    info["log"][0]["address"] = OTHER_TRC20_HEX[2:]
    assert USDT_HEX not in str((transfer, info))
    return transfer, info


async def test_a_trc20_token_is_named_by_the_list_or_the_setting(make_client):
    transfer, info = on_another_contract(trc20_transfer(TRON_OK, 100_000_000),
                                         tron_info(TRON_OK, 77_000_000, "SUCCESS"))
    contract = tron_address(OTHER_TRC20_HEX)
    async with trongrid({TRON_OK: transfer}, {TRON_OK: info}, 77_000_019) as (server, _):
        unknown = await make_client({"tron": server.url}).look_up("tron", TRON_OK)
        named = await make_client({"tron": server.url}, chain_known_tokens=[
            f"tron:{contract}:DEMO:6"]).look_up("tron", TRON_OK)
    assert (unknown.token, unknown.unverified_token, unknown.token_contract) == (
        None, True, contract)
    assert unknown.amount == "100000000"  # base units: TRON's decimals are the list's
    assert (named.token, named.amount, named.unverified_token) == ("DEMO", "100", False)


async def test_an_spl_mint_the_desk_does_not_know_is_unverified(make_client):
    unknown_mint = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"  # not a mint the desk knows
    transaction = sol_transaction(SOL_SIG)
    instruction = transaction["transaction"]["message"]["instructions"][0]
    instruction["parsed"]["info"]["mint"] = unknown_mint
    statuses = {SOL_SIG: {"slot": 299_999_990, "confirmations": 5, "err": None,
                          "status": {"Ok": None}, "confirmationStatus": "confirmed"}}
    async with solana_rpc(statuses, {SOL_SIG: transaction}) as (server, _):
        result = await make_client({"solana": server.url}).look_up("solana", SOL_SIG)
    assert (result.status, result.amount, result.token) == (CONFIRMED, "12.5", None)
    assert (result.unverified_token, result.token_contract) == (True, unknown_mint)
