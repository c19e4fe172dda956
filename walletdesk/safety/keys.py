"""Finding private keys in folded text.

- WIF keys and extended private keys (xprv, yprv, zprv, tprv, uprv, vprv and the SLIP-132
  capitals) whose base58 checksum is valid: *certain*. With one wrong character (the
  checksum fails, or a 0/O/I/l slipped in) the shape still gives them away and they are
  removed as *likely*: 51 characters from ``5``/``9`` or 52 from ``K``/``L``/``c`` in
  base58, or an ``xprv``… run of 20 characters or more (half a key, as
  when it is split over two messages, is still half a key).
- Solana secret keys: base58 of 64 bytes whose last 32 are the ed25519 public key of the
  first 32 (a keypair: *certain*, whatever the words around it); other 64 bytes (a
  transaction signature has that shape) only after a key word and not after "tx"/
  "signature" words or in a link (*likely*: a key mistyped). A JSON array of 64 bytes:
  *likely*. Ethereum keystore JSON.
- A key written in pieces (wrapped over lines, in groups of 4, with dashes), joined back:
  a WIF or extended key whose checksum holds, a Solana keypair, or 64 hex digits split
  anywhere after a key word.
- After an explicit label ("private key:", "私钥", "pk =", ``new ethers.Wallet(``): 63–65
  hex digits, or 64 with one wrong or stray character, or OCR's O/l for 0/1 (*likely*).
  ``0x`` + 64 hex assigned to a key in code (``const pk = "0x…"``, ``PRIVATE_KEY=0x…``,
  ``signer = "0x…"``) or after a wallet's export/import words is a key.
- 64 hex digits, in one piece or written in groups (``4c08 83a6 …``, ``4c0883a6-9102…``):
  ``0x``/``0X`` + 64 hex is a transaction hash (the EVM form) and is kept unless the words
  just before it say it is a key; without ``0x`` it is removed unless the words before it
  say it is a transaction or it is part of a link. 128 hex digits in one piece (a 64-byte
  secret, or a key glued to a transaction id) are removed unless ``0x`` (a public key), a
  link or a "signature" word says otherwise.
- A bare 64-hex value sent without any word (a Bitcoin or TRON transaction id has that shape,
  as does a raw private key) is kept only when the caller passes it in ``keep``: the message
  path found a transaction with that id on a configured chain (public data, never a key: a
  value both is a 2^-256 coincidence), and still not when key words stand before it
  (:func:`unverified_hex` lists the candidates; docs/decisions/0044).
"""

import json
import re
import string
from hashlib import sha256

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from walletdesk.safety.findings import Finding, Span

CONTEXT_CHARS = 40
MIN_PIECE_CHARS = 20  # the shortest key in one piece _ALNUM_RUN and _HEX64 look at
MIN_RANDOM_DIGITS = 10  # decimal digits in a key's 64 hex digits, at least
# what _HEX64, _HEX128 and _ALNUM_RUN look for has this in it: MIN_PIECE_CHARS ASCII letters
# and digits in a row, each written as "a" (the text's UTF-8 bytes, translated: no regex)
_ALNUM_AS_A = bytes(0x61 if chr(b) in string.ascii_letters + string.digits else 0x20
                    for b in range(256))
_PIECE = b"a" * MIN_PIECE_CHARS
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(_BASE58)}
_HEX64 = re.compile(r"(?<![0-9A-Za-z])(0[xX])?([0-9a-fA-F]{64})(?![0-9A-Za-z])")
# 128 hex digits in one piece: a 64-byte secret (an ed25519 / Solana key, a BIP-39 seed) or
# two 32-byte values glued ("<txid><key>"): no transaction id has that shape
_HEX128 = re.compile(r"(?<![0-9A-Za-z])(0[xX])?[0-9a-fA-F]{128}(?![0-9A-Za-z])")
_SIGNATURE_CONTEXT = re.compile(r"signature|签名|簽名", re.IGNORECASE)
# words that make a bare 64-hex value too likely a key to send it to a chain endpoint
# (unverified_hex), besides KEY_CONTEXT: abbreviations, a key spelt out, wallet secrets
_KEYISH = re.compile(r"\bp\s*k\b|\bs\s*k\b|seed|\bprv|\bkeys\b|keystore|mnemonic|\bwif\b|"
                     r"\bk\W{0,2}e\W{0,2}y", re.IGNORECASE)
