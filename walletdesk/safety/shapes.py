"""Shapes customers paste secrets in: the generator behind tests/safety and
benchmarks/protect_shapes.py.

Every shape is made from a real phrase (random entropy through the ``mnemonic`` package)
or a real key, in every wordlist language, and comes back as the customer's messages
(usually one, two or three when the secret is split) and the pieces of the secret that must
not survive the protect step. Nothing here is used by the desk at run time.
"""

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha256

from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER
from walletdesk.safety.wordlists import CHINESE, LANGUAGES

STRENGTHS = {12: 128, 15: 160, 18: 192, 21: 224, 24: 256}
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
SEPARATORS = [" ", "  ", ", ", ",", "\n", " - ", "-", "、", "，", "\u3000", " | ", "; ", "/",
              "!", "_", ".", " . ", "\t", " * ", " • ", "\u200b", "\u200d", "\u2060", "\ufeff",
              "+", "~", " / ", " > ", ":", "\r\n", "\n\n", "&nbsp;", "\\n", " · ", "–",
              "\u00a0", "\u2003", " ; ", "'", '", "', "|", "\\t"]
NUMBERING = ["{i}. {w}", "{i}) {w}", "#{i} {w}", "({i}) {w}", "{i}-{w}", "{i}: {w}",
             "{i}.{w}", "[{i}] {w}", "{i}、{w}", "{circled} {w}", "{i} {w}", "{i}.\t{w}"]
BULLETS = ["* {w}", "• {w}", "- {w}", "· {w}", "○ {w}", "> {w}", "→ {w}", "+ {w}"]
PROSE = {
    "english": ("Hi, my wallet shows zero. Here are my words: ", " — can you check please?"),
    "spanish": ("Hola, no veo mis fondos. Mis palabras son: ", " ¿me ayudan por favor?"),
    "french": ("Bonjour, mon solde est vide. Voici mes mots : ", " merci de vérifier."),
    "italian": ("Ciao, il saldo è zero. Le mie parole sono: ", " potete controllare?"),
    "portuguese": ("Olá, meu saldo sumiu. Minhas palavras: ", " podem verificar?"),
    "czech": ("Dobrý den, zůstatek je nula. Moje slova: ", " prosím zkontrolujte."),
    "japanese": ("こんにちは、残高がゼロです。私の単語は：", "　確認してください。"),
    "korean": ("안녕하세요, 잔액이 0입니다. 제 단어는: ", " 확인 부탁드립니다."),
    "russian": ("Здравствуйте, баланс нулевой. Мои слова: ", " проверьте, пожалуйста."),
    "turkish": ("Merhaba, bakiyem sıfır. Kelimelerim: ", " kontrol eder misiniz?"),
    "chinese_simplified": ("你好，我的钱包余额不见了，助记词是：", "，请帮我查一下。"),
    "chinese_traditional": ("你好，我的錢包餘額不見了，助記詞是：", "，請幫我查一下。"),
}
ZH_PROSE = {  # Chinese written around a phrase with no space or punctuation at all
    "chinese_simplified": [("我的助记词是", "请帮我看看为什么余额没了"), ("刚才导入", "之后资产不见了"),
                           ("客服你好我抄下来的是", "对吗"), ("", "这是我备份的")],
    "chinese_traditional": [("我的助記詞是", "請幫我看看為什麼餘額沒了"), ("剛才匯入", "之後資產不見了"),
                            ("客服你好我抄下來的是", "對嗎"), ("", "這是我備份的")],
}
AROUND_SENTENCE = {  # prose of everyday words that are also wordlist words, a sentence apart
    "english": [("All good. Never share ", " with anyone."), ("Thanks. ", ". Is that right?")],
    "spanish": [("Todo bien. Nunca ", " con nadie."), ("Gracias. ", ". ¿Es correcto?")],
    "french": [("Merci. ", ". Est-ce correct ?")],
}
PHRASE_FAMILIES = ("separator", "numbered", "bullets", "json", "case", "fullwidth",
                   "zero_width", "normalisation", "misspelt", "short", "short_misspelt",
                   "embedded", "split", "glued_prose", "no_checksum")
