"""Finding transaction hashes and addresses in a customer's message, and the chain they are on.

Pure functions over the *protected* text (the stored message: walletdesk.safety has already
replaced keys and phrases with placeholders, so nothing here can bring a secret back — a
placeholder is not a hash). The chain is inferred from the format (``0x`` + 64 hex is an EVM
transaction, 64 bare hex a Bitcoin or TRON one, 87–88 base58 characters a Solana signature)
and from the words around it ("USDT-TRC20", "BEP20", "以太坊", "波场", an explorer's domain);
a format several chains share with no word to choose is *ambiguous* and the bot asks. A hex
run a few digits off a hash's 64 (``incomplete_hashes``: a hash copied short, or with a
character too many) is no transaction of any chain: the bot asks for it again. The
words also say, sometimes, which asset moved (``asset_hint``: TRON's native TRX or a token):
a hint for how to ask, never what the answer says (decision 0053).
"""

import re
from dataclasses import dataclass, field

from walletdesk.chains.networks import BITCOIN, EVM, EVM_NETWORKS, NETWORKS, SOLANA, TRON
from walletdesk.safety.protect import base58_decode, base58check_payload

MAX_PER_MESSAGE = 3  # transactions of one message looked up (and checked: chains.verify)
_EVM_TX = re.compile(r"(?<![0-9A-Za-z])0[xX]([0-9a-fA-F]{64})(?![0-9A-Za-z])")
_EVM_ADDRESS = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z])")
_BARE_HEX64 = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_BASE58_RUN = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{25,90}(?![0-9A-Za-z])")
# 60–66 hex digits, with or without 0x: a hash when there are 64 (_EVM_TX, _BARE_HEX64)
_NEAR_HASH = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?([0-9a-fA-F]{60,66})(?![0-9A-Za-z])")
HASH_HEX_DIGITS = 64  # of every hex transaction hash the desk knows (EVM, Bitcoin, TRON)
_BECH32 = re.compile(r"(?<![0-9A-Za-z])(bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})"
                     r"(?![0-9A-Za-z])")

# (pattern, chain, strong): a network's own name is strong; an asset symbol several networks
# share (ETH on Arbitrum or Base, BNB) is weak and counts only when nothing strong is said
_HINTS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern, flags), chain, strong) for pattern, chain, strong, flags in (
        (r"trc[-_ ]?20|\btron\b|\btrx\b|波场|波場|tronscan|trongrid", "tron", True, re.I),
        (r"erc[-_ ]?20|\bethereum\b|以太坊|etherscan", "ethereum", True, re.I),
        (r"\beth\b|以太", "ethereum", False, re.I),
        (r"bep[-_ ]?20|\bbsc\b|bnb\s*(smart\s*)?chain|币安链|幣安鏈|币安智能链|幣安智能鏈|bscscan",
         "bsc", True, re.I),
        (r"\bbnb\b|币安|幣安", "bsc", False, re.I),
        (r"\bpolygon\b|\bmatic\b|马蹄|馬蹄|polygonscan", "polygon", True, re.I),
        (r"\barbitrum\b|\barb\b|arbiscan", "arbitrum", True, re.I),
        (r"\bBase\b(?!\s*[Ff]ee)|\bbase\s*(chain|network|mainnet|链|鏈)|basescan", "base", True, 0),
        (r"\boptimism\b|\bop\s+mainnet", "optimism", True, re.I),
        (r"\bbitcoin\b|\bbtc\b|比特币|比特幣|mempool\.space|blockstream", "bitcoin", True, re.I),
        (r"\bsolana\b|\bsol\b|\bspl\b|索拉纳|索拉納|solscan", "solana", True, re.I),
    ))

# What the words say about the asset (decision 0053): TRON's native coin or a token. Only a
# hint for how the TRON adapter asks (TRX: the transaction beside its outcome, one round
# trip); a wrong one costs a request or a round trip, never a wrong answer.
ASSET_NATIVE, ASSET_TOKEN = "native", "token"
_NOT_WORDS = re.compile(r"[0-9A-Za-z]{25,}")  # hashes, addresses, signatures: not words
_AMOUNT = r"(?<![0-9A-Za-z.])\d[\d,.]*\s?"  # "100", "1,500.5 " (not inside another word)
_TOKEN_WORDS = re.compile(
    r"(?<![A-Za-z])(usdt|usdc|usdd|tusd|tether|trc[-_ ]?20|tokens?|stablecoins?)(?![A-Za-z])"
    + "|" + _AMOUNT + r"(?-i:U|(?<!\s)u)(?![0-9A-Za-z])"  # "100U", "100 U", "100u": USDT
    + r"|[uU][币幣]|泰达|泰達|代币|代幣|稳定币|穩定幣",
    re.IGNORECASE)
