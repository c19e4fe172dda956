"""A Chinese recovery phrase written together with a character wrong or missing.

:mod:`walletdesk.safety.phrases` reads Chinese characters written together as a phrase when
a stretch of them has a valid checksum, or when a whole stretch between punctuation is list
characters reading nothing like prose. A customer who copies a phrase by hand gets one
character wrong ("亚峡售蔬咖灯…", 咖 in no list) or leaves one out ("最后一个字看不清"), and
writes it after a few words ("我的助记词是…"): no checksum holds and the stretch is not whole, so
it was stored as typed (an outside review).

Here a *window* of 11 to 25 characters written together is a likely phrase when at most one
of them is in no list, it starts and ends with list characters, at least 11 are list
characters, at most one is a grammar character (的, 了, 是 …) and no two neighbouring list
characters form a word of jieba's dictionary. Prose never does that: about one pair of
neighbours in two forms a word (3,380 Chinese questions and articles of the bot's evaluation
sets and the shared data: no window found); a random phrase has one such pair in fifty.
"""

import re

from walletdesk.safety.findings import Finding, Span
from walletdesk.safety.wordlists import (
    CHINESE,
    GRAMMAR_CHARACTERS,
    chinese_word_pairs,
    exact_words,
    grammar_indices,
)

MIN_KNOWN = 11  # list characters: a phrase one short, and never fewer
MAX_WINDOW = 25  # the longest phrase and one character in no list
MAX_UNKNOWN = 1
MAX_GRAMMAR = 1
MAX_WORDS = 1  # neighbours forming a word: a random phrase has one in five times
_STRETCH = re.compile(rf"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{{{MIN_KNOWN},}}")
_GRAMMAR = re.compile(f"[{GRAMMAR_CHARACTERS}]")
_NO_LIST: dict[str, int] = {}
# Cantonese particles and pronouns of no list: prose jieba's Mandarin dictionary does not know, never in a
# phrase (a stretch is cut at them)
_CANTONESE = re.compile("[嘅咗佢唔係喺冇啲嚟咁乜嘢噉㗎囉喇吖哋俾畀睇咩]")


def find_damaged_chinese_phrases(text: str) -> list[Span]:
    """Every stretch of windows of Chinese characters written together that is a phrase with
    one character wrong or missing (likely), overlapping windows joined."""
    spans: list[Span] = []
    for stretch in _STRETCH.finditer(_CANTONESE.sub("，", text)):
        for start, end in _regions(stretch.group()):
            for language in CHINESE:
                found = _windows(stretch.group()[start:end], language)
                if found:
                    offset = stretch.start() + start
                    spans += [(offset + a, offset + b, Finding("seed_phrase", "likely", language))
                              for a, b in found]
                    break
    return spans


def _regions(stretch: str) -> list[tuple[int, int]]:
    """Where a window can lie: stretches of MIN_KNOWN characters or more holding at most one
    grammar character, joined where they overlap (prose has one every few characters, so
    this pass in C leaves little or nothing to read character by character)."""
    cuts = [-1, *(match.start() for match in _GRAMMAR.finditer(stretch)), len(stretch)]
    regions: list[tuple[int, int]] = []
    for before, after in zip(cuts, cuts[2:], strict=False):  # one grammar character inside
        if after - before - 1 < MIN_KNOWN:
            continue
        if regions and before + 1 < regions[-1][1]:
            regions[-1] = (regions[-1][0], after)
        else:
            regions.append((before + 1, after))
    if len(cuts) == 2 and len(stretch) >= MIN_KNOWN:  # no grammar character at all
        regions.append((0, len(stretch)))
    return regions


def _windows(stretch: str, language: str) -> list[tuple[int, int]]:
    """The maximal windows of the rules above (characters of ``language``'s list), by two
    pointers: a window that breaks a rule only grows into windows that break it too."""
    words = exact_words()
    indices = [words.get(character, _NO_LIST).get(language) for character in stretch]
    if sum(index is not None for index in indices) < MIN_KNOWN:
        return []
    pairs, grammar = chinese_word_pairs(), grammar_indices()
    joined = [a is not None and b is not None and (a, b) in pairs
              for a, b in zip(indices, indices[1:], strict=False)]  # joined[i]: i and i + 1
    free = [len(run) for run in "".join("1" if word else "0" for word in joined).split("1")]
    if max(free) < MIN_KNOWN - 1 and all(a + 1 + b < MIN_KNOWN - 1
                                         for a, b in zip(free, free[1:], strict=False)):
        return []  # no MIN_KNOWN characters in a row with at most one word among them: prose
    found: list[tuple[int, int]] = []
    start = unknown = grammatical = words = 0
    for end, index in enumerate(indices):  # the window is start..end, end included
        unknown += index is None
        grammatical += index is not None and index in grammar
        words += end > start and joined[end - 1]
        while unknown > MAX_UNKNOWN or grammatical > MAX_GRAMMAR or words > MAX_WORDS \
                or end - start + 1 > MAX_WINDOW:
            unknown -= indices[start] is None
            grammatical -= indices[start] is not None and indices[start] in grammar
            words -= end > start and joined[start]
            start += 1
        first, last = start, end
        while first <= last and indices[first] is None:
            first += 1
        while last >= first and indices[last] is None:
            last -= 1
        if last - first + 1 - sum(i is None for i in indices[first:last + 1]) < MIN_KNOWN:
            continue
        if found and first < found[-1][1]:  # overlapping windows are one phrase
            found[-1] = (found[-1][0], max(found[-1][1], last + 1))
            continue
        found.append((first, last + 1))
    return found
