"""Finding recovery phrases (BIP-39, every wordlist language) in folded text.

A *run* is a sequence of words of one wordlist with nothing but separators between them:
spaces, punctuation and symbols of any kind (commas, quotes of a JSON array, ``*`` / ``•``
bullets, ``!``, ``_``, zero-width spaces folded to spaces), and list numbers of one or two
digits. A word may be misspelt (one edit from a wordlist word, four letters or more: read
as each of its nearest words), and a long run may hold one word of no list at all.

- 12 or more words (at most two misspelt or unknown, one unknown): a phrase, *certain* when
  some 12–24 of them have a valid checksum (the whole run goes when it is itself a phrase
  length; else the valid window and the exact words around it), else *likely*.
- 10 or 11 words (at most one misspelt): a phrase one or two words short, *likely* — 11 of
  12 words leave a thief 2,048 guesses.
- Without a checksum (*likely*), a run that reads like prose is left alone
  (:mod:`walletdesk.safety.prose`: half its words everyday words, or a sentence ending inside
  it: "… until now. Can you please explain?"); and a misspelt word at its end is taken in
  when that makes the run a phrase length and is written with the run's own separator.
- Chinese words are single characters. Separated one by one they follow the rules above.
  Written together, inside a sentence or alone, a stretch of 12–24 characters counts when its
  checksum is valid and it does not read like prose: at most one or two of its neighbouring
  pairs form a word of jieba's dictionary (prose: one pair in two; a random phrase: one in
  fifty) and at most two (three in 18–24) are grammar characters (的, 了, 吗 …); a whole stretch between
  punctuation, exactly a phrase long with a valid checksum, may have three or four such
  pairs. A whole stretch of 10–24 wordlist characters that reads nothing like prose (no word
  pair, at most one grammar character) is a *likely* phrase even without a checksum.
"""

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise, product

from walletdesk.safety.findings import Finding, Span
from walletdesk.safety.prose import SENTENCE_END, common_indices, reads_like_prose
from walletdesk.safety.wordlists import (
    CHINESE,
    COMMON_WORD_FREQUENCY,
    PHRASE_LENGTHS,
    checksum_valid,
    chinese_word_pairs,
    exact_words,
    fuzzy_words,
    grammar_indices,
    loose,
)

MIN_LIKELY_WORDS = 12
MIN_SHORT_WORDS = 10  # a phrase two words short
FRAGMENT_WORDS = 5  # a possible fragment: the first or last part of a phrase split over messages
FRAGMENT_CHARS = 6  # the same, Chinese characters written together
FRAGMENT_PAIRS = 1  # of its neighbours forming a word (a random half phrase: one in ten)
FRAGMENT_EVERYDAY_SHARE = 0.4  # a fragment with this share of everyday words is prose
MAX_GAP_CHARS = 16
MAX_COMBINATIONS = 64
EDGE_WORDS = 3  # words beyond a misspelt one at the end of a run that are taken for prose
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{CJK}]|(?:[^\W\d_{CJK}]|[\u0300-\u036f\u3099\u309a\ufffd])+")
_ASCII_TOKEN = re.compile(r"[A-Za-z]+")  # _TOKEN on ASCII text, faster
_BAD_GAP = re.compile(r"\d{3}")
_CJK_CHAR = re.compile(rf"[{CJK}]")
_LETTER = re.compile(r"[^\W\d_]")
MAX_WORD_CHARS = 16
_LEADING_NUMBER = re.compile(r"(?:\d{1,2}[.):：、\-]?|#\d{1,2}|[\u2460-\u2473])[ \t]*$")

# a word in one list's run: (start, end, its possible indices — none for a word of no
# list —, misspelt or unknown, separated from the previous word)
Token = tuple[int, int, tuple[int, ...], bool, bool]


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    options: dict[str, tuple[int, ...]]  # language -> indices it may be
    misspelt: frozenset[str]  # languages where it is only one edit from a word
    separated: bool

    @property
    def cjk(self) -> bool:
        return self.end - self.start == 1 and bool(self.options) and all(
            language in CHINESE for language in self.options)

    def token(self, language: str) -> Token:
        options = self.options.get(language, ())
        return (self.start, self.end, options, not options or language in self.misspelt,
                self.separated)