_NATIVE_WORDS = re.compile(
    # the symbol in capitals, not "TRX hash" / "TRX ID" (a transaction's) nor "TRX chain" (the
    # network's, a token's too); "trx" in small letters is a transaction ("my trx is stuck")
    r"(?<![A-Za-z])TRX(?![A-Za-z])(?!\s*(?i:hash|id\b|txid|link|network|chain|哈希|链|鏈))"
    + "|" + _AMOUNT + r"[个個枚]?\s?(?i:trx)(?![A-Za-z])"  # an amount of it, any case: "100 trx"
    + r"|(?i:trx)\s?[币幣]|波场币|波場幣|(?i:tronix)")


@dataclass(frozen=True)
class Found:
    kind: str  # "tx" | "address"
    value: str  # as the chain's API spells it (EVM lower-case 0x…, TRON/Bitcoin/Solana as given)
    families: tuple[str, ...]  # the chain families its format fits
    start: int


@dataclass(frozen=True)
class Detection:
    transactions: list[Found] = field(default_factory=list)
    addresses: list[Found] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)  # chains the words name, strongest first
    asset: str | None = None  # asset_hint: ASSET_NATIVE, ASSET_TOKEN or None


@dataclass(frozen=True)
class Candidates:
    """Where to look a transaction up: ``claimed`` is the network the customer named (if
    any); ``chains`` every chain whose format fits, the claimed one first; ``mismatch``: the
    named network cannot hold this format (an EVM hash said to be TRC-20)."""
    claimed: str | None
    chains: tuple[str, ...]
    mismatch: bool = False

    @property
    def ambiguous(self) -> bool:
        return self.claimed is None and len(self.chains) > 1


_LONG_RUN = re.compile(r"[0-9A-Za-z]{25}")  # the shortest address (base58) is 25 characters


def may_name_transfer(text: str) -> bool:
    """Could ``detect`` find a hash or an address in ``text``: a run of 25 letters and
    digits? (About a microsecond; the chat's fast path asks it of every message in a
    conversation with a person, where only such a message has a listener: the lookup.)"""
    return _LONG_RUN.search(text) is not None


def network_hints(text: str) -> list[str]:
    strong: list[tuple[int, str]] = []
    weak: list[tuple[int, str]] = []
    for pattern, chain, is_strong in _HINTS:
        for match in pattern.finditer(text):
            (strong if is_strong else weak).append((match.start(), chain))
    ordered = sorted(strong) or sorted(weak)
    return list(dict.fromkeys(chain for _, chain in ordered))


def asset_hint(text: str) -> str | None:
    """What the words say moved: ``ASSET_TOKEN`` when they name a token (USDT, TRC-20, "100U",
    泰达币, 代币 …), else ``ASSET_NATIVE`` when they name TRON's own coin (TRX in capitals or
    after an amount, 波场币), else None. A token named wins: "100 USDT, 30 TRX of fees" is about
    the USDT (and a token lookup is right without the hint). Hashes and addresses are left out
    (a base58 address may hold "TRX" or "5U")."""
    words = _NOT_WORDS.sub(" ", text)
    if _TOKEN_WORDS.search(words):
        return ASSET_TOKEN
    if _NATIVE_WORDS.search(words):
        return ASSET_NATIVE
    return None


def incomplete_hashes(text: str) -> list[str]:
    """The hex runs of ``text`` close to a transaction hash but not one (60–66 hex digits,
    ``0x`` or not, other than 64): a hash cut short or mistyped when copied. No chain has a
    transaction id of that length, so it is never looked up; the customer is asked to paste
    it again (walletdesk.chains.actions)."""
    return [match.group() for match in _NEAR_HASH.finditer(text)
            if len(match.group(1)) != HASH_HEX_DIGITS]