KEY_FAMILIES = ("hex_0X_key", "hex_grouped", "wif_typo", "xprv_typo", "xprv_split",
                "hex_split")


@dataclass
class Shape:
    family: str
    language: str
    messages: list[str]  # what the customer sends, in order
    secret: list[str]  # pieces that must not be left in any message


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = BASE58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58check(payload: bytes) -> str:
    return b58encode(payload + sha256(sha256(payload).digest()).digest()[:4])


def phrase(rng: random.Random, language: str, words: int) -> list[str]:
    entropy = rng.randbytes(STRENGTHS[words] // 8)
    return Mnemonic(language).to_mnemonic(entropy).split()


def misspell(rng: random.Random, word: str, alphabet: str = "abcdefghijklmnoprstuvyz") -> str:
    """One edit: a letter changed, dropped, added, or two letters swapped (in NFD, so a
    Korean or Japanese word changes by one jamo or one mark, as a typing slip does)."""
    word = unicodedata.normalize("NFD", word)
    position = rng.randrange(len(word))
    edit = rng.choice(["change", "drop", "add", "swap"] if len(word) > 4 else
                      ["change", "add", "swap"])
    if edit == "change":
        options = [c for c in alphabet if c != word[position]]
        out = word[:position] + rng.choice(options) + word[position + 1:]
    elif edit == "drop":
        out = word[:position] + word[position + 1:]
    elif edit == "add":
        out = word[:position] + rng.choice(alphabet) + word[position:]
    else:
        position = min(position, len(word) - 2)
        if word[position] == word[position + 1]:
            return misspell(rng, word, alphabet)
        out = word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return unicodedata.normalize("NFC", out)


@lru_cache(maxsize=16)
def alphabet(language: str) -> str:
    letters = {c for word in Mnemonic(language).wordlist
               for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)}
    return "".join(sorted(letters))


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c
                   for c in text)


def _circled(i: int) -> str:
    return chr(0x2460 + i - 1) if i <= 20 else str(i)


def _number(words: list[str], pattern: str, joiner: str) -> str:
    return joiner.join(pattern.format(i=i, w=w, circled=_circled(i))
                       for i, w in enumerate(words, 1))


def _case(rng: random.Random, words: list[str]) -> list[str]:
    style = rng.choice(["upper", "title", "first", "mixed"])
    if style == "upper":
        return [w.upper() for w in words]
    if style == "title":
        return [w.title() for w in words]
    if style == "first":
        return [words[0].title(), *words[1:]]
    return ["".join(c.upper() if rng.random() < 0.3 else c for c in w) for w in words]


def _join(rng: random.Random, words: list[str]) -> str:
    return rng.choice(SEPARATORS).join(words)


