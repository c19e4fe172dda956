"""The "protect" step of the message path: find secrets in text and replace them.

Pure functions, no I/O: the message path calls :func:`protect_text` before a message is
stored, logged, published or handed to the bot, so the original secret is never written
anywhere. Articles, notes and API payloads go through it too.

What is removed:

- **Recovery phrases** (BIP-39) in every wordlist the ``mnemonic`` package ships: 12, 15, 18,
  21 or 24 words separated by spaces, commas, ideographic commas/spaces, new lines or a
  numbered list ("1. word", "2) word", "#3 word", "④ word"). A run whose checksum is valid is
  *certain*; a run of 12 or more wordlist words without a valid checksum is *likely* and is
  removed too. Chinese words are single characters: a run of wordlist characters written
  *without* separators is only taken as a phrase when its checksum is valid (ordinary
  Chinese prose is made of such characters); with separators the normal rules apply.
- **Private keys**: WIF keys and extended private keys (xprv, yprv, zprv, tprv, uprv, vprv)
  when their base58 checksum is valid (*certain*); Solana secret keys (base58 decoding to 64
  bytes, or a JSON array of 64 bytes) (*likely*); Ethereum keystore JSON (*certain*); and
  64-hex-digit strings, by this rule:

  * ``0x`` + 64 hex is a transaction hash (the EVM form) and is kept, unless the words just
    before it say it is a key (private key, priv, secret, 私钥, 密钥, clave privada …);
  * 64 hex without ``0x`` is removed as a likely private key, unless the words just before it
    say it is a transaction (tx, txid, hash, transaction, 交易, 哈希 …) or it is part of a
    link (an explorer URL).

  A 0x address (40 hex digits) is never a key, nor are BTC, TRON or Solana addresses.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from typing import Literal

from mnemonic import Mnemonic

Kind = Literal["seed_phrase", "private_key", "keystore"]
Certainty = Literal["certain", "likely"]
SEED_PLACEHOLDER = "[seed phrase removed]"
KEY_PLACEHOLDER = "[private key removed]"
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
MIN_LIKELY_WORDS = 12
LANGUAGES = tuple(Mnemonic.list_languages())
CHINESE = ("chinese_simplified", "chinese_traditional")
CONTEXT_CHARS = 40
MAX_WORD_CHARS = 16

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(_BASE58)}
_CJK = "\u3400-\u9fff\uf900-\ufaff"
# a word (letters, any script but Chinese; combining marks; U+FFFD, which one word of the
# Russian list in the mnemonic package contains), or one Chinese character
_TOKEN = re.compile(rf"[{_CJK}]|(?:[^\W\d_{_CJK}]|[\u0300-\u036f\u3099\u309a\ufffd])+")
# what may stand between two words of one phrase: separators and list numbering
_GAP = re.compile(r"^(?:[\s,;、，；。.:：|/\-]|\d{1,2}[.):：、]?|#\d{1,2}|[\u2460-\u2473]|[()（）])*$")
_HEX64 = re.compile(r"(?<![0-9A-Za-z])(0x)?([0-9a-fA-F]{64})(?![0-9A-Za-z])")
_BASE58_RUN = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{50,120}(?![0-9A-Za-z])")
_BYTE_ARRAY = re.compile(r"\[\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]")
_KEY_CONTEXT = re.compile(r"priv|secret|私钥|私鑰|密钥|密鑰|clave\s+privada|key\b|キー|秘密鍵|개인\s*키",
                          re.IGNORECASE)
_TX_CONTEXT = re.compile(r"\btx|txid|hash|transac|交易|哈希|区块|區塊|浏览器|瀏覽器|scan|explorer|"
                         r"transfer|转账|轉帳|block", re.IGNORECASE)
_EXTENDED_PREFIXES = {bytes.fromhex(h) for h in (
    "0488ade4", "049d7878", "04b2430c", "04358394", "044a4e28", "045f18bc")}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    certainty: Certainty
    detail: str = ""


@dataclass
class Protected:
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_secret(self) -> bool:
        return bool(self.findings)


# --- wordlists ---------------------------------------------------------------------------

GRAMMAR_CHARACTERS = "的了是我你他她它们在有不这那吗呢吧啊么什怎会要就也都和与及或而着过把被让给对从到说"
MAX_GRAMMAR_CHARS = 2
_GRAMMAR_INDICES = {
    language: {i for i, w in enumerate(Mnemonic(language).wordlist) if w in GRAMMAR_CHARACTERS
               or w in "們這嗎麼與過讓給對從說會"}
    for language in CHINESE
}


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, int]]:
    """word (NFKD) -> {language: index}."""
    table: dict[str, dict[str, int]] = {}
    for language in LANGUAGES:
        for index, word in enumerate(Mnemonic(language).wordlist):
            table.setdefault(unicodedata.normalize("NFKD", word), {})[language] = index
    return table


def checksum_valid(indices: list[int]) -> bool:
    """BIP-39: the last bits of the words are the first bits of sha256(entropy)."""
    count = len(indices)
    if count not in PHRASE_LENGTHS:
        return False
    total = count * 11
    checksum_bits = total // 33
    entropy_bits = total - checksum_bits
    number = 0
    for index in indices:
        number = (number << 11) | index
    entropy = (number >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    checksum = number & ((1 << checksum_bits) - 1)
    return sha256(entropy).digest()[0] >> (8 - checksum_bits) == checksum


def _valid_window(indices: list[int]) -> tuple[int, int] | None:
    """(start, size) of the longest run of words with a valid checksum, if any."""
    for size in reversed(PHRASE_LENGTHS):
        for start in range(0, len(indices) - size + 1):
            if checksum_valid(indices[start:start + size]):
                return start, size
    return None


# --- recovery phrases --------------------------------------------------------------------

def _find_phrases(text: str) -> list[tuple[int, int, Finding]]:
    normal = text  # offsets refer to the original text; tokens are folded one by one
    tokens = [(m.start(), m.end(), unicodedata.normalize("NFKD", m.group().lower()))
              for m in _TOKEN.finditer(text)]
    if len(tokens) < MIN_LIKELY_WORDS:
        return []
    words = _words()
    spans: list[tuple[int, int, Finding]] = []
    runs: dict[str, list[tuple[int, int, int, bool]]] = {}  # language -> [(start, end, idx, gap)]
    previous_end = -1
    for start, end, word in tokens:
        gap_ok = previous_end < 0 or bool(_GAP.match(normal[previous_end:start]))
        separated = previous_end >= 0 and start > previous_end
        previous_end = end
        found = words.get(word) if len(word) <= MAX_WORD_CHARS else None
        for language in list(runs):
            if not gap_ok or not found or language not in found:
                spans += _judge(language, runs.pop(language))
        if found and gap_ok:
            for language, index in found.items():
                runs.setdefault(language, []).append((start, end, index, separated))
        elif found:
            for language, index in found.items():
                runs[language] = [(start, end, index, separated)]
    for language, run in runs.items():
        spans += _judge(language, run)
    return [(_include_list_number(text, start), end, finding) for start, end, finding in spans]


_LEADING_NUMBER = re.compile(r"(?:\d{1,2}[.):：、]?|#\d{1,2}|[\u2460-\u2473])[ \t]*$")


def _include_list_number(text: str, start: int) -> int:
    """A numbered list's "1." belongs to the phrase it numbers."""
    match = _LEADING_NUMBER.search(text, max(0, start - 6), start)
    return match.start() if match else start


