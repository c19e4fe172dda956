"""Property tests over the shape generator (walletdesk.safety.shapes): every family of shapes
in every BIP-39 language, and the key families, leaves nothing of the secret in the stored
messages; ordinary support text is left alone; the transaction-hash rule holds."""

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import KEY_PLACEHOLDER, protect_text
from walletdesk.safety.shapes import (
    KEY_FAMILIES,
    PHRASE_FAMILIES,
    Shape,
    leaked,
    make_key_shape,
    make_phrase_shape,
    store_messages,
)
from walletdesk.safety.wordlists import (
    CHINESE,
    LANGUAGES,
    chinese_word_pairs,
    grammar_indices,
)
from walletdesk.shared_data import support_texts

MAX_FALSE_REDACTION_RATE = 0.001




def glued_chinese(shape: Shape) -> bool:
    return shape.language in CHINESE and any("".join(shape.secret[i:i + 2]) in m
                                             for m in shape.messages
                                             for i in range(len(shape.secret) - 1))


def reads_like_chinese_prose(language: str, words: list[str]) -> bool:
    """The documented limit of glued Chinese: a phrase whose neighbouring characters form
    dictionary words (one phrase in fifty) cannot be told from prose without separators."""
    position = {w: i for i, w in enumerate(Mnemonic(language).wordlist)}
    indices = [position[w] for w in words if w in position]
    pairs = sum(1 for pair in pairwise(indices) if pair in chinese_word_pairs())
    grammar = sum(1 for i in indices if i in grammar_indices())
    return pairs > (1 if len(words) <= 15 else 2) or grammar > 2


@settings(max_examples=600, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(family=st.sampled_from(PHRASE_FAMILIES), language=st.sampled_from(LANGUAGES),
       seed=st.integers(min_value=0, max_value=2**32))
def test_every_phrase_shape_in_every_language_is_removed(family, language, seed):
    import random

    shape = make_phrase_shape(random.Random(seed), family, language)
    if glued_chinese(shape) and reads_like_chinese_prose(language, shape.secret):
        return
    stored = store_messages(shape.messages)
    assert leaked(shape, stored) == [], (shape.messages, stored)


@pytest.mark.parametrize("family", PHRASE_FAMILIES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_family_and_language_once(family, language):
    import random

    rng = random.Random(f"{family}/{language}")
    for _ in range(3):
        shape = make_phrase_shape(rng, family, language)
        if glued_chinese(shape) and reads_like_chinese_prose(language, shape.secret):
            continue
        assert leaked(shape, store_messages(shape.messages)) == [], shape.messages


@settings(max_examples=300, deadline=None, derandomize=True)
@given(family=st.sampled_from(KEY_FAMILIES), seed=st.integers(min_value=0, max_value=2**32))
def test_every_key_shape_is_removed(family, seed):
    import random

    shape = make_key_shape(random.Random(seed), family)
    stored = store_messages(shape.messages)
    assert leaked(shape, stored) == [], (shape.messages, stored)
    assert any(KEY_PLACEHOLDER in text for text in stored)


@pytest.mark.parametrize("text", [
    "0x" + "ab12" * 16,
    "0X" + "AB12" * 16,
    "see 0X" + "cd34" * 16 + " on etherscan",
    "tx: 0x" + "ef56" * 16,
    "my tx hash " + " ".join(["9f86d081"] * 8),
])
def test_a_bare_0x_and_64_hex_is_a_transaction_hash(text):
    assert protect_text(text).text == text


def test_ids_that_are_not_keys_are_kept():
    import uuid

    for text in [f"orders {uuid.uuid4()}, {uuid.uuid4()}", "card 4111 1111 1111 1111",
                 "xpub6CUGRUonZSQ4TWtTMmzXdrXDtypWKiKrhko4egpiMZbpiaQL2jkwSB1icqYh2cfDfVxdx4df"
                 "189oLKnC5fSwqPfgyP3hooxujYzAu3fDVmz please watch it",
                 "ticket 2024-11-30 12:30:45 ref 9f86d081 884c7d65"]:
        assert protect_text(text).text == text


def test_0x_hex_after_the_words_private_key_is_a_key():
    for prefix in ("private key: 0X", "私钥 0x", "my PRIVATE KEY is 0x"):
        result = protect_text(prefix + "9f86d081884c7d65" * 4)
        assert KEY_PLACEHOLDER in result.text and "9f86d081" not in result.text


def test_false_redactions_on_the_shared_support_texts_are_bounded():
    texts = support_texts()
    alone = sum(1 for text in texts if protect_text(text).findings)
    after = sum(1 for i in range(2, len(texts))
                if protect_with_previous(texts[i - 2:i], texts[i]).protected.findings)
    assert alone <= MAX_FALSE_REDACTION_RATE * len(texts)
    assert after <= MAX_FALSE_REDACTION_RATE * len(texts)


def test_a_phrase_without_checksum_in_a_sentence_of_its_own_beside_prose():
    """Prose words that are wordlist words too ("All good. Never share") once hid the run."""
    words = ["abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract",
             "absurd", "abuse", "access", "accident"]
    text = f"All good. Never share {' '.join(words)} with anyone"
    stored = store_messages([text])[0]
    assert not any(word in stored.split() for word in words), stored
    assert stored.startswith("All good.") and stored.endswith("with anyone")
    prose = "Thanks. I lost my phone. Can you help me get back into my wallet? I still have it."
    assert store_messages([prose]) == [prose]