def make_phrase_shape(rng: random.Random, family: str, language: str) -> Shape:
    size = rng.choice(sorted(STRENGTHS))
    words = phrase(rng, language, size)
    chinese = language in CHINESE
    if family == "separator":
        return Shape(family, language, [_join(rng, words)], words)
    if family == "numbered":
        joiner = rng.choice(["\n", " ", "  ", ", ", "\n\n"])
        return Shape(family, language, [_number(words, rng.choice(NUMBERING), joiner)], words)
    if family == "bullets":
        return Shape(family, language, [_number(words, rng.choice(BULLETS), "\n")], words)
    if family == "json":
        style = rng.choice(["json", "ascii", "repr", "quoted", "braces"])
        text = {"json": json.dumps(words, ensure_ascii=False), "ascii": json.dumps(words),
                "repr": repr(words), "quoted": " ".join(f'"{w}"' for w in words),
                "braces": json.dumps({"mnemonic": " ".join(words)}, ensure_ascii=False)}[style]
        secret = words if style != "ascii" else [json.dumps(w)[1:-1] for w in words]
        return Shape(family, language, [text], secret)
    if family == "case":
        cased = _case(rng, words)
        return Shape(family, language, [_join(rng, cased)], cased)
    if family == "fullwidth":
        text = _fullwidth(rng.choice([" ", ", ", "\n"]).join(words))
        return Shape(family, language, [text], [_fullwidth(w) for w in words])
    if family == "zero_width":
        return Shape(family, language, [rng.choice("\u200b\u200c\u200d\u2060\ufeff").join(words)],
                     words)
    if family == "normalisation":
        form = rng.choice(["NFC", "NFD", "NFKC", "NFKD"])
        normal = [unicodedata.normalize(form, w) for w in words]
        return Shape(family, language, [_join(rng, normal)], normal)
    if family == "misspelt":
        spoilt = list(words)
        for position in rng.sample(range(size), rng.choice([1, 1, 2])):
            spoilt[position] = _spoil(rng, language, spoilt[position])
        return Shape(family, language, [_join(rng, spoilt)], spoilt)
    if family == "short":
        kept = words[:size - rng.choice([1, 2])] if size == 12 else words[:rng.choice([10, 11])]
        return Shape(family, language, [_join(rng, kept)], kept)
    if family == "short_misspelt":
        kept = words[:11]
        kept[rng.randrange(1, 10)] = _spoil(rng, language, kept[rng.randrange(1, 10)])
        return Shape(family, language, [_join(rng, kept)], kept)
    if family == "no_checksum":  # twelve words misremembered or made up: no checksum holds,
        # written in a sentence of its own beside prose whose words are in the list too
        before, after = rng.choice([PROSE[language], *AROUND_SENTENCE.get(language, [])])
        around = set(re.findall(r"\w+", (before + after).lower()))  # (so a leak is a leak)
        words = rng.sample([w for w in Mnemonic(language).wordlist[:2048] if w not in around], 12)
        separator = " " if not chinese else rng.choice([" ", "、"])
        return Shape(family, language, [before + separator.join(words) + after], words)
    if family == "embedded":
        before, after = PROSE[language]
        separator = rng.choice([" ", ", ", "\n"] if not chinese else ["", " ", "、", "，"])
        return Shape(family, language, [before + separator.join(words) + after], words)
    if family == "split":
        parts = rng.choice([[6, 6], [4, 4, 4], [12, 12], [8, 7], [5, 5, 5]])
        words = phrase(rng, language, sum(parts) if sum(parts) in STRENGTHS else 12)
        separator = rng.choice([" ", ", ", "\n"] if not chinese else [" ", "、", ""])
        messages, start = [], 0
        for count in parts:
            messages.append(separator.join(words[start:start + count]))
            start += count
        return Shape(family, language, messages, words)
    if family == "glued_prose":
        if not chinese:
            return make_phrase_shape(rng, "embedded", language)
        before, after = rng.choice(ZH_PROSE[language])
        return Shape(family, language, [before + "".join(words) + after], words)
    raise ValueError(f"unknown family {family}")


def _spoil(rng: random.Random, language: str, word: str) -> str:
    if language in CHINESE:  # a character misremembered: another character of the list
        return rng.choice(Mnemonic(language).wordlist[:2048])
    if len(word) < 4:
        return word  # too short to misspell and still be recognised
    return misspell(rng, word, alphabet(language))


def _wif(rng: random.Random) -> str:
    secret = rng.randbytes(32)
    return b58check(b"\x80" + secret + (b"\x01" if rng.random() < 0.7 else b""))


def _xprv(rng: random.Random) -> str:
    prefix = bytes.fromhex(rng.choice(["0488ade4", "049d7878", "04b2430c", "04358394"]))
    body = bytes([rng.randrange(5)]) + rng.randbytes(4) + rng.randbytes(4) + rng.randbytes(32)
    return b58check(prefix + body + b"\0" + rng.randbytes(32))


