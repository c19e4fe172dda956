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
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise, product
from operator import sub

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
KNOWN_CACHED = 20_000  # distinct words whose lookup is kept
LINES_CACHED = 4_096  # lines whose tokens are kept: a message is read again with the next two
QUICK_LOOK_CHARS = 160  # below this, a text not read before gets the quick look first

# a word in one list's run: (start, end, its possible indices — none for a word of no
# list —, misspelt or unknown, separated from the previous word)
Token = tuple[int, int, tuple[int, ...], bool, bool]


@dataclass(frozen=True, slots=True)
class Known:
    """What a word is, looked up once per distinct word (:func:`_known`)."""

    options: dict[str, tuple[int, ...]]  # language -> indices it may be (exact or one edit)
    misspelt: frozenset[str]  # languages where it is only one edit from a word
    exact: bool  # a word of some list as written (``_lookup`` found it)
    chinese: bool  # only the Chinese lists have it: a one-character token is Chinese prose


def _key(word: str) -> str:
    lowered = word.lower()
    return lowered if lowered.isascii() else unicodedata.normalize("NFKD", lowered)


def _lookup(words: dict[str, dict[str, int]], key: str) -> dict[str, int] | None:
    found = words.get(key)
    if found is None and not key.isascii():
        found = words.get(loose(key))
    return found


_NOT_A_WORD = Known({}, frozenset(), False, False)  # stands for None in the caches


@lru_cache(maxsize=KNOWN_CACHED)
def _known_or_marker(key: str) -> Known:
    found = _lookup(exact_words(), key)
    if _CJK_CHAR.match(key):  # a Chinese character: exact only, never "one edit away"
        if not found:
            return _NOT_A_WORD
        return Known({k: (v,) for k, v in found.items()}, frozenset(), True,
                     all(language in CHINESE for language in found))
    options = {k: (v,) for k, v in (found or {}).items()}
    near = fuzzy_words(key)  # "fábric" is English, and a misspelt Spanish fábrica
    misspelt = frozenset(language for language in near if language not in options)
    options.update((language, near[language]) for language in misspelt)
    if not options and not 3 <= len(key) <= MAX_WORD_CHARS:
        return _NOT_A_WORD
    return Known(options, misspelt, found is not None,
                 bool(options) and all(language in CHINESE for language in options))


def _known(key: str) -> Known | None:
    """The word's options, or None for a token that is no word (a break in every run)."""
    known = _known_or_marker(key)
    return None if known is _NOT_A_WORD else known


_ASCII_SPLIT = re.compile(f"({_ASCII_TOKEN.pattern})")  # gaps and tokens, in turn
_SPLIT = re.compile(f"({_TOKEN.pattern})")


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text's tokens (every match of ``_TOKEN``), in order: where each is, what it is (None:
    no word, a break in every run), whether anything separates it from the one before, and
    whether that gap breaks every run (too long, or three digits)."""

    starts: Sequence[int]
    ends: Sequence[int]
    known: Sequence[Known | None]
    separated: Sequence[bool]
    breaks: Sequence[bool]
    exact: Sequence[bool]  # a word of some list as written

    def __len__(self) -> int:
        return len(self.starts)


class _KeptLines:
    """The tokens of the lines read lately (least recently used forgotten first). A text
    in which a secret was found is forgotten at once (:func:`forget`): its lines, the secret
    among them, are not kept in the process's memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lines: OrderedDict[str, _Tokens] = OrderedDict()

    def tokens(self, line: str) -> _Tokens:
        found = self._lines.get(line)
        if found is not None:
            self._lines.move_to_end(line)
            return found
        found = self._lines[line] = _line_tokens(line)
        if len(self._lines) > self.size:
            self._lines.popitem(last=False)
        return found

    def has_all(self, text: str) -> bool:
        return all(line in self._lines for line in text.split("\n"))

    def forget(self, text: str) -> None:
        for line in text.split("\n"):
            self._lines.pop(line, None)

    def clear(self) -> None:
        self._lines.clear()


def _line_tokens(line: str) -> _Tokens:
    """A line's tokens, as the line alone gives them. Split in C (gaps and tokens in turn)
    and looked up through the word cache."""
    if line.isascii():  # lower case keeps every offset: the pieces are the words' keys
        pieces = _ASCII_SPLIT.split(line.lower())
        words = pieces[1::2]
        known = tuple(None if word is _NOT_A_WORD else word
                      for word in map(_known_or_marker, words))
    else:
        pieces = _SPLIT.split(line)
        words = pieces[1::2]
        known = tuple(map(_known_token, words))
    offsets = list(accumulate(map(len, pieces), initial=0))
    # the first token's gap: none within the line (the caller looks across lines)
    flags = [0, *map(_gap_flags, pieces[2:-1:2])] if words else []
    return _Tokens(tuple(offsets[1:-1:2]), tuple(offsets[2::2]), known,
                   tuple(flag & 1 == 1 for flag in flags), tuple(flag & 2 == 2 for flag in flags),
                   tuple(word is not None and word.exact for word in known))