def _key(word: str) -> str:
    lowered = word.lower()
    return lowered if lowered.isascii() else unicodedata.normalize("NFKD", lowered)


def _lookup(words: dict[str, dict[str, int]], key: str) -> dict[str, int] | None:
    found = words.get(key)
    if found is None and not key.isascii():
        found = words.get(loose(key))
    return found


_ASCII_NON_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})


def _too_few_words(text: str) -> bool:
    """A quick look (ASCII text): fewer wordlist words than the shortest phrase, misspelt
    words aside, and too few at either end for a fragment, so nothing to find."""
    if not text.isascii():
        return False
    words = exact_words()
    pieces = text.translate(_ASCII_NON_LETTERS).lower().split()
    if len(pieces) < FRAGMENT_WORDS:
        return True
    if sum(1 for piece in pieces if piece in words) >= MIN_SHORT_WORDS - 2:
        return False
    # too few for a phrase: only a fragment at the start or end of the text can be there
    edge = FRAGMENT_WORDS + 1
    return all(sum(1 for piece in side if piece in words) < FRAGMENT_WORDS - 1
               for side in (pieces[:edge], pieces[-edge:]))


def find_phrases(text: str) -> list[Span]:
    if _too_few_words(text):
        return []
    matches = list((_ASCII_TOKEN if text.isascii() else _TOKEN).finditer(text))
    if len(matches) < min(FRAGMENT_WORDS, FRAGMENT_CHARS):
        return []
    words = exact_words()
    exact: list[dict[str, int] | None] = []
    dense = [0]  # how many wordlist words up to each token
    for match in matches:
        found = _lookup(words, _key(match.group()))
        exact.append(found)
        dense.append(dense[-1] + (found is not None))
    # a phrase's words sit together: five tokens in a row (a fragment), at most one misspelt
    least = min(FRAGMENT_WORDS, FRAGMENT_CHARS)
    if not any(dense[i + least] - dense[i] >= least - 1
               for i in range(len(matches) - least + 1)):
        return []
    tokens: list[Word | None] = []
    previous_end = -1
    for match, found in zip(matches, exact, strict=True):
        start, end = match.start(), match.end()
        gap = text[previous_end:start] if previous_end >= 0 else ""
        if previous_end >= 0 and (len(gap) > MAX_GAP_CHARS or _BAD_GAP.search(gap)):
            tokens.append(None)  # a break: too far from the previous word
        previous_end = end
        key = _key(match.group())
        if _CJK_CHAR.match(key):
            tokens.append(Word(start, end, {k: (v,) for k, v in found.items()}, frozenset(),
                               bool(gap)) if found else None)
            continue
        options = {k: (v,) for k, v in (found or {}).items()}
        near = fuzzy_words(key)  # "fábric" is English, and a misspelt Spanish fábrica
        misspelt = frozenset(language for language in near if language not in options)
        options.update((language, near[language]) for language in misspelt)
        if options or 3 <= len(key) <= MAX_WORD_CHARS:
            tokens.append(Word(start, end, options, misspelt, bool(gap)))
        else:
            tokens.append(None)
    spans: list[Span] = []
    runs: dict[str, list[Token]] = {}
    for word in [*tokens, None]:
        for language in list(runs):
            if word is not None and language in word.options:
                runs[language].append(word.token(language))
            elif word is not None and language not in CHINESE and not word.cjk:
                runs[language].append(word.token(language))  # a word of no list: unknown
            else:
                spans += _judge(text, language, runs.pop(language))
        if word is not None:
            for language in word.options:
                if language not in runs:
                    runs[language] = [word.token(language)]
    return [(_include_list_number(text, start), end, finding) for start, end, finding in spans]


def _gaps(text: str, run: list[Token]) -> list[str]:
    return [text[a[1]:b[0]] for a, b in pairwise(run)]


def _sentences(text: str, run: list[Token]) -> list[list[Token]]:
    """The run cut where a sentence ends between two of its words."""
    pieces: list[list[Token]] = [[run[0]]]
    for before, token in pairwise(run):
        if SENTENCE_END.search(text[before[1]:token[0]]):
            pieces.append([])
        pieces[-1].append(token)
    return pieces


