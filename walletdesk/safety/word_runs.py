"""Runs of one wordlist's words in folded text: the reading of the lists whose seeds the
BIP-39 rules do not cover (SLIP-39 shares: :mod:`walletdesk.safety.shares`; Monero seeds:
:mod:`walletdesk.safety.monero`).

A *run* is a sequence of the list's words with nothing but separators between them: spaces,
punctuation, symbols and list numbers of one or two digits. It is cut at a gap that holds
three digits, a blank line or more than ``MAX_GAP_CHARS`` characters, at a word of no list
shorter than four letters ("the", "and", "my": prose has one every few words) and at a third
word of no list; it starts and ends with a word of the list.
"""

import re
from collections.abc import Callable

from walletdesk.safety.findings import Finding, Span

Word = tuple[int, int, int | None]  # start, end, index in the list (None: a word of no list)
Run = list[Word]

MAX_UNKNOWN = 2  # words of no list inside a run (a typo, a forgotten word)
MAX_GAP_CHARS = 16
MIN_UNKNOWN_CHARS = 4  # a shorter word of no list ends a run
_BAD_GAP = re.compile(r"\d{3}|[\n]{2}")


def word_runs(text: str, start: int, end: int, words: re.Pattern[str],
              index: Callable[[str], int | None], min_words: int) -> list[tuple[Run, int]]:
    """The runs of ``min_words`` words or more in ``text[start:end]``, each without the words
    of no list at its end, and the number of words it had with them. ``words`` finds the
    words; ``index`` gives a word's index in the list, or None."""
    runs: list[Run] = []
    current: Run = []
    unknown = 0
    for match in words.finditer(text, start, end):
        found = index(match.group())
        if current:
            gap_start = current[-1][1]
            if match.start() - gap_start > MAX_GAP_CHARS \
                    or _BAD_GAP.search(text, gap_start, match.start()):
                runs.append(current)
                current, unknown = [], 0
        if found is None:
            if not current or match.end() - match.start() < MIN_UNKNOWN_CHARS \
                    or unknown == MAX_UNKNOWN:
                if len(current) >= min_words:
                    runs.append(current)
                current, unknown = [], 0
                continue
            unknown += 1
        current.append((match.start(), match.end(), found))
    runs.append(current)
    return [(trimmed(run), len(run)) for run in runs if len(run) >= min_words]


def trimmed(run: Run) -> Run:
    """``run`` without the words of no list at its end."""
    while run and run[-1][2] is None:
        run = run[:-1]
    return run


def known(run: Run) -> int:
    return sum(i is not None for *_, i in run)


def likely(run: Run, untrimmed: int, min_words: int, min_listed: int) -> bool:
    """A run long enough to be a seed without a checksum: ``min_words`` words (counting the
    words of no list at its end) of which ``min_listed`` of the list, or ``min_listed`` words
    of the list and no other."""
    listed = known(run)
    return (max(len(run), untrimmed) >= min_words and listed >= min_listed) \
        or listed == len(run) >= min_listed


def certain_windows(run: Run, lengths: tuple[int, ...], holds: Callable[[list[int]], bool],
                    finding: Finding) -> list[Span]:
    """The windows of ``run``, of one of ``lengths`` (the longest tried first), all of the
    list, whose checksum ``holds``; read from the start, a window found is skipped over."""
    windows: list[Span] = []
    start = 0
    while start <= len(run) - min(lengths):
        for length in sorted(lengths, reverse=True):
            indices = [i for *_, i in run[start:start + length] if i is not None]
            if len(indices) == length and holds(indices):
                windows.append((run[start][0], run[start + length - 1][1], finding))
                start += length
                break
        else:
            start += 1
    return windows
