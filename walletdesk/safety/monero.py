"""Finding Monero seeds: 25 words (or MyMonero's 13) of one of Monero's own wordlists.

Monero's lists have 1,626 words each and are not BIP-39's: a Monero owner pasting the 25
words of a wallet ("is this seed valid?") gives the wallet away, so a Monero seed is a
recovery phrase for the protect step (walletdesk.safety.protect). The lists and their
prefix lengths come from the ``monero`` package (``monero.wordlists``, the Monero project's
lists, never a copy; that module imports nothing but ``binascii``). Chinese and Japanese are
left to the BIP-39 reading: Monero's lists of them are drawn from BIP-39's.

Words are compared in lower case and without accents; a word may be written by its first
letters (four or more, one word of the list begins so: Monero's wallets read only a word's
first three or four letters). The runs of one list's words are read as
:mod:`walletdesk.safety.word_runs` reads them. Then:

- 25 words whose last is the checksum word (the CRC-32 of the 24 words' prefixes picks one of
  them), or MyMonero's 13 words checked the same way over 12: *certain*;
- a run of 20 words or more, at most two of them of no list, or of 18 words of the list and no
  other (a seed written without its checksum word, or a word or two short): *likely*.
"""

import re
import unicodedata
from binascii import crc32
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache, partial

from monero.wordlists import get_wordlist, list_wordlists

from walletdesk.safety.findings import Finding
from walletdesk.safety.word_runs import certain_windows, likely, word_runs
from walletdesk.safety.wordlists import loose

LEFT_TO_BIP39 = ("Chinese (simplified)", "Japanese")
SEED_LENGTHS = (25, 13)  # 24 words and a checksum word; MyMonero: 12 and one
MIN_LIKELY_WORDS = 20
MIN_SHORT_WORDS = 18  # of the list and no other
MIN_PREFIX_CHARS = 4  # a word written by fewer of its letters is not taken for it
# the letters of the lists read here: Latin (with accents) and Cyrillic
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0400-\u04ff"
_WORD = re.compile(rf"[{_LETTER}]+(?:['’][{_LETTER}]+)*")  # (Lojban's words hold an apostrophe)
_ASCII_NON_LETTERS = str.maketrans({c: " " for c in map(chr, range(128))
                                    if not c.isalpha() and c != "'"})
_ROW = b"\x01" * SEED_LENGTHS[-1]
CERTAIN = Finding("seed_phrase", "certain", "monero")
LIKELY = Finding("seed_phrase", "likely", "monero")


@dataclass(frozen=True)
class Wordlist:
    name: str
    words: tuple[str, ...]  # as the list writes them (the checksum reads these)
    prefix: int  # the letters of a word its checksum reads (3 in English, 4 in the others)
    plain: tuple[str, ...]  # lower case, without accents
    exact: dict[str, int]  # a plain word -> its index
    by_prefix: dict[str, int]  # a plain word's first MIN_PREFIX_CHARS letters -> its index

    def index(self, token: str) -> int | None:
        word = loose(unicodedata.normalize("NFKD", token.lower()))
        found = self.exact.get(word)
        if found is None and len(word) >= MIN_PREFIX_CHARS:
            found = self.by_prefix.get(word[:MIN_PREFIX_CHARS])
            if found is not None and not self.plain[found].startswith(word):
                found = None
        return found


@lru_cache(maxsize=1)
def wordlists() -> tuple[Wordlist, ...]:
    lists = []
    for name in sorted(list_wordlists()):
        if name in LEFT_TO_BIP39:
            continue
        source = get_wordlist(name)
        plain = tuple(loose(unicodedata.normalize("NFKD", word).lower())
                      for word in source.word_list)
        prefixes: dict[str, list[int]] = {}
        for index, word in enumerate(plain):
            prefixes.setdefault(word[:MIN_PREFIX_CHARS], []).append(index)
        lists.append(Wordlist(
            name, tuple(source.word_list), source.unique_prefix_length, plain,
            {word: index for index, word in enumerate(plain)},
            # (a prefix two words share names neither)
            {prefix: found[0] for prefix, found in prefixes.items() if len(found) == 1}))
    return tuple(lists)


def checksum_holds(wordlist: Wordlist, indices: list[int]) -> bool:
    """Is the last word the checksum of the others (Monero's ``get_checksum``: the CRC-32 of
    their prefixes picks one of them)?"""
    words = [wordlist.words[i][:wordlist.prefix] for i in indices[:-1]]
    crc = crc32("".join(words).encode("utf-8"))
    return wordlist.words[indices[-1]][:wordlist.prefix] == words[crc % len(words)]