def _include_list_number(text: str, start: int) -> int:
    """A numbered list's "1." belongs to the phrase it numbers."""
    match = _LEADING_NUMBER.search(text, max(0, start - 6), start)
    return match.start() if match else start


def _judge(text: str, language: str, run: list[Token]) -> list[Span]:
    if len(run) < MIN_SHORT_WORDS:
        return _fragment(text, language, run)
    if language in CHINESE:
        return _chinese(text, language, run)
    return _latin(text, language, run)


def _latin(text: str, language: str, run: list[Token]) -> list[Span]:
    first, last = 0, len(run) - 1
    while first <= last and run[first][3]:
        first += 1  # a misspelt word at either end is more likely a word of prose …
    while last >= first and run[last][3]:
        last -= 1
    core = run[first:last + 1]
    misspelt = sum(1 for token in core if token[3])
    unknown = sum(1 for token in core if not token[2])
    short = len(core) < MIN_LIKELY_WORDS
    if misspelt > (1 if short else 2) or unknown > (0 if short else 1):
        pieces: list[list[Token]] = [[]]
        for token in core:
            if token[3]:
                pieces.append([])
            else:
                pieces[-1].append(token)
        return [span for piece in pieces for span in _judge(text, language, piece)]
    if len(core) < MIN_SHORT_WORDS:
        return _fragment(text, language, core)
    if not short:
        window = _valid_window([token[2] for token in run], [token[3] for token in run])
        if window is not None:  # misspelt words read as their nearest: the checksum holds
            if len(run) in PHRASE_LENGTHS:  # the whole run is a phrase with a word misspelt
                return [(run[0][0], run[-1][1], Finding("seed_phrase", "certain", language))]
            a, b = window
            while a > 0 and not run[a - 1][3]:
                a -= 1
            while b < len(run) - 1 and not run[b + 1][3]:
                b += 1
            return [(run[a][0], run[b][1], Finding("seed_phrase", "certain", language))]
    if misspelt:
        marks = [i for i, token in enumerate(core) if token[3]]
        if marks[0] < EDGE_WORDS and len(core) - marks[0] - 1 >= MIN_SHORT_WORDS:
            core = core[marks[0] + 1:]  # "thanks, y[ou] all": prose words beside the phrase
        elif len(core) - 1 - marks[-1] < EDGE_WORDS and marks[-1] >= MIN_SHORT_WORDS:
            core = core[:marks[-1]]
    if reads_like_prose(language, [token[2][0] if token[2] else -1 for token in core],
                        _gaps(text, core)):
        # "All good. Never share <12 words> with anyone": a phrase inside a sentence of its
        # own is judged on its own, as if the prose before it were not there
        sentences = _sentences(text, core)
        if len(sentences) == 1:
            return []
        return [span for sentence in sentences if len(sentence) >= MIN_SHORT_WORDS
                for span in _latin(text, language, sentence)]
    # … unless the phrase is a word or two short of a full one: then its first or last word,
    # misspelt beyond recognition, is written with the phrase's own separator
    missing = min(n for n in PHRASE_LENGTHS if n >= len(core)) - len(core)
    usual = max(set(_gaps(text, core)), key=_gaps(text, core).count)
    before, after = run[:first], run[last + 1:]
    while missing and after and text[core[-1][1]:after[0][0]] == usual:
        core, after, missing = [*core, after[0]], after[1:], missing - 1
    while missing and before and text[before[-1][1]:core[0][0]] == usual:
        core, before, missing = [before[-1], *core], before[:-1], missing - 1
    return [(core[0][0], core[-1][1], Finding("seed_phrase", "likely", language))]