_HEX_GROUPS = re.compile(
    r"(?<![0-9A-Za-z])(0[xX])?[0-9a-fA-F]{2,32}(?:[ \t:\-_.,\n]{1,3}[0-9a-fA-F]{2,32}){1,31}"
    r"(?![0-9A-Za-z])")
_HEX_GROUP = re.compile(r"[0-9a-fA-F]+")
_ALNUM_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{20,120}(?![0-9A-Za-z])")
_BYTE_ARRAY = re.compile(r"\[\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]")
_EXTENDED_PRIVATE = re.compile(r"^[xyztuvXYZUV]prv[0-9A-Za-z]{16}")
KEY_CONTEXT = re.compile(r"priv|secret|私钥|私鑰|密钥|密鑰|clave\s+privada|chiave|clé|"
                         r"chave|soukrom|key\b|キー|秘密鍵|개인\s*키", re.IGNORECASE)
TX_CONTEXT = re.compile(r"\btx|txid|hash|transac|交易|哈希|区块|區塊|浏览器|瀏覽器|scan|explorer|"
                        r"transfer|转账|轉帳|block|signature|签名|簽名", re.IGNORECASE)
# code that assigns the value just after it to a key (`const pk = "`, `PRIVATE_KEY=`,
# `new ethers.Wallet("`, `signer = "`, `Account.from_key("`): a 0x value there is a key
_CODE_KEY = re.compile(
    r"(?:(?<![0-9A-Za-z])(?:pk|sk|priv\w*|private\w*|secret\w*|deployer\w*|\w*key)\s*[:=]\s*|"
    r"(?<![0-9A-Za-z])(?:signer|wallet|account)\s*=\s*|(?:Wallet|from_key|fromSecretKey|"
    r"privateKeyToAccount|Keypair|Signer)\s*\(\s*)[\"'`]?$", re.IGNORECASE)
# a wallet's export (or import) screen: what it shows as 0x + 64 hex is the private key
_EXPORTED = re.compile(r"export|import|导出|導出|匯出|导入|導入|匯入|exporta|importa", re.IGNORECASE)
# an explicit private-key label just before a value: a 64-hex value with its leading zero
# dropped (63 digits), one digit too many, one wrong or stray character, or read by OCR
# (O for 0, l or I for 1) is still the key (_labelled_hex)
_EXPLICIT_LABEL = re.compile(
    r"(?:priv(?:ate)?[\s_-]*key|privkey|secret[\s_-]*key|私钥|私鑰|clave\s+privada|"
    r"chave\s+privada|chiave\s+privata|cl[ée]\s+priv[ée]e|秘密鍵|개인\s*키|приватн\w*\s+ключ|"
    r"özel\s+anahtar|soukrom\w*\s+kl[íi]č|(?<![0-9A-Za-z])[ps]k(?![0-9A-Za-z])|"
    r"new\s+(?:ethers\.)?Wallet\s*\(|from_key\s*\(|export\w*[^\n]{0,30}?key)"
    r"(?:[\s:：=(\"'`\[]|\b(?:is|es|est|é|ist)\b|是|为|為){0,12}", re.IGNORECASE)
_LABELLED_VALUE = re.compile(r"(0[xX])?([0-9A-Za-z]+(?:(?:[ \t]|[ \t]*\r?\n[ \t]*)[0-9A-Za-z]+){0,7})")
_OCR_HEX = str.maketrans("OoIl", "0011")
# a key written over lines or in groups (wrapped by a terminal or a paper backup, "L3L1 quYp
# …"): pieces of letters and digits with spaces, line breaks or dashes between them (_joined)
_PIECES = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]+(?:(?:[ \t]*\r?\n[ \t]*|[ \t]{1,2}|[ \t]?[-–][ \t]?)"
                     r"[0-9A-Za-z]+)+(?![0-9A-Za-z])")
_PIECE_RE = re.compile(r"[0-9A-Za-z]+")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
MIN_JOINED_DIGITS = 4  # in a key joined from pieces (a WIF has 8 on average)
MAX_JOINED_CHARS = 115  # the longest key joined from pieces: an extended private key
_EXTENDED_PREFIXES = {bytes.fromhex(h) for h in (
    "0488ade4", "049d7878", "04b2430c", "04358394", "044a4e28", "045f18bc",
    "0295b005", "02aa7a99", "024285b5", "02575048")}


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