_KEPT = _KeptLines(LINES_CACHED)


def forget(text: str) -> None:
    """Forget the lines of ``text`` (searched: a secret was found in it)."""
    _KEPT.forget(text)


def _known_token(token: str) -> Known | None:
    # (cached by its key, lower case: the word cache keeps no case, as fuzzy_words)
    return _known(_key(token))


def _gap_flags(gap: str) -> int:
    """1: something between two tokens (always, within a line); 2: a gap that breaks runs."""
    if len(gap) <= 2:  # the usual " ", ", ", ". ": three digits need three characters
        return 1 if gap else 0
    return 1 | (2 if len(gap) > MAX_GAP_CHARS or _BAD_GAP.search(gap) else 0)


def _tokens(text: str) -> _Tokens:
    """Tokenised line by line, the same as tokenising the whole text: no token spans a line
    break, and the gap from one line's last token to the next line's first is looked at here."""
    lines = text.split("\n")
    if len(lines) == 1:
        return _KEPT.tokens(text)
    starts: list[int] = []
    ends: list[int] = []
    known: list[Known | None] = []
    separated: list[bool] = []
    breaks: list[bool] = []
    exact: list[bool] = []
    offset = 0
    for line in lines:
        tokens = _KEPT.tokens(line)
        if tokens.starts:
            first = len(starts)
            starts.extend(map(offset.__add__, tokens.starts))
            ends.extend(map(offset.__add__, tokens.ends))
            known.extend(tokens.known)
            separated.extend(tokens.separated)
            breaks.extend(tokens.breaks)
            exact.extend(tokens.exact)
            if first:  # the gap from the previous line's last token
                flags = _gap_flags(text[ends[first - 1]:starts[first]])
                separated[first], breaks[first] = flags & 1 == 1, flags & 2 == 2
        offset += len(line) + 1
    return _Tokens(starts, ends, known, separated, breaks, exact)


_ASCII_NON_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})


def _too_few_words_quick(text: str) -> bool:
    """:func:`_too_few_words` on ASCII text without tokens: its letter runs are its words."""
    words = exact_words()
    pieces = text.translate(_ASCII_NON_LETTERS).lower().split()
    if len(pieces) < FRAGMENT_WORDS:
        return True
    exact = [piece in words for piece in pieces]
    if sum(exact) >= MIN_SHORT_WORDS - 2:
        return False
    edge = FRAGMENT_WORDS + 1
    return all(sum(side) < FRAGMENT_WORDS - 1 for side in (exact[:edge], exact[-edge:]))


def _too_few_words(text: str, tokens: _Tokens) -> bool:
    """A quick look (ASCII text): fewer wordlist words than the shortest phrase, misspelt
    words aside, and too few at either end for a fragment, so nothing to find."""
    if not text.isascii():
        return False
    exact = tokens.exact
    if len(exact) < FRAGMENT_WORDS:
        return True
    if sum(exact) >= MIN_SHORT_WORDS - 2:
        return False
    # too few for a phrase: only a fragment at the start or end of the text can be there
    edge = FRAGMENT_WORDS + 1
    return all(sum(side) < FRAGMENT_WORDS - 1 for side in (exact[:edge], exact[-edge:]))


def find_phrases(text: str, reaching: int | None = None) -> list[Span]:
    """Every recovery phrase (or fragment of one) in ``text``.

    ``reaching``: only what ends after this offset is wanted (a message read after the
    previous ones); a run ending before it is judged only when one of its spans could
    overlap one that is kept (and so change it when the spans are merged)."""
    if len(text) < QUICK_LOOK_CHARS and text.isascii() and not _KEPT.has_all(text) \
            and _too_few_words_quick(text):
        return []  # a short text not read before: no need to tokenise it to see that
    tokens = _tokens(text)
    if _too_few_words(text, tokens):
        return []
    count = len(tokens.starts)
    if count < min(FRAGMENT_WORDS, FRAGMENT_CHARS):
        return []
    # a phrase's words sit together: five tokens in a row (a fragment), at most one misspelt
    least = min(FRAGMENT_WORDS, FRAGMENT_CHARS)
    dense = list(accumulate(tokens.exact, initial=0))  # wordlist words up to each token
    if max(map(sub, dense[least:], dense[:-least]), default=0) < least - 1:
        return []
    runs = _runs(tokens)
    if reaching is None:
        found = [_judge_run(text, tokens, run) for run in runs]
    else:
        judged = _judged_reaching(text, tokens, runs, reaching)
        found = [judged[number] for number in range(len(runs)) if number in judged]
    spans = [span for run_spans in found for span in run_spans]
    return [(_include_list_number(text, start), end, finding) for start, end, finding in spans]


