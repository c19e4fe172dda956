"""Finding Shamir backup shares (SLIP-39, the "Shamir backup" of Trezor and other wallets).

A SLIP-39 share is 20 to 33 words of its own list of 1,024 (``shamir-mnemonic``'s, the
standard's list, never a copy): 20 words for a 128-bit secret, 33 for 256 bits. A customer
who pastes two shares of a two-of-three backup has given the wallet away, so a share is a
recovery phrase for the protect step (walletdesk.safety.protect).

A *run* is a sequence of words of the list with nothing but separators between them: spaces,
punctuation, symbols and list numbers of one or two digits. A word may be written by its
first four letters (each word of the list is the only one with its four first letters, and
wallets accept them so). Then:

- a window of a share's length (20, 22, 23, 25, 27, 28, 30, 31 or 33 words) whose RS1024
  checksum holds, with either of the standard's customization strings: *certain* (a random
  window passes one time in 2^29);
- a run of 20 words or more, at most two of them of no list (a typo, a forgotten word), or of
  18 words of the list and no other (a share a word or two short): *likely*. Prose never
  makes one: the list has no word shorter than four letters, so "the", "and", "to", "my" or
  "is" end a run, and a third word of no list does too.
"""

import re
from functools import lru_cache

from shamir_mnemonic.constants import (
    CUSTOMIZATION_STRING_EXTENDABLE,
    CUSTOMIZATION_STRING_ORIG,
    MIN_MNEMONIC_LENGTH_WORDS,
)
from shamir_mnemonic.rs1024 import verify_checksum
from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from walletdesk.safety.findings import Finding
from walletdesk.safety.word_runs import certain_windows, likely, word_runs

# the lengths of a share: 7 words of metadata and checksum, and the secret (128 to 256 bits,
# a multiple of 16) in words of 10 bits
SHARE_LENGTHS = tuple(sorted({7 + -(-bits // 10) for bits in range(128, 257, 16)}))
MIN_LIKELY_WORDS = MIN_MNEMONIC_LENGTH_WORDS  # 20
MIN_SHORT_WORDS = 18  # of the list and no other: a share a word or two short
MAX_GAP_CHARS = 16  # (walletdesk.safety.word_runs)
_WORD = re.compile(r"[A-Za-z]+")
# a stretch that may hold a run: MIN_SHORT_WORDS words of four letters or more, nothing but
# separators between them (prose has a short word every few words: one pass in C, on which
# the word-by-word reading is spent only where it can find something)
_LONG_WORDS = re.compile(rf"(?<![A-Za-z])[A-Za-z]{{4,}}+(?:[^A-Za-z]{{1,{MAX_GAP_CHARS}}}+"
                         rf"[A-Za-z]{{4,}}+){{{MIN_SHORT_WORDS - 1},}}+")  # possessive: no backtracking
CERTAIN = Finding("seed_phrase", "certain", "slip39")
LIKELY = Finding("seed_phrase", "likely", "slip39")


@lru_cache(maxsize=1)
def _by_prefix() -> dict[str, int]:
    """A word's first four letters -> its index (unique in the list, by the standard)."""
    return {word[:4]: index for index, word in enumerate(WORDLIST)}


def _index(word: str) -> int | None:
    lowered = word.lower()
    found = WORD_INDEX_MAP.get(lowered)
    if found is None and len(lowered) == 4:
        found = _by_prefix().get(lowered)
    return found


def _checksum_holds(indices: list[int]) -> bool:
    return any(verify_checksum(indices, customization)
               for customization in (CUSTOMIZATION_STRING_ORIG, CUSTOMIZATION_STRING_EXTENDABLE))


def find_shares(text: str) -> list[tuple[int, int, Finding]]:
    """Every SLIP-39 share's span in ``text`` (folded text: ASCII letters), certain when its
    checksum holds, likely for a long run of the list's words without one."""
    found: list[tuple[int, int, Finding]] = []
    for stretch in _LONG_WORDS.finditer(text):
        found.extend(_shares_in(text, stretch.start(), stretch.end()))
    return found


def _shares_in(text: str, start: int, end: int) -> list[tuple[int, int, Finding]]:
    found: list[tuple[int, int, Finding]] = []
    for run, untrimmed in word_runs(text, start, end, _WORD, _index, MIN_SHORT_WORDS):
        is_likely = likely(run, untrimmed, MIN_LIKELY_WORDS, MIN_SHORT_WORDS)
        if len(run) < SHARE_LENGTHS[0] and not is_likely:
            continue
        certain = certain_windows(run, SHARE_LENGTHS, _checksum_holds, CERTAIN)
        found.extend(certain)
        if not certain and is_likely:
            found.append((run[0][0], run[-1][1], LIKELY))
    return found