def find_monero_seeds(text: str) -> list[tuple[int, int, Finding]]:
    """Every Monero seed's span in ``text`` (folded text), certain when its checksum word
    holds, likely for a long run of one list's words without one."""
    found: list[tuple[int, int, Finding]] = []
    if not _may_hold_seed(text):
        return found
    for stretch in _long_words().finditer(text):
        lists = _lists_in(text, stretch.start(), stretch.end())
        for wordlist in wordlists():
            if lists[wordlist.name] >= SEED_LENGTHS[-1]:
                found.extend(_seeds_in(text, stretch.start(), stretch.end(), wordlist))
    return found


def _may_hold_seed(text: str) -> bool:
    """A quick look first (most prose fails it): 13 words in a row, each of four letters or
    more or a short word of a list, whatever is between them ("1.", "-", '","'). Split in C:
    an ASCII text's words are its letter runs (an apostrophe counted as a letter)."""
    if len(text) < SEED_LENGTHS[-1] * 4:  # (13 words of three letters and separators)
        return False
    lowered = text.lower()
    words = lowered.translate(_ASCII_NON_LETTERS).split() if text.isascii() \
        else _WORD.findall(lowered)
    short = _short_words()
    return _ROW in bytes([len(word) >= MIN_PREFIX_CHARS or word in short for word in words])


@lru_cache(maxsize=1)
def _short_words() -> frozenset[str]:
    """The lists' words shorter than MIN_PREFIX_CHARS letters, as written and plain."""
    return frozenset(form for wordlist in wordlists()
                     for word, plain in zip(wordlist.words, wordlist.plain, strict=True)
                     if len(plain) < MIN_PREFIX_CHARS
                     for form in (unicodedata.normalize("NFC", word).lower(), plain))


@lru_cache(maxsize=1)
def _long_words() -> re.Pattern[str]:
    """A stretch that may hold a seed: 13 words of four letters or more (an apostrophe counted
    as a letter), or of the lists' shorter words (Spanish "oso", "río"), with nothing but
    separators between them. Prose has a shorter word every few words ("the", "you", "and"),
    so the word-by-word reading is spent where it can find something; possessive: no
    backtracking."""
    short = sorted(_short_words())
    word = rf"(?:[{_LETTER}'’]{{4,}}+|(?i:{'|'.join(map(re.escape, short))})(?![{_LETTER}'’]))"
    return re.compile(rf"(?<![{_LETTER}'’]){word}(?:[\W\d_]{{1,16}}+{word}){{12,}}+")


def _lists_in(text: str, start: int, end: int) -> Counter[str]:
    """How many words of ``text[start:end]`` each list may hold (a word's first letters
    counted as the word): the lists worth reading word by word."""
    table = _any_list()
    counts: Counter[str] = Counter()
    for match in _WORD.finditer(text, start, end):
        word = loose(unicodedata.normalize("NFKD", match.group().lower()))
        counts.update(table.get(word, ()) or table.get(word[:MIN_PREFIX_CHARS], ()))
    return counts


@lru_cache(maxsize=1)
def _any_list() -> dict[str, tuple[str, ...]]:
    """A plain word, or a word's first MIN_PREFIX_CHARS letters -> the lists that have it."""
    table: dict[str, set[str]] = {}
    for wordlist in wordlists():
        for form in (*wordlist.exact, *wordlist.by_prefix):
            table.setdefault(form, set()).add(wordlist.name)
    return {form: tuple(names) for form, names in table.items()}


def _seeds_in(text: str, start: int, end: int,
              wordlist: Wordlist) -> list[tuple[int, int, Finding]]:
    found: list[tuple[int, int, Finding]] = []
    for run, untrimmed in word_runs(text, start, end, _WORD, wordlist.index,
                                    SEED_LENGTHS[-1]):
        certain = certain_windows(run, SEED_LENGTHS, partial(checksum_holds, wordlist), CERTAIN)
        found.extend(certain)
        # the whole run when it is likely and the certain windows leave more of it than a
        # word or two of prose beside them (a seed with a typo: a 13-word window of it may pass)
        left = sum(1 for start, *_ in run if not any(s <= start < e for s, e, _ in certain))
        if left > 2 and likely(run, untrimmed, MIN_LIKELY_WORDS, MIN_SHORT_WORDS):
            found.append((run[0][0], run[-1][1], LIKELY))
    return found