def detect(text: str) -> Detection:
    """Every transaction hash and address in ``text`` (in order), and the networks named."""
    transactions: list[Found] = []
    addresses: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _EVM_TX.finditer(text):
        transactions.append(Found("tx", "0x" + match.group(1).lower(), (EVM,), match.start()))
        taken.append(match.span())
    for match in _EVM_ADDRESS.finditer(text):
        if free(*match.span()):
            addresses.append(Found("address", match.group().lower().replace("0X", "0x"),
                                   (EVM,), match.start()))
            taken.append(match.span())
    for match in _BARE_HEX64.finditer(text):
        if free(*match.span()):
            transactions.append(Found("tx", match.group().lower(), (BITCOIN, TRON, EVM),
                                      match.start()))
            taken.append(match.span())
    for match in _BECH32.finditer(text):
        if free(*match.span()) and bech32_valid(match.group()):
            addresses.append(Found("address", match.group().lower(), (BITCOIN,), match.start()))
            taken.append(match.span())
    for match in _BASE58_RUN.finditer(text):
        if not free(*match.span()):
            continue
        found = _base58_thing(match.group(), match.start())
        if found is not None:
            (transactions if found.kind == "tx" else addresses).append(found)
            taken.append(match.span())
    transactions.sort(key=lambda f: f.start)
    addresses.sort(key=lambda f: f.start)
    return Detection(_distinct(transactions), addresses, network_hints(text), asset_hint(text))


def _distinct(transactions: list[Found]) -> list[Found]:
    """Each transaction once: a hash pasted beside its explorer link, or twice in other
    cases or with and without 0x, is one transfer (answered once, looked up once)."""
    seen: set[str] = set()
    distinct = []
    for found in transactions:
        key = found.value.lower().removeprefix("0x") if found.families != (SOLANA,) \
            else found.value
        if key not in seen:
            seen.add(key)
            distinct.append(found)
    return distinct


def _base58_thing(value: str, start: int) -> Found | None:
    if value[0] == "T" and len(value) == 34:
        payload = base58check_payload(value)
        if payload is not None and len(payload) == 21 and payload[0] == 0x41:
            return Found("address", value, (TRON,), start)
    if value[0] in "13" and 26 <= len(value) <= 35:
        payload = base58check_payload(value)
        if payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05):
            return Found("address", value, (BITCOIN,), start)
    if 86 <= len(value) <= 88:
        raw = base58_decode(value)
        if raw is not None and len(raw) == 64:
            return Found("tx", value, (SOLANA,), start)
    if 32 <= len(value) <= 44:
        raw = base58_decode(value)
        if raw is not None and len(raw) == 32 and _mixed(value):
            return Found("address", value, (SOLANA,), start)
    return None


def _mixed(value: str) -> bool:
    """A real key mixes digits, capitals and small letters (a long word does not)."""
    return (any(c.isdigit() for c in value) and any(c.isupper() for c in value)
            and any(c.islower() for c in value))


def candidates(found: Found, hints: list[str]) -> Candidates:
    """The chains to look ``found`` up on, from its format and the networks named."""
    chains: list[str] = []
    evm_named = any(h in EVM_NETWORKS for h in hints)
    for family in found.families:
        if family != EVM:
            chains.append(family)
        elif found.value.startswith("0x") or evm_named:  # bare hex on EVM only when said
            chains.extend(EVM_NETWORKS)
    fitting = [h for h in hints if h in chains]
    if len(fitting) == 1:
        claimed = fitting[0]
        return Candidates(claimed, (claimed, *(c for c in chains if c != claimed)))
    if len(fitting) > 1:  # "from BSC to Polygon": the customer must say which
        return Candidates(None, tuple(fitting))
    if hints and hints[0] in NETWORKS:
        if hints[0] in (TRON, BITCOIN) and found.kind == "tx" and _EVM_TX.fullmatch(found.value):
            # a TRON or Bitcoin id written with 0x (some wallets show it so) is looked up
            # there too, first (without the 0x), besides the EVM networks its format says
            chains.insert(0, hints[0])
        return Candidates(hints[0], tuple(chains), mismatch=True)
    return Candidates(None, tuple(chains))


# --- Bitcoin's bech32 / bech32m checksum (BIP-173, BIP-350) ---------------------------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def bech32_valid(address: str) -> bool:
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if hrp != "bc" or len(data) < 6 or any(c not in _CHARSET for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + \
        [_CHARSET.index(c) for c in data]
    return _polymod(values) in (1, 0x2BC830A3)
