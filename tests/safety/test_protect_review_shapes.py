"""Shapes from the outside review of the protect step (docs/decisions/0060): Solana signatures
kept, keys written over lines or in groups, hex keys one digit off after a label, keys
assigned in code, two-column seed grids, forgotten-word markers, phrases split by prose and
repeated test words. Every secret is generated (seeded, so the tests are deterministic)."""

import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER, protect_text
from walletdesk.safety.shapes import b58check, b58encode

SEEDS = range(12)


def solana_keypair(rng: random.Random) -> str:
    secret = rng.randbytes(32)
    public = Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()
    return b58encode(secret + public)


def solana_signature(rng: random.Random) -> str:
    return b58encode(rng.randbytes(64))  # 64 bytes that are no keypair


def wif(rng: random.Random) -> str:
    return b58check(b"\x80" + rng.randbytes(32) + b"\x01")


def xprv(rng: random.Random) -> str:
    return b58check(bytes.fromhex("0488ade4") + bytes([0]) + rng.randbytes(8) + rng.randbytes(32)
                    + b"\0" + rng.randbytes(32))


def hex_key(rng: random.Random) -> str:
    while True:
        key = rng.randbytes(32).hex()
        if sum(c.isdigit() for c in key) >= 20 and key[0] != "0":
            return key