def _judge(language: str, run: list[tuple[int, int, int, bool]]) -> list[tuple[int, int, Finding]]:
    if len(run) < MIN_LIKELY_WORDS:
        return []
    if language in CHINESE:
        return _chinese_windows(language, run)
    return [_phrase(language, run)]


def _phrase(language: str, run: list[tuple[int, int, int, bool]]) -> tuple[int, int, Finding]:
    """The whole run of wordlist words goes, even when the valid phrase is only part of it: a
    word of the phrase left on screen would be worse than a neighbouring word removed."""
    indices = [index for _, _, index, _ in run]
    certainty: Certainty = "certain" if _valid_window(indices) else "likely"
    return run[0][0], run[-1][1], Finding("seed_phrase", certainty, language)


def _chinese_windows(language: str, run: list[tuple[int, int, int, bool]]
                     ) -> list[tuple[int, int, Finding]]:
    """Chinese words are single characters. Written one by one with separators they follow
    the rules of other languages. Written together, a segment counts only as a whole: exactly
    12–24 characters, a valid checksum, and not reading like prose (prose passes a 12-word
    checksum one time in 16, so the segment must also be nearly free of the grammar
    characters — 的, 了, 吗 … — that any sentence is full of and a random phrase rarely has)."""
    segments: list[list[tuple[int, int, int, bool]]] = [[run[0]]]
    for item in run[1:]:
        if item[3]:  # a separator before this character: a new segment
            segments.append([item])
        else:
            segments[-1].append(item)
    spans = []
    spaced: list[tuple[int, int, int, bool]] = []
    for segment in [*segments, []]:
        if len(segment) == 1:
            spaced.append(segment[0])
            continue
        if len(spaced) >= MIN_LIKELY_WORDS:
            spans.append(_phrase(language, spaced))
        spaced = []
        indices = [index for _, _, index, _ in segment]
        if len(indices) in PHRASE_LENGTHS and checksum_valid(indices):
            grammar = sum(1 for index in indices if index in _GRAMMAR_INDICES[language])
            if grammar <= MAX_GRAMMAR_CHARS:
                spans.append((segment[0][0], segment[-1][1],
                              Finding("seed_phrase", "certain", language)))
    return spans