def _fragment(text: str, language: str, run: list[Token]) -> list[Span]:
    """A run too short for a phrase but long enough to be one's first or last part (a phrase
    sent six words, then six): five words or more of one list, at most one misspelt and
    none of no list, not reading like prose — removed at once, so no half is ever stored."""
    if language in CHINESE and run and not any(token[4] for token in run[1:]):
        return _glued_fragment(text, language, run)
    if language in CHINESE and not all(token[4] for token in run[1:]):
        return []  # stretches of prose between punctuation ("钱包、收款、转账")
    while run and run[0][3]:
        run = run[1:]
    while run and run[-1][3]:
        run = run[:-1]
    if len(run) < FRAGMENT_WORDS or any(not token[2] for token in run) \
            or sum(1 for token in run if token[3]) > 1 or not _at_edge(text, run, either=True):
        return []
    indices = [token[2][0] for token in run]
    common = common_indices().get(language, frozenset())
    if sum(1 for index in indices if index in common) >= FRAGMENT_EVERYDAY_SHARE * len(run) \
            or reads_like_prose(language, indices, _gaps(text, run)):
        return []
    return [(run[0][0], run[-1][1], Finding("seed_phrase", "likely", language))]


def _at_edge(text: str, run: list[Token], *, either: bool) -> bool:
    """Whether nothing but separators (and a list number) lies before the run (or after it;
    ``either=False``: on both sides) — where a phrase cut in two is cut."""
    before = _LEADING_NUMBER.sub("", text[:run[0][0]])
    start, end = not _LETTER.search(before), not _LETTER.search(text[run[-1][1]:])
    return start or end if either else start and end


def _glued_fragment(text: str, language: str, segment: list[Token]) -> list[Span]:
    """Chinese characters written together, too few for a phrase: a fragment when they are
    the whole message, at most one pair of neighbours forms a word of jieba's dictionary
    (prose: one pair in two) and none is a grammar character."""
    if len(segment) < FRAGMENT_CHARS or not _at_edge(text, segment, either=False):
        return []
    indices = [token[2][0] for token in segment]
    pairs, grammar = chinese_word_pairs(), grammar_indices()
    if sum(1 for pair in pairwise(indices) if pair in pairs) > FRAGMENT_PAIRS \
            or any(i in grammar for i in indices):
        return []
    return [(segment[0][0], segment[-1][1], Finding("seed_phrase", "likely", language))]


def _spaced_chinese(text: str, language: str, run: list[Token]) -> list[Span]:
    """Chinese characters written one by one with separators: the rules of other lists."""
    indices = [token[2][0] for token in run]
    certain = len(run) >= MIN_LIKELY_WORDS and _valid_window([(i,) for i in indices]) is not None
    if not certain and reads_like_prose(language, indices,
                                        _gaps(text, run)):
        return []
    return [(run[0][0], run[-1][1], Finding("seed_phrase", "certain" if certain else "likely",
                                            language))]


def _valid_window(choices: list[tuple[int, ...]], edges: list[bool] | None = None
                  ) -> tuple[int, int] | None:
    """(first, last) token of the longest window whose checksum is valid, reading each
    misspelt word as any of its nearest wordlist words."""
    combinations = 1
    for options in choices:
        combinations *= len(options)
    if combinations > MAX_COMBINATIONS:
        choices = [options[:1] for options in choices]
    for size in reversed(PHRASE_LENGTHS):
        for start in range(0, len(choices) - size + 1):
            end = start + size - 1
            if edges and size < len(choices) and (edges[start] or edges[end]):
                continue  # a misspelt word at its end: a chance checksum over prose
            for indices in product(*choices[start:start + size]):
                if checksum_valid(list(indices)):
                    return start, start + size - 1
    return None


# --- Chinese -----------------------------------------------------------------------------

def _chinese(text: str, language: str, run: list[Token]) -> list[Span]:
    segments: list[list[Token]] = [[run[0]]]
    for token in run[1:]:
        if token[4]:  # a separator before this character: a new segment
            segments.append([token])
        else:
            segments[-1].append(token)
    spans: list[Span] = []
    spaced: list[Token] = []
    for segment in [*segments, []]:
        if len(segment) == 1:
            spaced.append(segment[0])
            continue
        if len(spaced) >= MIN_SHORT_WORDS:
            spans += _spaced_chinese(text, language, spaced)
        elif spaced:
            spans += _fragment(text, language, spaced)
        spaced = []
        if len(segment) >= MIN_SHORT_WORDS:
            spans += _glued(language, segment)
        elif segment:
            spans += _glued_fragment(text, language, segment)
    return spans


WHOLE_SEGMENT_PAIRS = {12: 3, 15: 3, 18: 4, 21: 4, 24: 4}


