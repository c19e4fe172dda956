"""Which bare 64-hex values the message path may check on a chain (their removal rests only
on their shape), and what ``keep`` (the values a chain knows as transactions) changes: only
those values, never with key words before them, never another secret (decision 0044)."""

import json
import os

import pytest
from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous, unverified_alone
from walletdesk.safety.protect import KEY_PLACEHOLDER, protect_text, unverified_values

H = os.urandom(32).hex()
OTHER = os.urandom(32).hex()


def test_a_value_alone_is_removed_and_may_be_checked():
    assert protect_text(H).text == KEY_PLACEHOLDER
    assert unverified_alone([], H) == [H]
    assert unverified_alone(["hello", "what is the hash?"], f"sure: {H}") == [H]
    assert unverified_alone([], H.upper()) == [H]  # values in lower case, as detection's
    assert unverified_alone([], f"{H}\n{OTHER}") == [H, OTHER]


def test_kept_only_when_found_and_only_that_value():
    assert protect_text(H, keep=frozenset([H])).text == H
    assert protect_text(H.upper(), keep=frozenset([H])).text == H.upper()
    assert protect_text(f"{H} {OTHER}", keep=frozenset([H])).text == f"{H} {KEY_PLACEHOLDER}"
    assert protect_text(OTHER, keep=frozenset([H])).text == KEY_PLACEHOLDER


def test_key_words_win_over_a_chain():
    for text in (f"my private key: {H}", f"私钥 {H}", f"secret {H}"):
        assert protect_text(text, keep=frozenset([H])).text.endswith(KEY_PLACEHOLDER), text
        assert unverified_alone([], text) == []
    assert unverified_alone([], f"{H} is my private key") == []  # after it: not even asked
    # said in the message before (read together with it)
    assert unverified_alone(["here is my private key"], H) == []
    again = protect_with_previous(["here is my private key"], H, keep=frozenset([H]))
    assert again.protected.text == KEY_PLACEHOLDER


def test_never_checked_beside_another_secret():
    phrase = Mnemonic("english").generate(128)
    assert unverified_alone([], f"{phrase}\n{H}") == []
    keystore = json.dumps({"version": 3, "crypto": {
        "ciphertext": H, "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
        "cipher": "aes-128-ctr", "kdf": "scrypt", "kdfparams": {
            "dklen": 32, "n": 262144, "r": 1, "p": 8, "salt": OTHER}, "mac": OTHER}})
    assert protect_text(keystore).text == KEY_PLACEHOLDER
    assert unverified_alone([], keystore) == []
    assert protect_text(keystore, keep=frozenset([H, OTHER])).text == KEY_PLACEHOLDER


def test_what_is_kept_today_is_not_asked_about():
    for text in (f"txid {H}", f"the hash is {H}", f"https://mempool.space/tx/{H}",
                 f"here 0x{H}", f"0x{H}"):
        assert protect_text(text).text == text, text
        assert unverified_values(text) == [], text
    # 0x + 64 with key words: a key, never checked
    assert protect_text(f"private key 0x{H}").text.endswith(KEY_PLACEHOLDER)
    assert unverified_values(f"private key 0x{H}") == []
    # in groups: a key's way of being written, not a transaction id's
    grouped = " ".join(H[i:i + 8] for i in range(0, 64, 8))
    assert protect_text(grouped).text == KEY_PLACEHOLDER and unverified_values(grouped) == []


def test_sent_again_after_a_removed_one():
    # the first try was removed (the endpoint was down): the rest-of-a-key rule holds unless
    # the chain now knows the value
    previous = [KEY_PLACEHOLDER]
    assert protect_with_previous(previous, H).protected.text == KEY_PLACEHOLDER
    assert unverified_alone(previous, H) == [H]
    assert protect_with_previous(previous, H, keep=frozenset([H])).protected.text == H


@pytest.mark.parametrize(("text", "only"), [
    ("[private key removed]", True), ("sure: [private key removed]", True),
    ("这个 [seed phrase removed]", True),
    ("我的转账没到 [private key removed]", False),  # a question beside it: the bot answers
    ("my transfer never arrived [private key removed]", False),
    ("hello", False), ("[private key] removed", False),
])
def test_a_message_of_nothing_but_what_was_removed(text, only):
    from walletdesk.safety.protect import only_removed

    assert only_removed(text) is only
