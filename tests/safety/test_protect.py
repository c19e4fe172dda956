"""Secret detection: every wordlist, every separator, keys, and what must never be touched."""

import json
import subprocess
import sys
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from walletdesk.safety.prose import reads_like_prose
from walletdesk.safety.protect import (
    KEY_PLACEHOLDER,
    SEED_PLACEHOLDER,
    base58_decode,
    checksum_valid,
    protect_text,
)
from walletdesk.safety.shapes import STRENGTHS, b58check, b58encode
from walletdesk.safety.wordlists import chinese_word_pairs
from walletdesk.shared_data import support_texts

LANGUAGES = Mnemonic.list_languages()
SEPARATORS = [" ", ", ", "\n", "、", "，", "\u3000", " - "]
GRAMMAR = ("的了是我你他她它们在有不这那吗呢吧啊么什怎会要就也都和与及或而着过把被让给对从到说"
           "們這嗎麼與過讓給對從說會著")  # the lists are aligned: traditional forms too


def phrase_words(language: str, words: int, entropy: bytes) -> list[str]:
    return Mnemonic(language).to_mnemonic(entropy[: STRENGTHS[words] // 8]).split(" ")


def join(words: list[str], style: str) -> str:
    if style == "numbered":
        return "\n".join(f"{i}. {w}" for i, w in enumerate(words, 1))
    if style == "paren":
        return " ".join(f"{i}) {w}" for i, w in enumerate(words, 1))
    if style == "hash":
        return " ".join(f"#{i} {w}" for i, w in enumerate(words, 1))
    return style.join(words)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(language=st.sampled_from(LANGUAGES), words=st.sampled_from(sorted(STRENGTHS)),
       entropy=st.binary(min_size=32, max_size=32),
       style=st.sampled_from([*SEPARATORS, "numbered", "paren", "hash"]),
       before=st.sampled_from(["", "my phrase is: ", "助记词：", "hola, mi frase es "]),
       after=st.sampled_from(["", " thanks", "\n谢谢", " ¿está bien?"]))
def test_every_valid_phrase_is_removed_with_certainty(language, words, entropy, style, before,
                                                      after):
    text = before + join(phrase_words(language, words, entropy), style) + after
    result = protect_text(text)
    assert result.text == before + SEED_PLACEHOLDER + after
    assert [(f.kind, f.certainty) for f in result.findings] == [("seed_phrase", "certain")]


@settings(max_examples=100, deadline=None)
@given(language=st.sampled_from(["chinese_simplified", "chinese_traditional"]),
       words=st.sampled_from(sorted(STRENGTHS)), entropy=st.binary(min_size=32, max_size=32))
def test_chinese_phrases_without_spaces(language, words, entropy):
    chars = phrase_words(language, words, entropy)
    grammar = sum(1 for c in chars if c in GRAMMAR)
    wordlist = Mnemonic(language).wordlist
    indices = [wordlist.index(c) for c in chars]
    pairs = sum(1 for pair in pairwise(indices) if pair in chinese_word_pairs())
    result = protect_text("我的助记词：" + "".join(chars) + "。")
    if grammar <= 2 and pairs <= (1 if words <= 15 else 2):  # it does not read like prose
        assert result.text == "我的助记词：" + SEED_PLACEHOLDER + "。"
    else:
        assert result.findings == [] or result.text.endswith("。")


@settings(max_examples=100, deadline=None)
@given(language=st.sampled_from([x for x in LANGUAGES if not x.startswith("chinese")]),
       seed=st.integers(min_value=0, max_value=2**32))
def test_a_run_of_wordlist_words_without_checksum_is_likely(language, seed):
    import random

    wordlist = Mnemonic(language).wordlist
    rng = random.Random(seed)
    while True:
        words = [rng.choice(wordlist) for _ in range(13)]
        indices = [wordlist.index(w) for w in words]
        if not any(checksum_valid(indices[i:i + 12]) for i in range(2)) and \
                not reads_like_prose(language, indices, [" "] * 12):  # the documented rule
            break
    result = protect_text("words: " + " ".join(words))
    assert result.text == "words: " + SEED_PLACEHOLDER
    assert result.findings[0].certainty == "likely"


def test_a_phrase_one_or_two_words_short_is_likely_and_four_words_are_not_a_phrase():
    words = Mnemonic("english").to_mnemonic(bytes(range(40, 56))).split()
    for count in (11, 10, 9, 5):  # nine to five words: a possible fragment of a split phrase
        result = protect_text(" ".join(words[:count]))
        assert result.text == SEED_PLACEHOLDER
        assert [f.certainty for f in result.findings] == ["likely"]
    assert protect_text(" ".join(words[:4])).findings == []


def test_private_key_formats():
    secret = bytes(range(1, 33))
    wif = b58check(b"\x80" + secret + b"\x01")
    xprv = b58check(bytes.fromhex("0488ade4") + b"\0" * 9 + b"\x11" * 32 + b"\0" + secret)
    solana = b58encode(secret + bytes(range(100, 132)))
    keystore = json.dumps({"version": 3, "id": "x", "address": "ab" * 20, "crypto": {
        "ciphertext": "cd" * 32, "cipher": "aes-128-ctr", "kdf": "scrypt",
        "kdfparams": {"n": 8192}, "mac": "ef" * 32}})
    cases = {
        f"my key {wif} ok": "wif",
        f"here {xprv}": "extended_private_key",
        f"solana key {solana}": "solana_secret_key",
        f"keypair {list(secret + secret)}": "solana_keypair_bytes",
        f"my keystore: {keystore} is this fine": "ethereum_keystore",
        "private key: 0x" + secret.hex() + secret.hex()[:0]: "hex",
        secret.hex(): "hex",
    }
    for text, detail in cases.items():
        result = protect_text(text)
        assert [f.detail for f in result.findings] == [detail], text
        assert KEY_PLACEHOLDER in result.text
        assert secret.hex() not in result.text and "cdcdcd" not in result.text


@pytest.mark.parametrize("text", [
    "please check tx 0x" + "a1" * 32,
    "txid " + "b2" * 32,
    "交易哈希：" + "c3" * 32,
    "https://etherscan.io/tx/0x" + "d4" * 32,
    "https://mempool.space/tx/" + "e5" * 32,
    "send to 0x" + "f6" * 20,
    "my BTC address bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "legacy 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa and 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "TRON TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7 got my USDT",
    "solana wallet 7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV",
])
def test_addresses_and_transaction_hashes_are_kept(text):
    assert protect_text(text).text == text


def test_no_false_positives_on_real_support_texts():
    texts = support_texts()
    assert len(texts) > 13000
    flagged = [t for t in texts if protect_text(t).findings]
    assert flagged == []


def test_base58_decode_round_trip():
    assert base58_decode(b58encode(b"\0\0hello")) == b"\0\0hello"
    assert base58_decode("0OIl") is None


def run_cli(data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "walletdesk.cli", "protect", *args],
                          input=data, capture_output=True)


def test_cli_json_and_garbage_input():
    phrase = Mnemonic("english").generate(128)
    done = run_cli(f"hi, {phrase}".encode(), "--json")
    assert done.returncode == 0
    last = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert last["text"] == f"hi, {SEED_PLACEHOLDER}"
    assert last["findings"] == [{"kind": "seed_phrase", "certainty": "certain",
                                 "detail": "english"}]
    garbage = run_cli(bytes(range(256)) * 4, "--json")
    assert garbage.returncode == 0 and json.loads(garbage.stdout.decode().splitlines()[-1])
    gbk = run_cli(("助记词：" + Mnemonic("chinese_simplified").generate(128)).encode("gbk"),
                  "--json")
    assert json.loads(gbk.stdout.decode().splitlines()[-1])["text"] == "助记词：" + SEED_PLACEHOLDER
    empty = run_cli(b"", "--json")
    assert json.loads(empty.stdout.decode().splitlines()[-1]) == {"text": "", "findings": []}


@pytest.mark.parametrize("gap", [" ", "\n", " - ", "\n\n"])
def test_a_key_written_in_two_halves_is_removed(gap: str) -> None:
    key = "9f2c4b1e8a7d3c6f0b5e2a9d8c7f1e4b3a6d9c2f5e8b1a4d7c0f3e6b9a2d5c8f"
    protected = protect_text(f"the key is {key[:32]}{gap}{key[32:]} ok")
    assert key[:32] not in protected.text and key[32:] not in protected.text
    assert protect_text("checksum 35572554fc3b8d8b5b89d29d1d5c4fd7").findings == []
