"""Finding hashes and addresses in customers' words, and the chain they name."""

import pytest

from walletdesk.chains.detection import candidates, detect, network_hints
from walletdesk.safety.protect import protect_text

EVM_TX = "0x" + "9f" * 32
HEX64 = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
SOL_SIG = ("5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZ"
           "kQUW")


@pytest.mark.parametrize(("text", "chain"), [
    ("USDT-TRC20 没到账", "tron"), ("转的是波场的", "tron"), ("ERC20 USDT", "ethereum"),
    ("以太坊上的转账", "ethereum"), ("BSC", "bsc"), ("BEP20 usdt", "bsc"), ("币安链", "bsc"),
    ("on Polygon", "polygon"), ("Arbitrum One", "arbitrum"), ("sent on Base", "base"),
    ("SOL transfer", "solana"), ("比特币转账", "bitcoin"), ("https://tronscan.org/#/", "tron"),
])
def test_the_network_is_read_from_the_words(text, chain):
    assert network_hints(text)[0] == chain


def test_a_symbol_many_networks_share_yields_to_a_network_name():
    assert network_hints("I sent ETH on Arbitrum") == ["arbitrum"]
    assert network_hints("I sent ETH") == ["ethereum"]
    assert network_hints("the base fee is high") == []


def test_an_evm_hash_and_address_with_a_network():
    found = detect(f"BEP20 转账 {EVM_TX} 到 0x{'12' * 20} 还没到")
    assert [t.value for t in found.transactions] == [EVM_TX]
    assert [a.value for a in found.addresses] == ["0x" + "12" * 20]
    choice = candidates(found.transactions[0], found.hints)
    assert choice.claimed == "bsc" and not choice.ambiguous and not choice.mismatch


def test_a_bare_hash_without_words_is_ambiguous():
    found = detect(f"txid {HEX64}")
    choice = candidates(found.transactions[0], found.hints)
    assert choice.ambiguous and set(choice.chains) == {"bitcoin", "tron"}
    assert candidates(found.transactions[0], ["polygon"]).claimed == "polygon"


def test_an_evm_hash_said_to_be_trc20_is_a_mismatch():
    found = detect(f"USDT-TRC20 {EVM_TX}")
    choice = candidates(found.transactions[0], found.hints)
    assert choice.mismatch and choice.claimed == "tron" and "ethereum" in choice.chains
    # … or a TRON id written with 0x: looked up on TRON first (the bot leaves it to the lookup)
    assert choice.chains[0] == "tron"
    assert candidates(detect(f"ERC20 {EVM_TX}").transactions[0], ["ethereum"]).chains[0] \
        == "ethereum"


def test_addresses_of_each_chain_are_recognised_by_their_checksums():
    found = detect("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq "
                   "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM")
    assert [a.families for a in found.addresses] == [("tron",), ("bitcoin",), ("bitcoin",),
                                                     ("solana",)]
    # one character off: the checksum fails, it is no address
    assert detect("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"
                  ).addresses == []


def test_a_solana_signature():
    found = detect(f"signature {SOL_SIG}")
    assert found.transactions[0].families == ("solana",)


def test_malformed_hashes_are_not_taken():
    assert detect("0x" + "ab" * 31 + " and 0x" + "ab" * 33 + " and " + "g" * 64).transactions == []


def test_detection_runs_on_the_protected_text_and_never_brings_a_key_back():
    # 64 bare hex digits after "my key is" are a private key: protect removes them first
    protected = protect_text(f"my key is {HEX64} help").text
    assert HEX64 not in protected
    assert detect(protected).transactions == []
    # the same digits said to be a transaction are kept, and found
    kept = protect_text(f"my txid is {HEX64}, where is it?").text
    assert [t.value for t in detect(kept).transactions] == [HEX64]
    # 0x + 64 hex is a transaction hash (the documented rule of walletdesk.safety)
    assert [t.value for t in detect(protect_text(f"where is {EVM_TX}").text).transactions] == [
        EVM_TX]


def test_a_pending_transfer_below_the_base_fee_is_told_to_speed_up():
    from walletdesk.chains.actions import answer_text
    from walletdesk.chains.models import ChainLookup
    from walletdesk.config import Settings

    row = ChainLookup(tx=EVM_TX, chain="ethereum", candidates=["ethereum"], status="pending",
                      result={"chain": "ethereum", "tx": EVM_TX, "status": "pending",
                              "fee_offered_gwei": "0.5", "base_fee_gwei": "2.25",
                              "first_seen_minutes": 42})
    sentences, article = answer_text(row, "en", Settings(environment="test"))
    assert "at most 0.5 gwei" in sentences[0] and "2.25 gwei" in sentences[0]
    assert "speed it up or cancel" in sentences[0]
    assert "at least 42 minutes" in sentences[1]
    assert article == "pending"
    row.result = {**row.result, "fee_offered_gwei": "30"}
    sentences, _ = answer_text(row, "en", Settings(environment="test"))
    assert "within a few minutes" in sentences[0]


def test_a_transaction_named_twice_is_found_once():
    # a hash beside its explorer link, in capitals, with and without 0x: one transfer
    tx = "ab" * 32
    said = detect(f"USDT TRC20 txid {tx} https://tronscan.org/#/transaction/{tx} "
                  f"{tx.upper()} 0x{tx} and {'cd' * 32}")
    assert [found.value for found in said.transactions] == [tx, "cd" * 32]