def _one_wrong(rng: random.Random, key: str) -> str:
    position = rng.randrange(4 if key.startswith(("xprv", "yprv", "zprv", "tprv")) else 1,
                             len(key))
    choices = [c for c in BASE58 + "0OIl" if c != key[position]]
    return key[:position] + rng.choice(choices) + key[position + 1:]


def make_key_shape(rng: random.Random, family: str) -> Shape:
    if family == "hex_0X_key":
        key = rng.randbytes(32).hex()
        prefix = rng.choice(["0X", "0x"])
        key = key.upper() if rng.random() < 0.3 else key
        context = rng.choice(["my private key is ", "private key: ", "私钥 ", "priv key=",
                              "clave privada: ", "PRIVATE KEY "])
        return Shape(family, "any", [context + prefix + key + " thanks"], [key])
    if family == "hex_grouped":
        key = rng.randbytes(32).hex()
        size = rng.choice([4, 8, 16, 2])
        groups = [key[i:i + size] for i in range(0, 64, size)]
        separator = rng.choice([" ", "-", ":", "\n", "  ", " - "])
        context = rng.choice(["", "private key: ", "my key ", "here it is\n"])
        return Shape(family, "any", [context + separator.join(groups)], groups)
    if family == "wif_typo":
        key = _one_wrong(rng, _wif(rng))
        return Shape(family, "any", [rng.choice(["", "wif: ", "my key "]) + key], [key])
    if family == "xprv_typo":
        key = _one_wrong(rng, _xprv(rng))
        return Shape(family, "any", [rng.choice(["", "xprv key: ", "backup "]) + key], [key])
    if family == "xprv_split":
        key = _xprv(rng)
        cut = rng.randrange(30, len(key) - 30)
        return Shape(family, "any", [key[:cut], key[cut:]], [key[:cut], key[cut:]])
    if family == "hex_split":
        key = rng.randbytes(32).hex()
        return Shape(family, "any", ["private key part 1: " + key[:32], key[32:]],
                     [key[:32], key[32:]])
    raise ValueError(f"unknown family {family}")


def shapes(seed: int, per_cell: int) -> list[Shape]:
    """``per_cell`` shapes of every phrase family in every language, and of every key family."""
    rng = random.Random(seed)
    out = [make_phrase_shape(rng, family, language)
           for family in PHRASE_FAMILIES for language in LANGUAGES for _ in range(per_cell)]
    out += [make_key_shape(rng, family) for family in KEY_FAMILIES for _ in range(per_cell * 4)]
    return out


def store_messages(messages: list[str]) -> list[str]:
    """What the message path stores: each message protected after the previous two, whose
    stored texts a completed phrase rewrites."""
    stored: list[str] = []
    for text in messages:
        previous = stored[-2:]
        result = protect_with_previous(previous, text)
        for index, new_text in result.earlier.items():
            stored[len(stored) - len(previous) + index] = new_text
        stored.append(result.protected.text)
    return stored


def leaked(shape: Shape, stored: list[str]) -> list[str]:
    """The pieces of the secret still in the stored messages (beyond the prose around it)."""
    text = "\n".join(stored).replace(SEED_PLACEHOLDER, "\n").replace(KEY_PLACEHOLDER, "\n")
    for language, (before, after) in PROSE.items():
        if shape.language == language:
            text = text.replace(before, "\n").replace(after, "\n")
    for before, after in ZH_PROSE.get(shape.language, []):
        text = text.replace(before, "\n") if before else text
        text = text.replace(after, "\n")
    pieces = [piece for piece in shape.secret if piece]
    if shape.language in CHINESE:
        # single characters also occur in prose: a leak is three phrase characters together
        joined = [a + b + c for a, b, c in zip(pieces, pieces[1:], pieces[2:], strict=False)]
        return [piece for piece in joined if piece in text.replace(" ", "").replace("、", "")]
    return [piece for piece in pieces if len(piece) >= 3 and piece in text]
