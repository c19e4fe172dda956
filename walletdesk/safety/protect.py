"""The "protect" step of the message path: find secrets in text and replace them.

Pure functions, no I/O: the message path calls :func:`protect_text` before a message is
stored, logged, published or handed to the bot, so the original secret is never written
anywhere. Every other free text written by anyone (notes, complaint fields, survey
comments, customer notes, canned replies, articles, API payloads) goes through it too, and
:mod:`walletdesk.safety.across` looks at a customer's recent messages together.

Detection runs on a folded copy of the text (NFKC, full-width letters as ASCII, zero-width
characters as spaces: :mod:`walletdesk.safety.fold`); the spans found are replaced in the
original. What is removed:

- **Recovery phrases** (BIP-39) in every wordlist the ``mnemonic`` package ships, words
  separated by any punctuation, symbols or list numbering, a word possibly misspelt, one or
  two words possibly missing or marked as forgotten ("???", "___", "(forgot)"); Chinese also
  glued inside prose, also with a character wrong or missing
  (:mod:`walletdesk.safety.damaged_chinese`); a phrase in parts with a few words of prose
  between them, and a numbered grid read out of order, when the checksum holds (rules:
  :mod:`walletdesk.safety.phrases`); Shamir backup shares (SLIP-39: 20–33 words of its own
  list, also by their first four letters; :mod:`walletdesk.safety.shares`); Monero seeds
  (25 or 13 words of Monero's own lists; :mod:`walletdesk.safety.monero`).
- **Private keys**: WIF and extended private keys (also with one wrong character), Solana
  secret keys (a keypair; other 64 bytes, a transaction signature's shape, only when
  labelled a key), Ethereum keystore JSON, keys wrapped over lines or written in groups,
  64 hex digits in one piece or in groups (63–65 or one character off after an explicit
  private-key label; ``0x`` + 64 hex assigned to a key in code), with the
  documented rule that ``0x`` + 64 hex is a transaction hash unless the words before it say
  it is a key (rules: :mod:`walletdesk.safety.keys`). A bare 64-hex value is kept only when
  the caller passes it in ``keep`` (found on a chain as a transaction: the message path,
  :mod:`walletdesk.chains.verify`); :func:`unverified_values` lists the candidates.

A 0x address (40 hex digits) is never a key, nor are BTC, TRON or Solana addresses.
"""

import re
from dataclasses import dataclass, field

from walletdesk.safety.damaged_chinese import find_damaged_chinese_phrases
from walletdesk.safety.findings import Certainty, Finding, Kind, Span
from walletdesk.safety.fold import fold
from walletdesk.safety.keys import base58_decode, base58check_payload, find_keys, unverified_hex
from walletdesk.safety.monero import find_monero_seeds
from walletdesk.safety.phrases import (
    CJK,
    MIN_LIKELY_WORDS,
    find_completed_phrases,
    find_numbered_grid,
    find_phrases,
    find_split_phrases,
    forget,
    markers_as_words,
)
from walletdesk.safety.shares import find_shares
from walletdesk.safety.wordlists import LANGUAGES, PHRASE_LENGTHS, checksum_valid

__all__ = [
    "KEY_PLACEHOLDER", "LANGUAGES", "MIN_LIKELY_WORDS", "PHRASE_LENGTHS", "SEED_PLACEHOLDER",
    "Certainty", "Finding", "Kind", "Protected", "base58_decode", "base58check_payload",
    "checksum_valid", "find_secrets", "only_removed", "placeholder", "protect_text", "redact",
    "unverified_values",
]

SEED_PLACEHOLDER = "[seed phrase removed]"
KEY_PLACEHOLDER = "[private key removed]"
_PLACEHOLDERS = re.compile(re.escape(SEED_PLACEHOLDER) + "|" + re.escape(KEY_PLACEHOLDER))
_PLACEHOLDER_END = "removed]"
assert SEED_PLACEHOLDER.endswith(_PLACEHOLDER_END) and KEY_PLACEHOLDER.endswith(_PLACEHOLDER_END)
MIN_TEXT_CHARS = 20  # ten words of the shortest lists and nine separators; a key is longer


@dataclass
class Protected:
    text: str
    findings: list[Finding] = field(default_factory=list)
    # bare 64-hex values removed only for their shape, nothing else to remove: a chain may say
    # they are transactions (filled by the message path's first reading: conversations.redaction)
    unverified: list[str] = field(default_factory=list)

    @property
    def has_secret(self) -> bool:
        return bool(self.findings)