# --- keys --------------------------------------------------------------------------------

def base58_decode(value: str) -> bytes | None:
    number = 0
    for char in value:
        digit = _BASE58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(value) - len(value.lstrip("1"))) + body


def base58check_payload(value: str) -> bytes | None:
    raw = base58_decode(value)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    return payload if sha256(sha256(payload).digest()).digest()[:4] == checksum else None


def _classify_base58(candidate: str) -> Finding | None:
    payload = base58check_payload(candidate)
    if payload is not None:
        if len(payload) == 78 and payload[:4] in _EXTENDED_PREFIXES and payload[45] == 0:
            return Finding("private_key", "certain", "extended_private_key")
        if payload[:1] in (b"\x80", b"\xef") and (
                len(payload) == 33 or (len(payload) == 34 and payload[-1] == 1)):
            return Finding("private_key", "certain", "wif")
        return None  # an address or another checked value: not a key
    raw = base58_decode(candidate)
    if raw is not None and len(raw) == 64 and 85 <= len(candidate) <= 90:
        return Finding("private_key", "likely", "solana_secret_key")
    return None


def _context_before(text: str, start: int) -> str:
    return text[max(0, start - CONTEXT_CHARS):start]


def _in_url(text: str, start: int) -> bool:
    line_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    return "://" in text[line_start:start] or "/" in text[max(0, start - 1):start]


def _find_keys(text: str) -> list[tuple[int, int, Finding]]:
    spans: list[tuple[int, int, Finding]] = []
    for match in _HEX64.finditer(text):
        before = _context_before(text, match.start())
        says_key = bool(_KEY_CONTEXT.search(before))
        says_tx = bool(_TX_CONTEXT.search(before)) or _in_url(text, match.start())
        if match.group(1):  # 0x + 64 hex: the EVM transaction-hash form
            if says_key and not says_tx:
                spans.append((match.start(), match.end(), Finding("private_key", "likely", "hex")))
        elif says_key or not says_tx:
            spans.append((match.start(), match.end(), Finding("private_key", "likely", "hex")))
    for match in _BASE58_RUN.finditer(text):
        finding = _classify_base58(match.group())
        if finding is not None:
            spans.append((match.start(), match.end(), finding))
    for match in _BYTE_ARRAY.finditer(text):
        values = [int(v) for v in re.findall(r"\d+", match.group())]
        if all(v < 256 for v in values):
            spans.append((match.start(), match.end(),
                          Finding("private_key", "likely", "solana_keypair_bytes")))
    spans += _find_keystores(text)
    return spans


def _find_keystores(text: str) -> list[tuple[int, int, Finding]]:
    lowered = text.lower()
    if "ciphertext" not in lowered or "kdf" not in lowered:
        return []
    spans = []
    position = 0
    while (start := text.find("{", position)) != -1:
        end = _matching_brace(text, start)
        if end is None:
            break
        block = text[start:end + 1]
        if '"ciphertext"' in block.lower() and '"kdf"' in block.lower() and _is_keystore(block):
            spans.append((start, end + 1, Finding("keystore", "certain", "ethereum_keystore")))
            position = end + 1
        else:
            position = start + 1
    return spans


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, min(len(text), start + 20_000)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _is_keystore(block: str) -> bool:
    try:
        data = json.loads(block)
    except ValueError:
        return True  # a broken paste of a keystore is still one
    crypto = data.get("crypto") or data.get("Crypto") if isinstance(data, dict) else None
    return isinstance(crypto, dict) and "ciphertext" in crypto


# --- the step ----------------------------------------------------------------------------

def protect_text(text: str) -> Protected:
    """Return ``text`` with every detected secret replaced, and what was found."""
    if len(text) < MIN_LIKELY_WORDS:
        return Protected(text)  # too short for any phrase or key
    spans = sorted(_find_phrases(text) + _find_keys(text), key=lambda s: (s[0], -s[1]))
    if not spans:
        return Protected(text)
    out: list[str] = []
    findings: list[Finding] = []
    cursor = 0
    for start, end, finding in spans:
        if start < cursor:  # inside a span already replaced
            continue
        out.append(text[cursor:start])
        out.append(SEED_PLACEHOLDER if finding.kind == "seed_phrase" else KEY_PLACEHOLDER)
        findings.append(finding)
        cursor = end
    out.append(text[cursor:])
    return Protected("".join(out), findings)
