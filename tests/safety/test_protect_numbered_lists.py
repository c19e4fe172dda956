"""Numbered steps, code and parenthesised numbers are not recovery phrases.

A numbered phrase numbers every word alike ("1. abandon 2. ability …", "(1) abandon (2)
ability …"); a list of steps numbers items of several words, and code puts "(1)" between
some words only. Such texts were removed as "possible fragments" ("Steps: (1) open (2) scan
(3) select token (4) enter amount" stored as "Steps: ([seed phrase removed]"); real phrases
written in numbered form still go."""

import pytest
from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text

ORDINARY = [
    # English: customers and agents
    "Steps: (1) open (2) scan (3) select token (4) enter amount",
    "Test <script>alert(1)</script> title",
    "(1) open (2) scan (3) select token (4) enter amount (5) send",
    "I did it like this (1) open wallet (2) select network (3) choose token (4) enter amount",
    "To withdraw: 1) open app 2) tap send 3) paste address 4) enter amount 5) confirm",
    "console.log(1); alert(2); window.open(3); document.title",
    # Spanish
    "Pasos: (1) abrir (2) elegir red (3) elegir moneda (4) pegar texto",
    "Hola! hice: 1) tocar foto 2) subir foto 3) poner nota",
    "(1) abrir mapa (2) elegir ruta (3) ver lista",
    "Ayuda: (1) leer nota (2) poner clave (3) subir saldo",
    # Chinese, characters written one by one
    "请：(1) 打 开 (2) 扫 码 (3) 输 入 金 额",
    "步骤 (1) 买 币 (2) 卖 币 (3) 转 账",
    "请按以下操作：1. 打开应用 2. 点击发送 3. 粘贴地址 4. 输入金额",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_numbered_steps_and_code_stay_untouched(text: str) -> None:
    result = protect_text(text)
    assert result.text == text and not result.findings
    assert protect_with_previous(["hello, I need help with a transfer"], text
                                 ).protected.text == text


ENGLISH = Mnemonic("english").to_mnemonic(bytes(range(16))).split()
CHINESE = Mnemonic("chinese_simplified").to_mnemonic(bytes(range(16))).split()


def numbered(words: list[str], shape: str, first: int = 1) -> str:
    return " ".join(shape.format(n) + " " + word for n, word in enumerate(words, first))


@pytest.mark.parametrize("shape", ["{}.", "({})", "{})", "#{}"])
@pytest.mark.parametrize("words", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_numbered_phrases_are_still_removed_whole(shape: str, words: list[str]) -> None:
    text = numbered(words, shape)
    result = protect_text("my words: " + text)
    assert result.text == "my words: " + SEED_PLACEHOLDER  # the list number "(1)" with it
    assert [f.kind for f in result.findings] == ["seed_phrase"]


def test_a_numbered_phrase_split_over_messages_is_still_removed() -> None:
    first, second = numbered(ENGLISH[:6], "({})"), numbered(ENGLISH[6:], "({})", 7)
    assert protect_text(first).text == SEED_PLACEHOLDER
    across = protect_with_previous([first], second)
    assert across.protected.text == SEED_PLACEHOLDER
    assert not any(word in across.protected.text for word in ENGLISH)