def placeholder(finding: Finding) -> str:
    return SEED_PLACEHOLDER if finding.kind == "seed_phrase" else KEY_PLACEHOLDER


def find_secrets(text: str, reaching: int | None = None,
                 keep: frozenset[str] = frozenset()) -> list[Span]:
    """Every secret's span in ``text`` (original offsets), sorted, overlaps merged.

    ``reaching``: only the spans that end after this offset are wanted (the text is earlier
    messages and a new one, from this offset); others may be missing from the answer.
    ``keep``: bare 64-hex values found on a chain as transactions (lower case)."""
    if len(text) < MIN_TEXT_CHARS and not any("\u3400" <= c <= "\u9fff" for c in text):
        return []
    folded = fold(text)
    # a placeholder already there is no word of a phrase ("seed", "phrase"): a break
    searched = _without_placeholders(folded.text)
    keys = find_keys(searched, keep)
    searched = markers_as_words(searched)  # "w1 w2 ??? w4 …": a forgotten word is a word
    if reaching is not None and folded.starts is None:
        # a phrase span merged with a key's would change it: runs reaching a key are judged
        reaching = min([reaching, *(start for start, _, _ in keys)])
    else:
        reaching = None  # (folded offsets differ from the text's: every run is judged)
    found = find_phrases(searched, reaching) + keys + find_split_phrases(searched) \
        + find_completed_phrases(searched) \
        + find_numbered_grid(searched) + find_shares(searched) + find_monero_seeds(searched) \
        + find_damaged_chinese_phrases(searched)
    if not found:
        return []
    forget(searched)  # the lines read for the next messages: not those holding a secret
    spans = sorted(((*folded.original(start, end, len(text)), finding)
                    for start, end, finding in found),
                   key=lambda s: (s[0], -s[1], s[2].certainty != "certain"))
    merged: list[Span] = []
    for start, end, finding in spans:
        if merged and start < merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], end), previous[2])
            continue
        merged.append((start, end, finding))
    return merged


_WORDS = re.compile(r"[^\W\d_]{2,}")
_CJK = re.compile(f"[{CJK}]")


def only_removed(text: str) -> bool:
    """Does a stored message say nothing but what the protect step removed ("[private key
    removed]", "sure: [private key removed]", "这个 [seed phrase removed]")? Its notice is
    the answer: the bot matched the placeholder's words and offered articles about bridges."""
    if _PLACEHOLDER_END not in text:
        return False
    rest = placeholders_removed(text)
    return len(_WORDS.findall(_CJK.sub(" ", rest))) < 3 and len(_CJK.findall(rest)) < 4


def placeholders_removed(text: str) -> str:
    """``text`` without the placeholders of removed secrets: what the customer's own words ask
    ("here are my words [seed phrase removed]" matched the bridges article on "removed")."""
    return _PLACEHOLDERS.sub(" ", text) if _PLACEHOLDER_END in text else text


def _without_placeholders(text: str) -> str:
    """``text`` with each placeholder as "#"s (both end in "removed]": looked for first)."""
    if _PLACEHOLDER_END not in text:
        return text
    return _PLACEHOLDERS.sub(lambda m: "#" * len(m.group()), text)


def redact(text: str, spans: list[Span]) -> str:
    out: list[str] = []
    cursor = 0
    for start, end, finding in spans:
        out.append(text[cursor:start])
        out.append(placeholder(finding))
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def protect_text(text: str, keep: frozenset[str] = frozenset()) -> Protected:
    """Return ``text`` with every detected secret replaced, and what was found."""
    spans = find_secrets(text, keep=keep)
    if not spans:
        return Protected(text)
    return Protected(redact(text, spans), [finding for _, _, finding in spans])


def unverified_values(text: str) -> list[str]:
    """The bare 64-hex values of ``text`` removed only because nothing says whether they are a
    transaction id or a private key (:func:`walletdesk.safety.keys.unverified_hex`)."""
    if len(text) < 64:
        return []
    return unverified_hex(_without_placeholders(fold(text).text))


def warm_up() -> None:
    """Build the lookup tables (about a second) before the first message needs them."""
    from walletdesk.safety.across import protect_with_previous

    protect_with_previous(["abandon ability able"], "about above absent absorb abstract absurd "
                          "abuse acess accident 我的助记词是的一是在不了有和人这中大为上个国我以要他时来用们")
    fold("&amp; \\u00e9")  # (folding a text with an escape in it uses its own pattern)