def _checked(payload: bytes) -> Finding | None:
    if len(payload) == 78 and payload[:4] in _EXTENDED_PREFIXES and payload[45] == 0:
        return Finding("private_key", "certain", "extended_private_key")
    if payload[:1] in (b"\x80", b"\xef") and (
            len(payload) == 33 or (len(payload) == 34 and payload[-1] == 1)):
        return Finding("private_key", "certain", "wif")
    return None  # an address or another checked value: not a key


def _wif_shape(candidate: str) -> bool:
    """51 characters from 5/9 or 52 from K/L/c, of base58's mixed digits and cases: a WIF
    key's shape (a wrong character near its start changes the decoded version byte)."""
    if not ((50 <= len(candidate) <= 52 and candidate[0] in "59")
            or (51 <= len(candidate) <= 53 and candidate[0] in "KLc")):
        return False  # (a character dropped or doubled is one wrong character too)
    raw = base58_decode("".join(c if c in _BASE58_INDEX else "1" for c in candidate))
    return raw is not None and 36 <= len(raw) <= 39 and any(c.isdigit() for c in candidate) \
        and candidate.lower() != candidate and candidate.upper() != candidate


def _prv_with_one_wrong(candidate: str) -> bool:
    """An extended private key whose "prv" has a wrong letter (never a "pub" key)."""
    head = candidate[1:4]
    return 100 <= len(candidate) <= 115 and candidate[0] in "xyztuvXYZUV" and head != "pub" \
        and sum(1 for a, b in zip(head, "prv", strict=True) if a != b) == 1


def classify_base58(candidate: str) -> Finding | None:
    invalid = sum(1 for c in candidate if c not in _BASE58_INDEX)
    if invalid > 1:
        return None
    if invalid == 0 and len(candidate) >= 50:
        payload = base58check_payload(candidate)
        if payload is not None:
            return _checked(payload)
    if _EXTENDED_PRIVATE.match(candidate) or _prv_with_one_wrong(candidate):
        return Finding("private_key", "likely", "extended_private_key")
    if _wif_shape(candidate):
        return Finding("private_key", "likely", "wif")
    if invalid == 0 and 85 <= len(candidate) <= 90:
        raw = base58_decode(candidate)
        if raw is not None and len(raw) == 64:
            # a keypair (its second half the public key of its first) is a key wherever it
            # stands; any other 64 bytes (a transaction signature has that shape) only when
            # a key word stands before it (find_keys)
            return Finding("private_key", "certain" if solana_keypair(raw) else "likely",
                           "solana_secret_key")
    return None


def solana_keypair(raw: bytes) -> bool:
    """Whether 64 bytes are a Solana (ed25519) secret key: its last 32 bytes are the public
    key of its first 32. A transaction signature, or two addresses written one after the
    other, is not (a 2^-256 chance)."""
    if len(raw) != 64:
        return False
    try:
        public = Ed25519PrivateKey.from_private_bytes(raw[:32]).public_key().public_bytes_raw()
    except ValueError:
        return False
    return public == raw[32:]


def context_before(text: str, start: int) -> str:
    return text[max(0, start - CONTEXT_CHARS):start]


def in_url(text: str, start: int) -> bool:
    line_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    return "://" in text[line_start:start] or "/" in text[max(0, start - 1):start]


def _hex_is_key(text: str, start: int, prefixed: bool) -> bool:
    before = context_before(text, start)
    says_key = bool(KEY_CONTEXT.search(before))
    says_tx = bool(TX_CONTEXT.search(before)) or in_url(text, start)
    if prefixed:  # 0x + 64 hex: the EVM transaction-hash form
        if _CODE_KEY.search(before):
            return True  # assigned to a key in code: `const pk = "0x…"`, `new Wallet("0x…")`
        return (says_key or bool(_EXPORTED.search(before))) and not says_tx
    return says_key or not says_tx