def phrase(rng: random.Random, words: int = 12, language: str = "english") -> list[str]:
    return Mnemonic(language).to_mnemonic(rng.randbytes(words * 4 // 3)).split()


def assert_gone(text: str, pieces: list[str]) -> str:
    out = protect_text(text).text
    for piece in pieces:
        assert piece not in out, (text, out)
    return out


# --- 1. Solana: a transaction signature is no key, a keypair always is -------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_solana_signatures_are_kept(seed):
    rng = random.Random(seed)
    signature = solana_signature(rng)
    for text in (signature, f"sig {signature}", f"sig: {signature}", f"firma {signature}",
                 f"{signature}\n^ this one failed", f"Solana tx signature {signature} failed",
                 f"https://solscan.io/tx/{signature}"):
        assert protect_text(text).text == text


@pytest.mark.parametrize("seed", SEEDS)
def test_solana_keypairs_are_removed_whatever_the_words_before(seed):
    rng = random.Random(seed)
    key = solana_keypair(rng)
    for text in (key, f"sig {key}", f"tx signature {key}", f"phantom export: {key} ok"):
        result = protect_text(text)
        assert key not in result.text and KEY_PLACEHOLDER in result.text
        assert [(f.detail, f.certainty) for f in result.findings] == [
            ("solana_secret_key", "certain")]


def test_64_bytes_labelled_a_private_key_are_removed_even_if_no_keypair():
    rng = random.Random(7)
    value = solana_signature(rng)
    for label in ("private key: ", "my solana secret key ", "私钥："):
        assert protect_text(label + value).text == label + KEY_PLACEHOLDER


# --- 2. keys wrapped over lines or written in groups -----------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_hex_key_wrapped_at_any_point_after_a_key_word(seed):
    rng = random.Random(seed)
    key = hex_key(rng)
    cut = rng.choice([8, 10, 16, 20, 24, 40, 44, 48, 56])
    for label in ("private key:\n", "clave privada:\n", "私钥：\n", "my pk\n"):
        text = label + key[:cut] + "\n" + key[cut:]
        assert protect_text(text).text == label + KEY_PLACEHOLDER, text


@pytest.mark.parametrize("seed", SEEDS)
def test_base58_keys_over_lines_and_in_groups(seed):
    rng = random.Random(seed)
    for key in (wif(rng), xprv(rng), solana_keypair(rng)):
        width = rng.choice([4, 5, 8, 26, 28, 44])
        pieces = [key[i:i + width] for i in range(0, len(key), width)]
        for joiner in ("\n", " ", "-", "  ", " - ", "\r\n"):
            text = "backup card:\n" + joiner.join(pieces) + "\nthanks"
            out = assert_gone(text, [p for p in pieces if len(p) >= 8] or [key])
            assert out == "backup card:\n" + KEY_PLACEHOLDER + "\nthanks", (text, out)


@pytest.mark.parametrize("seed", SEEDS)
def test_values_in_pieces_that_are_no_key_are_kept(seed):
    rng = random.Random(seed)
    signature = solana_signature(rng)
    addresses = [b58encode(rng.randbytes(32)) for _ in range(2)]
    address_table = "from " + addresses[0] + "\nto " + addresses[1]
    kept = [
        signature[:44] + "\n" + signature[44:],  # a signature wrapped: no keypair
        addresses[0] + "\n" + addresses[1],  # two Solana addresses, 64 bytes together
        address_table,
        "tx\n" + rng.randbytes(16).hex() + "\n" + rng.randbytes(16).hex() + "\nstill pending",
        "order 1234 5678 9012 3456 7890 placed on 2026-11-30 for 250 USDT",
    ]
    for text in kept:
        assert protect_text(text).text == text


# --- 3. a hex key one digit off after a label; a 0x key assigned in code ----------------

@pytest.mark.parametrize("seed", SEEDS)
def test_labelled_hex_key_one_digit_off_or_with_a_stray_space(seed):
    rng = random.Random(seed)
    key = hex_key(rng)
    position = rng.randrange(8, 56)
    values = {
        "63": key[1:],  # a leading digit dropped (a printed integer)
        "65": key + rng.choice("0123456789abcdef"),
        "space": key[:position] + " " + key[position:],
        "wrong": key[:position] + "k" + key[position + 1:],
    }
    for label in ("private key: ", "my private key ", "私钥：", "clave privada ", "pk = ",
                  "privateKey: ", "new ethers.Wallet(\"", "exported private key\n"):
        for value in values.values():
            out = assert_gone(label + value + " thanks", [key[10:30], key[40:60]])
            assert out.endswith(KEY_PLACEHOLDER + " thanks"), (label, value, out)


@pytest.mark.parametrize("seed", SEEDS)
def test_0x_key_assigned_in_code_and_0x_hashes_in_messages(seed):
    rng = random.Random(seed)
    value = "0x" + hex_key(rng)
    for code in (f'const pk = "{value}";', f"PRIVATE_KEY={value}", f"PK={value}",
                 f'new ethers.Wallet("{value}")', f'new Wallet("{value}")',
                 f'signer = "{value}"', f"wallet = Account.from_key('{value}')",
                 f"I exported it from MetaMask: {value}"):
        assert value not in protect_text("script fails:\n" + code).text, code
    for message in (f"tx {value}", f"hash: {value}", f"my transaction {value} is stuck",
                    f"https://etherscan.io/tx/{value}", f"{value} pending since morning",
                    f"exported the transaction list, this one: tx {value}"):
        assert protect_text(message).text == message


def test_a_value_near_64_hex_without_a_label_is_kept():
    rng = random.Random(3)
    for text in (f"checksum {hex_key(rng)[1:]}", f"build {hex_key(rng)}a ok"):
        assert protect_text(text).text == text


# --- 4. a two-column grid read row by row ----------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("language", ["english", "chinese_simplified", "spanish"])
def test_two_column_grid_read_row_by_row(seed, language):
    rng = random.Random(seed)
    words = phrase(rng, rng.choice([12, 24]), language)
    half = len(words) // 2
    number = rng.choice(["{i}.{w}", "{i}. {w}", "{i}) {w}"])
    rows = [number.format(i=i + 1, w=words[i]) + "  " + number.format(i=i + 1 + half,
                                                                      w=words[i + half])
            for i in range(half)]
    text = "Backup your Secret Recovery Phrase\n" + "\n".join(rows) + "\nCopy to clipboard"
    out = protect_text(text).text
    assert out.startswith("Backup your Secret Recovery") and SEED_PLACEHOLDER in out, text
    # (the words before and after may go with it: "Phrase" and "Copy" are wordlist words)
    assert not any(f" {w} " in " ".join(out.split("\n")[1:-1]) for w in words), out
    assert len(out.split("\n")) <= 3, out


@pytest.mark.parametrize("seed", SEEDS)
def test_chinese_ordinals(seed):
    rng = random.Random(seed)
    words = phrase(rng, 12, rng.choice(["chinese_simplified", "chinese_traditional"]))
    text = "，".join(f"第{i}个{w}" for i, w in enumerate(words, 1))
    assert protect_text(text).text == SEED_PLACEHOLDER, text
    steps = "第1步打开钱包，第2步点击转账，第3步输入地址，第4步确认"
    assert protect_text(steps).text == steps


def test_numbered_steps_out_of_order_are_kept():
    text = "\n".join(f"{i}. {step}" for i, step in [
        (1, "open the app"), (7, "confirm it"), (2, "scan the code"), (8, "wait a bit"),
        (3, "select USDT"), (9, "check fee"), (4, "enter amount"), (10, "copy hash"),
        (5, "review address"), (11, "close window"), (6, "sign with PIN"), (12, "done")])
    assert protect_text(text).text == text


# --- 5. a forgotten word's marker; a phrase split by prose -----------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("marker", ["???", "___", "(forgot)", "*****", "[?]"])
def test_a_forgotten_word_marker_inside_a_phrase(seed, marker):
    rng = random.Random(seed)
    words = phrase(rng)
    missing = rng.randrange(1, 11)
    spoilt = [*words[:missing], marker, *words[missing + 1:]]
    for before in ("", f"I forgot word {missing + 1}: ", "help, my words: "):
        out = protect_text(before + " ".join(spoilt) + " please help").text
        assert SEED_PLACEHOLDER in out and not any(
            f" {w} " in f" {out} " for w in words if w not in ("word", "help")), out


@pytest.mark.parametrize("seed", SEEDS)
def test_a_phrase_split_by_a_few_words_of_prose(seed):
    rng = random.Random(seed)
    words = phrase(rng)
    shapes = [
        f"the first words are {' '.join(words[:6])} and then {' '.join(words[6:])}. help",
        f"ok so the first words were {' '.join(words[:4])}, then {' '.join(words[4:8])} and "
        f"the last ones {' '.join(words[8:])}. why is my balance gone?",
    ]
    prose = {"the", "first", "words", "are", "and", "then", "help", "ok", "so", "were",
             "last", "ones", "why", "is", "my", "balance", "gone"}
    for text in shapes:
        out = protect_text(text).text
        left = [w for w in words if w not in prose and f" {w} " in f" {out} ".replace(".", " ")]
        assert out.count(SEED_PLACEHOLDER) >= 2 and not left, (text, out)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("length", [12, 24])
def test_a_phrase_completed_a_few_words_away(seed, length):
    """A phrase a word or two short, the rest written after some prose: the missing words go
    too (an outside review found "<11 words> and the last is <word>" leaving the last word)."""
    words = phrase(random.Random(seed), length)
    shapes = [
        (f"{' '.join(words[:-1])} and the last is {words[-1]}", words[-1:]),
        (f"{' '.join(words[:-1])}, and the last word is {words[-1]}. can you help?", words[-1:]),
        (f"my wallet {' '.join(words[:-1])} last one: {words[-1]}", words[-1:]),
        (f"the first word is {words[0]} and then {' '.join(words[1:])}", words[:1]),
        (f"{' '.join(words[:-2])} and the last two are {' '.join(words[-2:])} please",
         words[-2:]),
    ]
    for text, apart in shapes:
        out = protect_text(text).text
        left = f" {out} ".replace(SEED_PLACEHOLDER, " ").replace(".", " ").replace(":", " ")
        kept = [w for w in apart if f" {w} " in left
                and f" {w} " not in " the first word is and then last one two are please my "
                                    "wallet can you help "]
        assert not kept and SEED_PLACEHOLDER in out, (text, out)


def test_the_split_phrase_halves_across_two_messages():
    rng = random.Random(5)
    words = phrase(rng)
    first = f"my seed: {' '.join(words[:6])} and"
    result = protect_with_previous([first], f"the rest is {' '.join(words[6:])}")
    stored = [result.earlier.get(0, first), result.protected.text]
    assert not any(w in " ".join(stored).split() for w in words if len(w) > 3
                   and w not in ("seed", "rest")), stored


@pytest.mark.parametrize("text", [
    "I waited ??? days and nothing came, the support page says ___ and I do not know why",
    "the words are fine, I just want to check my balance and then send it to my friend",
    "first I opened the app, then I tapped send, then the screen froze and nothing happened",
    "step one: open wallet, then select token and enter amount, then confirm the transfer",
])
def test_prose_with_markers_and_word_lists_is_kept(text):
    assert protect_text(text).text == text


# --- 6. repeated test words ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "test test test test test", "test test test test test test",
    "prueba prueba prueba prueba prueba", "hello hello hello hello hello hello",
    "uno dos tres cuatro cinco seis siete ocho nueve diez",
    "one two three four five six seven eight nine ten",
])
def test_repeated_words_and_counting_are_no_phrase(text):
    assert protect_text(text).text == text


def test_a_real_phrase_is_still_removed_after_the_repetition_rule():
    rng = random.Random(11)
    for _ in range(20):
        words = phrase(rng)
        assert protect_text(" ".join(words[:10])).text == SEED_PLACEHOLDER
        assert protect_text(" ".join(words)).text == SEED_PLACEHOLDER
