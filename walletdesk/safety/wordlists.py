"""The BIP-39 wordlists as the detector looks them up: exact, without accents, one typo away.

Every table is built once, on first use, from the ``mnemonic`` package's lists (the real
wordlists, never a copy). Words are compared in NFKD, lower case; for the Latin-script
lists a word also matches without its accents (BIP-39 keeps those lists unique without
them). A misspelt word matches the words one edit away (a letter changed, added, dropped,
or two letters swapped) through a deletion index: both sides with one letter deleted meet.
"""

import unicodedata
from functools import lru_cache
from hashlib import sha256
from importlib.util import find_spec
from pathlib import Path

from mnemonic import Mnemonic

LANGUAGES = tuple(Mnemonic.list_languages())
CHINESE = ("chinese_simplified", "chinese_traditional")
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
FUZZY_MIN_CHARS = 4  # shorter tokens are never taken for a misspelt word
GRAMMAR_CHARACTERS = ("的了是我你他她它们在有不这那吗呢吧啊么什怎会要就也都和与及或而着过把被让给对从到说"
                      "們這嗎麼與過讓給對從說會")

Lookup = dict[str, dict[str, int]]  # form -> {language: index}


def strip_accents(word: str) -> str:
    return "".join(c for c in word if not unicodedata.combining(c))


def loose(word: str) -> str:
    """A Latin-script word without accents, Turkish dotless ı as i (``"MIKNATIS".lower()``
    must find mıknatıs)."""
    return strip_accents(word).replace("ı", "i")


@lru_cache(maxsize=1)
def exact_words() -> Lookup:
    """Word (NFKD, and without accents for Latin lists) -> {language: index}."""
    table: Lookup = {}
    for language in LANGUAGES:
        for index, word in enumerate(Mnemonic(language).wordlist):
            normal = unicodedata.normalize("NFKD", word)
            table.setdefault(normal, {})[language] = index
            if language not in CHINESE + ("japanese", "korean"):
                table.setdefault(loose(normal), {}).setdefault(language, index)
    return table


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=1)
def _deletion_index() -> dict[str, list[tuple[str, str, int]]]:
    """form with one letter deleted (or the word itself) -> [(word, language, index)]."""
    index: dict[str, list[tuple[str, str, int]]] = {}
    for form, found in exact_words().items():
        if len(form) < FUZZY_MIN_CHARS:
            continue
        for language, position in found.items():
            if language in CHINESE:
                continue
            for key in _deletions(form) | {form}:
                index.setdefault(key, []).append((form, language, position))
    return index


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substitution, insertion, deletion or swap."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@lru_cache(maxsize=50_000)
def fuzzy_words(token: str) -> dict[str, tuple[int, ...]]:
    """Wordlist words one edit away from ``token``: {language: (index, …)}."""
    if len(token) < FUZZY_MIN_CHARS or len(token) > 16:
        return {}
    index = _deletion_index()
    found: dict[str, set[int]] = {}
    for key in _deletions(token) | {token}:
        for form, language, position in index.get(key, ()):
            if _one_edit(token, form):
                found.setdefault(language, set()).add(position)
    return {language: tuple(sorted(p)) for language, p in found.items()}


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


# --- Chinese -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def grammar_indices() -> frozenset[int]:
    """Indices (the two Chinese lists are aligned) of the characters every sentence uses."""
    return frozenset(i for language in CHINESE for i, w in enumerate(Mnemonic(language).wordlist)
                     if w in GRAMMAR_CHARACTERS)


COMMON_WORD_FREQUENCY = 30  # jieba's count above which a two-character word is everyday


@lru_cache(maxsize=2)
def chinese_word_pairs(min_frequency: int = 0) -> frozenset[tuple[int, int]]:
    """Pairs of wordlist indices that form a two-character word of jieba's dictionary.

    Prose is made of such words (about every other pair of characters in the knowledge
    base's Chinese articles); a random phrase has one pair in fifty. Counting only the words
    jieba has seen ``min_frequency`` times or more (``COMMON_WORD_FREQUENCY``: prose 40 %,
    random 0.8 %) separates them better. The lists are aligned, so a traditional character
    is looked up by its index, as its simplified twin."""
    simplified = {w: i for i, w in enumerate(Mnemonic("chinese_simplified").wordlist)}
    traditional = {w: i for i, w in enumerate(Mnemonic("chinese_traditional").wordlist)}
    pairs: set[tuple[int, int]] = set()
    spec = find_spec("jieba")
    if spec is None or spec.origin is None:
        return frozenset()
    dictionary = Path(spec.origin).parent / "dict.txt"
    with dictionary.open(encoding="utf-8") as handle:
        for line in handle:
            word, frequency = line.split(" ", 2)[:2]
            if len(word) != 2 or int(frequency) < min_frequency:
                continue
            for table in (simplified, traditional):
                a, b = table.get(word[0]), table.get(word[1])
                if a is not None and b is not None:
                    pairs.add((a, b))
    return frozenset(pairs)