def _allowed_grammar(size: int) -> int:
    return 2 if size <= 15 else 3


def _allowed_pairs(size: int) -> int:
    return 1 if size <= 15 else 2


def _glued(language: str, segment: list[Token]) -> list[Span]:
    indices = [token[2][0] for token in segment]
    pairs, common = chinese_word_pairs(), chinese_word_pairs(COMMON_WORD_FREQUENCY)
    grammar = grammar_indices()
    pair_sum, any_pairs = [0], 0  # everyday word pairs up to each character; any at all
    for a, b in pairwise(indices):
        pair_sum.append(pair_sum[-1] + ((a, b) in common))
        any_pairs += (a, b) in pairs
    grammar_sum = [0]
    for index in indices:
        grammar_sum.append(grammar_sum[-1] + (index in grammar))
    spans: list[Span] = []
    size = len(indices)
    if size in PHRASE_LENGTHS and pair_sum[-1] <= WHOLE_SEGMENT_PAIRS[size] \
            and grammar_sum[-1] <= _allowed_grammar(size) and checksum_valid(indices):
        # the whole stretch between punctuation, exactly a phrase long, with its checksum
        return [(segment[0][0], segment[-1][1], Finding("seed_phrase", "certain", language))]
    covered = -1
    for start in range(len(indices)):
        for size in reversed(PHRASE_LENGTHS):
            end = start + size
            if end > len(indices) or end <= covered:
                continue
            if pair_sum[end - 1] - pair_sum[start] > _allowed_pairs(size):
                continue
            if grammar_sum[end] - grammar_sum[start] > _allowed_grammar(size):
                continue
            if checksum_valid(indices[start:end]):
                spans.append((segment[start][0], segment[end - 1][1],
                              Finding("seed_phrase", "certain", language)))
                covered = end
                break
    if not spans and len(indices) <= max(PHRASE_LENGTHS) and any_pairs == 0 \
            and grammar_sum[-1] <= 1:
        spans.append((segment[0][0], segment[-1][1], Finding("seed_phrase", "likely", language)))
    return spans


def leading_words(text: str) -> int:
    """End of the run of wordlist words ``text`` starts with (three at least, not reading
    like prose; Chinese: four characters forming no word together), else 0. The rest of a
    phrase whose beginning the previous message gave away."""
    matches = list(_TOKEN.finditer(text, 0, 2000))
    if len(matches) < 3 or text[:matches[0].start()].strip(" \n\t,.:;-*•、，。"):
        return 0
    words = exact_words()
    languages: set[str] | None = None
    run: list[int] = []
    end = 0
    for position, match in enumerate(matches):
        key = _key(match.group())
        if position and (len(gap := text[end:match.start()]) > MAX_GAP_CHARS
                         or _BAD_GAP.search(gap)):
            break
        found = dict(_lookup(words, key) or {})
        if not _CJK_CHAR.match(key):
            found.update((k, v[0]) for k, v in fuzzy_words(key).items() if k not in found)
        common = set(found) if languages is None else languages & set(found)
        if not common:
            break
        language = next(iter(sorted(common)))
        languages = common
        run.append(found[language])
        end = match.end()
    if len(run) < 3 or languages is None:
        return 0
    language = sorted(languages)[0]
    if language in CHINESE:
        pairs = chinese_word_pairs()
        glued = not any(text[a.end():b.start()] for a, b in pairwise(matches[:len(run)]))
        if len(run) < 4 or (glued and any(pair in pairs for pair in pairwise(run))):
            return 0
    elif reads_like_prose(language, run, [" "] * (len(run) - 1)):
        return 0
    return end


def edge_words(text: str, *, at_end: bool, count: int = 2) -> bool:
    """Whether one of the first (or last) ``count`` words of ``text`` is a wordlist word or
    one edit from one: a phrase running over from one message into the next has one there."""
    part = text[-120:] if at_end else text[:120]
    matches = list(_TOKEN.finditer(part))
    edge = matches[-count:] if at_end else matches[:count]
    words = exact_words()
    return any(_lookup(words, key := _key(m.group())) is not None or fuzzy_words(key)
               for m in edge)