def _kept(text: str, match: re.Match[str], keep: frozenset[str]) -> bool:
    """A value found on a chain as a transaction id (``keep``), no key words before it."""
    return match.group(2).lower() in keep \
        and not KEY_CONTEXT.search(context_before(text, match.start()))


def unverified_hex(text: str) -> list[str]:
    """The values (lower case) of 64 hex digits in one piece, without ``0x``, that
    :func:`find_keys` removes only because nothing before them says what they are (no
    transaction word, not in a link): a transaction id sent alone looks so, and so does a raw
    private key. Nothing when a key word stands anywhere in ``text`` (folded)."""
    if len(text) < 64 or KEY_CONTEXT.search(text) or _KEYISH.search(text):
        return []
    return [match.group(2).lower() for match in _HEX64.finditer(text)
            if not match.group(1) and _hex_is_key(text, match.start(), False)]


def _looks_random(digits: str) -> bool:
    """64 hex digits of a key mix numbers and letters (prose words like "face" do not)."""
    numbers = sum(c.isdigit() for c in digits)
    return numbers >= MIN_RANDOM_DIGITS and len(digits) - numbers >= 4


def _grouped_hex(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in _HEX_GROUPS.finditer(text):
        body_start = match.start() + (2 if match.group(1) else 0)
        groups = list(_HEX_GROUP.finditer(text, body_start, match.end()))
        for first in range(min(4, len(groups))):
            total = 0
            for last in range(first, len(groups)):
                total += len(groups[last].group())
                if total >= 64:
                    break
            if total != 64 or last == first:
                continue
            sizes = [len(g.group()) for g in groups[first:last + 1]]
            if len(set(sizes[:-1])) > 1 or sizes[-1] > sizes[0]:
                break  # a key is written in equal groups; two UUIDs (8-4-4-4-12) are not
            start, end = groups[first].start(), groups[last].end()
            digits = "".join(g.group() for g in groups[first:last + 1])
            prefixed = first == 0 and bool(match.group(1))
            if _looks_random(digits) and _hex_is_key(text, match.start() if prefixed else start,
                                                     prefixed):
                spans.append((match.start() if prefixed else start, end,
                              Finding("private_key", "likely", "hex")))
            break
    return spans


def _labelled_hex(text: str) -> list[Span]:
    """A value of 63–65 hex digits (a leading zero dropped, one too many), or 64 with one
    wrong or stray character, just after an explicit private-key label ("private key:",
    "私钥", "pk =", ``new ethers.Wallet(``): the key, as the label says (OCR's O and l read as
    0 and 1)."""
    spans: list[Span] = []
    for label in _EXPLICIT_LABEL.finditer(text):
        value = _LABELLED_VALUE.match(text, label.end())
        if value is None:
            continue
        body_start = value.start(2)
        pieces = list(_PIECE_RE.finditer(text, body_start, value.end()))
        total = 0
        for number, piece in enumerate(pieces):
            total += len(piece.group())
            if total > 65:
                break
            if total < 63:
                continue
            digits = "".join(p.group() for p in pieces[:number + 1]).translate(_OCR_HEX)
            wrong = sum(1 for c in digits if c not in _HEX_DIGITS)
            if wrong <= 1 and (total != 64 or wrong or number) and _looks_random(digits):
                spans.append((value.start(), piece.end(), Finding("private_key", "likely", "hex")))
                break
    return spans


def _joined(text: str) -> list[Span]:
    """A key written in pieces (over lines, in groups, with dashes), joined back: a WIF or
    an extended private key whose checksum holds, a Solana keypair, or 64 hex digits with a
    key word before them. Only the pieces that make the key are removed."""
    spans: list[Span] = []
    for run in _PIECES.finditer(text):
        body = run.group()
        if len(body) < 50 or sum(c.isdigit() for c in body) < MIN_JOINED_DIGITS:
            continue
        pieces = [(m.start(), m.end(), m.group()) for m in _PIECE_RE.finditer(text, run.start(),
                                                                             run.end())]
        first = 0
        while first < len(pieces) - 1:
            found = _joined_from(text, pieces, first)
            if found is None:
                first += 1
                continue
            last, finding = found
            spans.append((pieces[first][0], pieces[last][1], finding))
            first = last + 1
    return spans


def _joined_from(text: str, pieces: list[tuple[int, int, str]], first: int
                 ) -> tuple[int, Finding] | None:
    """The last piece and the finding of a key made of pieces from ``first`` on (two at
    least), the longest there is; None if none."""
    joined = pieces[first][2]
    best: tuple[int, Finding] | None = None
    for last in range(first + 1, len(pieces)):
        joined += pieces[last][2]
        if len(joined) > MAX_JOINED_CHARS:
            break
        finding = _joined_key(text, pieces[first][0], joined)
        if finding is not None:
            best = (last, finding)
    return best


def _joined_key(text: str, start: int, joined: str) -> Finding | None:
    size = len(joined)
    if size == 64 or (size == 66 and joined[:2] in ("0x", "0X")):
        digits = joined[-64:]
        if all(c in _HEX_DIGITS for c in digits) and _looks_random(digits):
            before = context_before(text, start)
            if (KEY_CONTEXT.search(before) or _KEYISH.search(before)) \
                    and not in_url(text, start):
                return Finding("private_key", "likely", "hex")
            return None
    if not (50 <= size <= 53 or 85 <= size <= 90 or 107 <= size <= 115) \
            or any(c not in _BASE58_INDEX for c in joined):
        return None
    if size <= 53 or size >= 107:
        payload = base58check_payload(joined)
        return _checked(payload) if payload is not None else None
    raw = base58_decode(joined)
    if raw is not None and solana_keypair(raw):
        return Finding("private_key", "certain", "solana_secret_key")
    return None


def find_keys(text: str, keep: frozenset[str] = frozenset()) -> list[Span]:
    """``keep``: bare 64-hex values found on a chain as transactions (see the module doc)."""
    spans: list[Span] = []
    # quick looks first: a key in one piece (64 hex digits, base58) is 20 letters and digits
    # or more in a row; one written in groups has ten digits or more (_looks_random)
    encoded = text.encode("utf-8", "surrogatepass")  # ASCII as is; any other character: ≥ 0x80
    in_one_piece = _PIECE in encoded.translate(_ALNUM_AS_A)
    for match in _HEX64.finditer(text) if in_one_piece else ():
        if _hex_is_key(text, match.start(), bool(match.group(1))) \
                and not (keep and _kept(text, match, keep)):
            spans.append((match.start(), match.end(), Finding("private_key", "likely", "hex")))
    for match in _HEX128.finditer(text) if in_one_piece else ():
        if not (match.group(1) or in_url(text, match.start())
                or _SIGNATURE_CONTEXT.search(context_before(text, match.start()))):
            spans.append((match.start(), match.end(), Finding("private_key", "likely", "hex")))
    digits = len(encoded) - len(encoded.translate(None, b"0123456789"))
    if (" " in text or "-" in text or ":" in text or "\n" in text) \
            and digits >= MIN_RANDOM_DIGITS:
        spans += _grouped_hex(text)
    for match in _ALNUM_RUN.finditer(text) if in_one_piece else ():
        candidate = match.group()
        if len(candidate) < 50 and not _EXTENDED_PRIVATE.match(candidate):
            continue
        finding = classify_base58(candidate)
        if finding is None:
            continue
        if finding.detail == "solana_secret_key" and finding.certainty != "certain" and (
                not KEY_CONTEXT.search(before := context_before(text, match.start()))
                or TX_CONTEXT.search(before) or in_url(text, match.start())):
            continue  # 64 bytes, not a keypair: a transaction signature unless labelled a key
        spans.append((match.start(), match.end(), finding))
    for match in _BYTE_ARRAY.finditer(text) if "[" in text else ():
        values = [int(v) for v in re.findall(r"\d+", match.group())]
        if all(v < 256 for v in values):
            spans.append((match.start(), match.end(),
                          Finding("private_key", "likely", "solana_keypair_bytes")))
    if digits >= MIN_JOINED_DIGITS and ("\n" in text or " " in text or "-" in text):
        spans += _joined(text)
    if digits >= MIN_RANDOM_DIGITS:  # (a hex key has ten digits at least: _looks_random)
        spans += _labelled_hex(text)
    spans += _find_keystores(text)
    return spans


def _find_keystores(text: str) -> list[Span]:
    lowered = text.lower()
    if "ciphertext" not in lowered or "kdf" not in lowered:
        return []
    spans: list[Span] = []
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