# a run: (language, its first token, the token after its last) — only runs of five tokens
# or more, the fewest any rule finds a phrase (or a fragment) in
Run = tuple[str, int, int]


def _runs(tokens: _Tokens) -> list[Run]:
    """The runs of each language, in the order they end. A word continues its languages'
    runs; a word of no list continues the runs of every list but Chinese (an unknown word in
    a phrase); a break, a Chinese character or, for a Chinese list, a word not in it ends them."""
    runs: dict[str, int] = {}  # language -> its run's first token
    ended: list[Run] = []
    starts, ends, breaks = tokens.starts, tokens.ends, tokens.breaks
    simplified, traditional = CHINESE
    number = -1
    for number, known in enumerate(tokens.known):
        if runs and (known is None or breaks[number]):
            ended += [(language, first, number) for language, first in runs.items()]
            runs = {}
        if known is None:
            continue
        options = known.options
        if runs:
            if known.chinese and ends[number] - starts[number] == 1:
                # a Chinese character ends the runs of every other list
                for language in [language for language in runs if language not in options]:
                    ended.append((language, runs.pop(language), number))
            elif simplified in runs or traditional in runs:
                for language in [language for language in runs
                                 if language in CHINESE and language not in options]:
                    ended.append((language, runs.pop(language), number))
        for language in options:
            if language not in runs:
                runs[language] = number
    ended += [(language, first, number + 1) for language, first in runs.items()]
    return [run for run in ended if run[2] - run[1] >= FRAGMENT_WORDS]


def _judged_reaching(text: str, tokens: _Tokens, runs: list[Run],
                     reaching: int) -> dict[int, list[Span]]:
    """The spans of the runs (by number) that can end after ``reaching`` or overlap one that
    does; the others are left unjudged. From the last-ending run back, each span found
    lowers the bound to its start: a run ending at or before the bound cannot reach a kept
    span, and every run after it in this order ends earlier still."""
    bound = reaching
    judged: dict[int, list[Span]] = {}
    for number in sorted(range(len(runs)), key=lambda n: -tokens.ends[runs[n][2] - 1]):
        if tokens.ends[runs[number][2] - 1] <= bound:
            break
        judged[number] = _judge_run(text, tokens, runs[number])
        for start, _, _ in judged[number]:
            bound = min(bound, _include_list_number(text, start))
    return judged


def _judge_run(text: str, tokens: _Tokens, run: Run) -> list[Span]:
    language, first, stop = run
    starts, ends, known, separated = tokens.starts, tokens.ends, tokens.known, tokens.separated
    words: list[Token] = []
    for i in range(first, stop):
        word = known[i]
        assert word is not None  # (a token of no word ends every run)
        options = word.options.get(language, ())
        words.append((starts[i], ends[i], options, not options or language in word.misspelt,
                      separated[i]))
    return _judge(text, language, words)


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
    # (a run longer than any phrase, 25 words and more: nothing is missing)
    missing = min((n for n in PHRASE_LENGTHS if n >= len(core)), default=len(core)) \
        - len(core)
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
            spans += _glued(text, language, segment)
        elif segment:
            spans += _glued_fragment(text, language, segment)
    return spans


WHOLE_SEGMENT_PAIRS = {12: 3, 15: 3, 18: 4, 21: 4, 24: 4}


def _allowed_grammar(size: int) -> int:
    return 2 if size <= 15 else 3


def _allowed_pairs(size: int) -> int:
    return 1 if size <= 15 else 2


def _glued(text: str, language: str, segment: list[Token]) -> list[Span]:
    indices = [token[2][0] for token in segment]
    # a stretch that a Chinese character of no list ends (not punctuation, a space or the
    # text's edge) is a piece of a sentence: "…您自己的设备上按顺序输入助记词" holds twelve
    # list characters with a valid checksum, the one-in-sixteen chance of any twelve
    start, end = segment[0][0], segment[-1][1]
    in_prose = bool(start and _CJK_CHAR.match(text[start - 1])
                    or end < len(text) and _CJK_CHAR.match(text[end]))
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
    if size in PHRASE_LENGTHS and not in_prose and pair_sum[-1] <= WHOLE_SEGMENT_PAIRS[size] \
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
    found = (_ASCII_TOKEN if part.isascii() else _TOKEN).findall(part)
    edge = found[-count:] if at_end else found[:count]
    return any((known := _known_token(token)) is not None and known.options for token in edge)
