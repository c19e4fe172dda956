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
- A forgotten word's marker between spaces ("???", "___", "*****", "(forgot)") is read as a
  word of no list, not as a separator (a sentence end). A number before some words of a run
  and not others ("I forgot word 5: <phrase>") cuts the run: the pieces are judged alone.
- A phrase in parts with at most four words of prose between them ("the first words are
  <6> and then <6>"): parts of four or more words, two words at most dropped as prose
  (everyday ones first), a phrase length with a valid checksum: *certain*, each part removed.
- A numbered grid read row by row ("1.large 7.desk / 2.pigeon 8.indicate …"), or ordinals
  ("第1个效，第2个蓝…"): numbers 1 to a phrase length, each once, words of one list, read in
  their numbers' order with a valid checksum: *certain*.
"""

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, combinations, pairwise, product
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
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
MAX_WORD_CHARS = 16
_LEADING_NUMBER = re.compile(r"(?:[(（]?\d{1,2}[.):：、）\-]?|#\d{1,2}|[\u2460-\u2473])[ \t]*$")
KNOWN_CACHED = 20_000  # distinct words whose lookup is kept
LINES_CACHED = 4_096  # lines whose tokens are kept: a message is read again with the next two
EDGE_LOOK_CHARS = 40  # edge_words reads this much first, and the 120 only when too few words
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
_MARK = re.compile(r"[\u0300-\u036f\u3099\u309a\ufffd]")  # what _TOKEN takes in besides letters
_SPLIT_LETTERS = re.compile(rf"([^\W\d_{CJK}]+|[{CJK}])")  # _SPLIT on a line without them: faster


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

    def __len__(self) -> int:
        return len(self.starts)


class _Line:
    """A line as the quick looks read it (which of its tokens are words of some list as
    written, and where the first and last tokens with a letter are), and its tokens, made
    when something is to be judged. An ASCII line's words are its letter runs: looked up
    without the tokens (most lines of prose are never judged)."""

    __slots__ = ("_split", "_tokens", "exact", "first_letter", "last_letter", "line")

    def __init__(self, line: str) -> None:
        self.line = line
        self._tokens: _Tokens | None = None
        self._split: Split | None = None
        self.exact: bytes  # 1: a word of some list as written, token by token
        if line.isascii():
            words = line.translate(_ASCII_NON_LETTERS).lower().split()
            self.exact = bytes(map(exact_words().__contains__, words))
            self.first_letter, self.last_letter = (0, len(words) - 1) if words else (-1, -1)
        else:
            pieces, known = self._split = _split(line)
            words = pieces[1::2]
            self.exact = bytes([word is not None and word.exact for word in known])
            self.first_letter = next(
                (i for i, word in enumerate(words) if _LETTER.search(word)), -1)
            self.last_letter = next(
                (i for i in range(len(words) - 1, -1, -1) if _LETTER.search(words[i])), -1)

    @property
    def tokens(self) -> _Tokens:
        if self._tokens is None:
            self._tokens = _line_tokens(self.line, self._split)
            self._split = None
        return self._tokens

    def __len__(self) -> int:
        return len(self.exact)


class _KeptLines:
    """The lines read lately (least recently used forgotten first). A text in which a secret
    was found is forgotten at once (:func:`forget`): its lines, the secret among them, are
    not kept in the process's memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lines: OrderedDict[str, _Line] = OrderedDict()

    def line(self, line: str) -> _Line:
        found = self._lines.get(line)
        if found is not None:
            self._lines.move_to_end(line)
            return found
        found = self._lines[line] = _Line(line)
        if len(self._lines) > self.size:
            self._lines.popitem(last=False)
        return found

    def tokens(self, line: str) -> _Tokens:
        return self.line(line).tokens

    def has_all(self, text: str) -> bool:
        return all(line in self._lines for line in text.split("\n"))

    def forget(self, text: str) -> None:
        for line in text.split("\n"):
            self._lines.pop(line, None)
            for clause in _CLAUSE_END.split(line):
                _KEPT_CLAUSES.pop(clause, None)

    def clear(self) -> None:
        self._lines.clear()
        _KEPT_CLAUSES.clear()


Split = tuple[list[str], tuple[Known | None, ...]]  # gaps and tokens in turn; each token's Known


def _split(line: str) -> Split:
    """A line's gaps and tokens in turn (split in C), and what each token is (looked up
    through the word cache). A line with Chinese in it is split clause by clause (after each
    punctuation mark of ``_CLAUSE_END`` that follows a Chinese character; no token holds
    one: a token never spans two clauses), each clause's split kept (``_KEPT_CLAUSES``):
    Chinese messages glued together (:mod:`walletdesk.safety.across`) are read again
    clause by clause."""
    if line.isascii():
        return _split_piece(line)
    clauses = _CLAUSE_END.split(line)
    if len(clauses) == 1:
        return _split_piece(line)
    pieces: list[str] = [""]
    known: list[Known | None] = []
    for clause in clauses:
        if not clause:
            continue
        found = _KEPT_CLAUSES.get(clause)
        if found is None:
            found = _KEPT_CLAUSES[clause] = _split_piece(clause)
            if len(_KEPT_CLAUSES) > CLAUSES_CACHED:
                _KEPT_CLAUSES.popitem(last=False)
        else:
            _KEPT_CLAUSES.move_to_end(clause)
        # the gap the clause ends with and the one the next starts with are one gap
        pieces[-1] += found[0][0]
        pieces += found[0][1:]
        known += found[1]
    return pieces, tuple(known)


CLAUSES_CACHED = 8_192
_CLAUSE_END = re.compile(rf"(?<=[{CJK}][。，,!?！？;；:：、])")  # (after Chinese: those are glued)
_KEPT_CLAUSES: OrderedDict[str, Split] = OrderedDict()


def _split_piece(line: str) -> Split:
    """:func:`_split` of a line, or of a clause of one, in one piece."""
    if line.isascii():  # lower case keeps every offset: the pieces are the words' keys
        pieces = _ASCII_SPLIT.split(line.lower())
        known = tuple(None if word is _NOT_A_WORD else word
                      for word in map(_known_or_marker, pieces[1::2]))
    else:
        pieces = (_SPLIT if _MARK.search(line) else _SPLIT_LETTERS).split(line)
        known = tuple(map(_known_token, pieces[1::2]))
    return pieces, known


def _line_tokens(line: str, split: Split | None = None) -> _Tokens:
    """A line's tokens, as the line alone gives them (``split``: :func:`_split` of it)."""
    pieces, known = split or _split(line)
    offsets = list(accumulate(map(len, pieces), initial=0))
    gaps = pieces[2:-1:2]  # between tokens: the first token's, none within the line (the
    # caller looks across lines)
    separated: Sequence[bool] = (False, *map(bool, gaps)) if known else ()
    if max(map(len, gaps), default=0) <= MAX_GAP_CHARS and _BAD_GAP.search(line) is None:
        breaks: Sequence[bool] = (False,) * len(known)  # (a token has no digit)
    else:  # _gap_flags, gap by gap
        breaks = (False, *[_gap_flags(gap) & 2 == 2 for gap in gaps]) if known else ()
    return _Tokens(tuple(offsets[1:-1:2]), tuple(offsets[2::2]), known, separated, breaks)


_KEPT = _KeptLines(LINES_CACHED)


def forget(text: str) -> None:
    """Forget the lines of ``text`` (searched: a secret was found in it)."""
    _KEPT.forget(text)


@lru_cache(maxsize=KNOWN_CACHED)
def _known_token(token: str) -> Known | None:
    # (cached by its key, lower case, as fuzzy_words; and by the token as written, which
    # spares the key's NFKD of every Chinese character)
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
    return _joined_lines(text, lines, [_KEPT.tokens(line) for line in lines])


def _joined_lines(text: str, lines: list[str], line_tokens: list[_Tokens]) -> _Tokens:
    starts: list[int] = []
    ends: list[int] = []
    known: list[Known | None] = []
    separated: list[bool] = []
    breaks: list[bool] = []
    offset = 0
    for line, tokens in zip(lines, line_tokens, strict=True):
        if tokens.starts:
            first = len(starts)
            starts.extend(map(offset.__add__, tokens.starts))
            ends.extend(map(offset.__add__, tokens.ends))
            known.extend(tokens.known)
            separated.extend(tokens.separated)
            breaks.extend(tokens.breaks)
            if first:  # the gap from the previous line's last token
                flags = _gap_flags(text[ends[first - 1]:starts[first]])
                separated[first], breaks[first] = flags & 1 == 1, flags & 2 == 2
        offset += len(line) + 1
    return _Tokens(starts, ends, known, separated, breaks)


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


def _too_few_words(text: str, exact: bytes) -> bool:
    """A quick look (ASCII text): fewer wordlist words than the shortest phrase, misspelt
    words aside, and too few at either end for a fragment, so nothing to find."""
    if not text.isascii():
        return False
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
    # the quick looks need only the lines' tokens (kept), not them put together
    lines = text.split("\n")
    kept = [_KEPT.line(line) for line in lines]
    exact = kept[0].exact if len(lines) == 1 else b"".join(line.exact for line in kept)
    if _too_few_words(text, exact):
        return []
    count = len(exact)
    if count < min(FRAGMENT_WORDS, FRAGMENT_CHARS):
        return []
    # a phrase's words sit together: five tokens in a row (a fragment), at most one misspelt
    if _FOUR_OF_FIVE.search(exact) is None:
        return []
    first_letter = last_letter = -1
    offset = 0
    for line in kept:
        if line.first_letter >= 0:
            if first_letter < 0:
                first_letter = offset + line.first_letter
            last_letter = offset + line.last_letter
        offset += len(line)
    if not _may_hold_phrase(exact, first_letter, last_letter):
        return []
    tokens = kept[0].tokens if len(lines) == 1 else \
        _joined_lines(text, lines, [line.tokens for line in kept])
    if reaching is None:
        runs = _runs(tokens)
        found = [_judge_run(text, tokens, run) for run in runs]
    else:
        runs = _runs(tokens, _first_reaching_run(tokens, reaching))
        judged = _judged_reaching(text, tokens, runs, reaching)
        found = [judged[number] for number in range(len(runs)) if number in judged]
    spans = [span for run_spans in found for span in run_spans]
    return [(_include_list_number(text, start), end, finding) for start, end, finding in spans]


def _all_but_one_of(size: int) -> re.Pattern[bytes]:
    """``size`` tokens in a row, all but one of them words as written (``exact``: a byte a
    token, 1 or 0): size - 1 1s in a row (in a text of ``size`` tokens or more, that is in
    such a window), or one 0 between 1s."""
    return re.compile(b"|".join([b"\x01" * (size - 1)] + [
        b"\x01" * before + b"\x00" + b"\x01" * (size - 1 - before) for before in range(1, size - 1)]))


_FOUR_OF_FIVE = _all_but_one_of(min(FRAGMENT_WORDS, FRAGMENT_CHARS))


def _may_hold_phrase(exact: bytes, first_letter: int, last_letter: int) -> bool:
    """False only when no rule can find anything in the text (a quick look at ordinary prose
    before its runs are made and judged). Every span a rule finds lies in one run of one
    language, made of consecutive tokens, and needs either
    - ten tokens in a row with at most two of them misspelt or of no list (a phrase a word
      or two short, or longer: ``_latin``, ``_spaced_chinese``, ``_glued`` — a Chinese run has
      none of those): eight words of some list as written among ten tokens; or
    - a fragment: five tokens or more, at most one misspelt, none of no list (four words as
      written among five tokens) with nothing but separators before it or after it
      (``_at_edge``): its first token is the first token with a letter, or the one after (a
      circled list number "①" is a letter and may stand before it); or its last token is at
      or after the last token with a letter.
    A word that is some language's word as written (``Known.exact``) is what ``exact``
    marks, whatever its language: a superset of the words of one language.
    ``first_letter``, ``last_letter``: token numbers (-1: no token has a letter)."""
    count = len(exact)
    window = MIN_SHORT_WORDS
    dense = list(accumulate(exact, initial=0))  # words as written up to each token
    if count >= window and exact.count(1) >= window - 2 \
            and max(map(sub, dense[window:], dense[:-window])) >= window - 2:
        return True
    first, last = (first_letter, last_letter) if first_letter >= 0 else (count, 0)
    size = FRAGMENT_WORDS
    if any(dense[i + size] - dense[i] >= size - 1 for i in range(min(first + 2, count - size + 1))):
        return True
    return any(dense[j + 1] - dense[j + 1 - size] >= size - 1
               for j in range(max(last, size - 1), count))


# a run: (language, its first token, the token after its last) — only runs of five tokens
# or more, the fewest any rule finds a phrase (or a fragment) in
Run = tuple[str, int, int]


def _first_reaching_run(tokens: _Tokens, reaching: int) -> int:
    """A token where every run ends (a token of no word, or one after a gap that breaks
    runs), at or before the first token ending after ``reaching``; 0 if none. The runs before
    it end before ``reaching``, and before any span the runs after it hold (a span's list
    number is no word's letters): :func:`_judged_reaching` would judge none of them."""
    known, breaks = tokens.known, tokens.breaks
    for number in range(min(bisect_right(tokens.ends, reaching), len(known) - 1), 0, -1):
        if known[number] is None or breaks[number]:
            return number
    return 0


def _runs(tokens: _Tokens, start_at: int = 0) -> list[Run]:
    """The runs of each language, in the order they end. A word continues its languages'
    runs; a word of no list continues the runs of every list but Chinese (an unknown word in
    a phrase); a break, a Chinese character or, for a Chinese list, a word not in it ends them.
    ``start_at``: the runs from this token on (every run ends there: _first_reaching_run)."""
    runs: dict[str, int] = {}  # language -> its run's first token
    ended: list[Run] = []
    starts, ends, breaks = tokens.starts, tokens.ends, tokens.breaks
    simplified, traditional = CHINESE
    number = start_at - 1
    for number, known in enumerate(tokens.known[start_at:], start_at):
        if known is not None and runs.keys() == known.options.keys() and not breaks[number]:
            continue  # (the runs of its languages go on: nothing ends, nothing starts)
        if runs and (known is None or breaks[number]):
            ended += [(language, first, number) for language, first in runs.items()]
            runs = {}
        if known is None:
            continue
        options = known.options
        if runs:
            if known.chinese and ends[number] - starts[number] == 1:
                # a Chinese character ends the runs of every other list
                if not runs.keys() <= options.keys():
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
    if language in CHINESE:
        return _judge_chinese_run(text, tokens, language, first, stop)
    return _judge(text, language, _words(tokens, language, first, stop))


def _words(tokens: _Tokens, language: str, first: int, stop: int) -> list[Token]:
    """Tokens ``first`` to ``stop`` (the end excluded) of a run of ``language``."""
    known = tokens.known[first:stop]
    options = [word.options.get(language, ()) for word in known if word is not None]
    # (a token of no word ends every run: every one here is a word)
    flagged = [not found or language in word.misspelt
               for found, word in zip(options, known, strict=True) if word is not None]
    return list(zip(tokens.starts[first:stop], tokens.ends[first:stop], options, flagged,
                    tokens.separated[first:stop], strict=True))


def _judge_chinese_run(text: str, tokens: _Tokens, language: str, first: int,
                       stop: int) -> list[Span]:
    """:func:`_judge` of a run of a Chinese list (:func:`_fragment`, or :func:`_chinese`
    piece by piece), with the tokens of a piece made only when a rule can find something in
    it: a piece of ten or more (written together, or one by one), or a piece at an edge of
    the text. A fragment needs nothing but separators before it or after it (``_at_edge``;
    written together: both); every token of the run is a character with a letter, so only
    a piece that starts the run can have nothing before it, and then only if the run has
    nothing before it (the same for the end)."""
    at_start = _nothing_before(text, tokens.starts[first])
    at_end = _LETTER.search(text, tokens.ends[stop - 1]) is None
    if stop - first < MIN_SHORT_WORDS:
        return _fragment(text, language, _words(tokens, language, first, stop)) \
            if at_start or at_end else []
    separated = tokens.separated
    # the segments (:func:`_chinese`): a separator before a character starts a new one
    bounds = [first, *(i for i in range(first + 1, stop) if separated[i]), stop]
    spans: list[Span] = []
    spaced_from = spaced_to = first  # the characters written one by one, in a row, so far
    for a, b in [*pairwise(bounds), (stop, stop)]:
        if b - a == 1:  # (the segments follow each other: this one starts at spaced_to)
            spaced_to = b
            continue
        count = spaced_to - spaced_from
        if count >= MIN_SHORT_WORDS:
            spans += _spaced_chinese(text, language,
                                     _words(tokens, language, spaced_from, spaced_to))
        elif count and (at_start and spaced_from == first or at_end and spaced_to == stop):
            spans += _fragment(text, language, _words(tokens, language, spaced_from, spaced_to))
        spaced_from = spaced_to = b
        if b - a >= MIN_SHORT_WORDS:  # (every character of the run is in its list)
            spans += _glued_stretch(text, language, tokens.starts[a:b], tokens.ends[a:b],
                                    [word.options[language][0] for word in tokens.known[a:b]
                                     if word is not None])
        elif b > a and at_start and a == first and at_end and b == stop:
            spans += _glued_fragment(text, language, _words(tokens, language, a, b))
    return spans


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
    # (a forgotten word's marker, "???" read as "xxx", is no prose beside the phrase)
    marks = [i for i, token in enumerate(core) if token[3] and not _MARKER_WORD.fullmatch(
        text, token[0], token[1])] if misspelt else []
    if marks:
        if marks[0] < EDGE_WORDS and len(core) - marks[0] - 1 >= MIN_SHORT_WORDS:
            core = core[marks[0] + 1:]  # "thanks, y[ou] all": prose words beside the phrase
        elif len(core) - 1 - marks[-1] < EDGE_WORDS and marks[-1] >= MIN_SHORT_WORDS:
            core = core[:marks[-1]]
    numbered = [i for i, gap in enumerate(_gaps(text, core)) if _DIGIT.search(gap)]
    if 0 < len(numbered) < len(core) - 1:
        # "I forgot word 5: <phrase>": a number between some words and not others is no
        # list's numbering; the words between the numbers are judged as runs of their own
        cuts = [0, *(i + 1 for i in numbered), len(core)]
        return [span for a, b in pairwise(cuts) if b - a >= MIN_SHORT_WORDS
                for span in _latin(text, language, core[a:b])]
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
    ``either=False``: on both sides) — where a phrase cut in two is cut. (Searched in place,
    from the run outwards to the first letter, not on copies of the text before and after.)"""
    end = _LETTER.search(text, run[-1][1]) is None
    if end is either:
        return end
    return _nothing_before(text, run[0][0])


_CIRCLED_NUMBER = re.compile(r"[\u2460-\u2473][ \t]*\n?")  # _LEADING_NUMBER's one letter


def _nothing_before(text: str, start: int) -> bool:
    """No letter before ``start`` but a list number just before it: no letter in
    ``_LEADING_NUMBER.sub("", text[:start])``. That takes away at most one letter, a circled
    number ("①"), with only spaces (and a last line break) after it."""
    letter = _LETTER.search(text, 0, start)
    return letter is None or _CIRCLED_NUMBER.fullmatch(text, letter.start(), start) is not None


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
    return _glued_stretch(text, language, [token[0] for token in segment],
                          [token[1] for token in segment], [token[2][0] for token in segment])


def _glued_stretch(text: str, language: str, starts: Sequence[int], ends: Sequence[int],
                   indices: list[int]) -> list[Span]:
    """:func:`_glued` of the characters at ``starts``/``ends`` (their indices in the list)."""
    # a stretch that a Chinese character of no list ends (not punctuation, a space or the
    # text's edge) is a piece of a sentence: "…您自己的设备上按顺序输入助记词" holds twelve
    # list characters with a valid checksum, the one-in-sixteen chance of any twelve
    start, end = starts[0], ends[-1]
    in_prose = bool(start and _CJK_CHAR.match(text[start - 1])
                    or end < len(text) and _CJK_CHAR.match(text[end]))
    # what it depends on, nothing else: a stretch read again with the next messages
    key = (language, text[start:end], in_prose)
    if _PROSE_STRETCHES.get(key):
        _PROSE_STRETCHES.move_to_end(key)
        return []
    spans = _glued_spans(language, starts, ends, indices, in_prose)
    if not spans:
        _PROSE_STRETCHES[key] = True
        if len(_PROSE_STRETCHES) > STRETCHES_CACHED:
            _PROSE_STRETCHES.popitem(last=False)
    return spans


# Chinese stretches in which _glued found nothing (prose: never a secret), least recently
# used forgotten first
STRETCHES_CACHED = 4_096
_PROSE_STRETCHES: OrderedDict[tuple[str, str, bool], bool] = OrderedDict()


def _glued_spans(language: str, starts: Sequence[int], ends: Sequence[int], indices: list[int],
                 in_prose: bool) -> list[Span]:
    pairs, common = chinese_word_pairs(), chinese_word_pairs(COMMON_WORD_FREQUENCY)
    grammar = grammar_indices()
    # everyday word pairs up to each character; grammar characters up to each (counted in C)
    pair_sum = list(accumulate(map(common.__contains__, pairwise(indices)), initial=0))
    grammar_sum = list(accumulate(map(grammar.__contains__, indices), initial=0))
    start, end = starts[0], ends[-1]
    spans: list[Span] = []
    size = len(indices)
    if size in PHRASE_LENGTHS and not in_prose and pair_sum[-1] <= WHOLE_SEGMENT_PAIRS[size] \
            and grammar_sum[-1] <= _allowed_grammar(size) and checksum_valid(indices):
        # the whole stretch between punctuation, exactly a phrase long, with its checksum
        return [(start, end, Finding("seed_phrase", "certain", language))]
    covered = -1
    # a start whose shortest window has too many word pairs or grammar characters has no
    # window at all (a longer one holds those, and allows at most as many)
    shortest, most_pairs, most_grammar = PHRASE_LENGTHS[0], _allowed_pairs(
        PHRASE_LENGTHS[-1]), _allowed_grammar(PHRASE_LENGTHS[-1])
    pair_counts = map(sub, pair_sum[shortest - 1:], pair_sum)  # in each shortest window
    grammar_counts = map(sub, grammar_sum[shortest:], grammar_sum)
    candidates = [first for first, (pair_count, grammar_count)
                  in enumerate(zip(pair_counts, grammar_counts, strict=True))
                  if pair_count <= most_pairs and grammar_count <= most_grammar]
    for start in candidates:
        for size in reversed(PHRASE_LENGTHS):
            end = start + size
            if end > len(indices) or end <= covered:
                continue
            if pair_sum[end - 1] - pair_sum[start] > _allowed_pairs(size):
                continue
            if grammar_sum[end] - grammar_sum[start] > _allowed_grammar(size):
                continue
            if checksum_valid(indices[start:end]):
                spans.append((starts[start], ends[end - 1],
                              Finding("seed_phrase", "certain", language)))
                covered = end
                break
    if not spans and len(indices) <= max(PHRASE_LENGTHS) and grammar_sum[-1] <= 1 \
            and not any(map(pairs.__contains__, pairwise(indices))):
        spans.append((starts[0], ends[-1], Finding("seed_phrase", "likely", language)))
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
    edge: list[str] = []
    for reach in (EDGE_LOOK_CHARS, 120):
        part = text[-reach:] if at_end else text[:reach]
        found = (_ASCII_TOKEN if part.isascii() else _TOKEN).findall(part)
        edge = found[-count:] if at_end else found[:count]
        if len(found) > count or len(part) == len(text):
            break  # (the words wanted are whole: a word cut at the part's edge is not one)
    return any((known := _known_token(token)) is not None and known.options for token in edge)


# --- a forgotten word's marker, a phrase split by prose, a numbered grid -------------------

# a word the customer marks as forgotten ("??? ", "___", "*****", "(forgot)"), standing
# alone between spaces: read as a word of no list (a phrase may hold one), not a separator
_MARKER = re.compile(r"(?<=\s)(?:\?{3,}|_{3,}|\*{3,}|\.{4,}|[(\[](?:\?+|forgot\w*|missing|"
                     r"olvid\w*|unknown|忘了|忘记|忘記)[)\]])(?=\s|$)", re.IGNORECASE)


_MARKER_WORD = re.compile(r"x{3,}")  # what markers_as_words makes of a marker


def markers_as_words(text: str) -> str:
    """``text`` with each forgotten-word marker as as many "x"s (the same offsets)."""
    if _MARKER_QUICK.search(text) is None:
        return text
    return _MARKER.sub(lambda m: "x" * len(m.group()), text)


_MARKER_QUICK = re.compile(r"[?_*]{3}|\.{4}|[(\[][?fFmMuUoO忘]")


SPLIT_PART_WORDS = 4  # a part of a phrase split by prose: four words of one list at least
SPLIT_GAP_TOKENS = 4  # the prose between two parts: at most four words …
SPLIT_GAP_CHARS = 40  # … and forty characters
_PART_RUN = re.compile(b"\x01{%d,}" % SPLIT_PART_WORDS)


def find_split_phrases(text: str) -> list[Span]:
    """A phrase written in parts with a few words of prose between them ("the first words
    are <6 words> and then <6 words>", "<4>, then <4> and the last ones <4>"): parts of four
    words or more of one list (none misspelt, not reading like prose), at most four words
    of prose between two parts; together (a word at a part's edge may be prose: dropped)
    a phrase length with a valid checksum. Each part is removed; the prose stays."""
    if len(text) < 70 or len(text.split()) <= PHRASE_LENGTHS[0]:
        return []  # (twelve words and one of prose at least, most written with spaces)
    lines = text.split("\n")
    exact = b"".join(_KEPT.line(line).exact for line in lines)
    runs = _PART_RUN.findall(exact)
    if len(runs) < 2 or sum(map(len, runs)) < PHRASE_LENGTHS[0] - 2:
        return []
    tokens = _tokens(text)
    languages = {language for known in tokens.known if known is not None and known.exact
                 for language in known.options if language not in CHINESE}
    spans: list[Span] = []
    for language in sorted(languages):
        parts = _split_parts(text, tokens, language)
        found = _split_phrase(text, language, parts)
        if found:
            spans += found
    return spans


COMPLETING_WORDS = 2  # a phrase's last (or first) words written apart from the rest: at most 2
COMPLETING_GAP_TOKENS = 6  # … at most six words of prose away ("and the last two are")
_NEARLY_A_PHRASE = re.compile(b"\x01{%d,}" % (PHRASE_LENGTHS[0] - COMPLETING_WORDS))


def find_completed_phrases(text: str) -> list[Span]:
    """A phrase a word or two short, its missing words written a few words of prose away ("<11
    words> and the last one is <word>", "the first is <word>, then <11 words>"): the words
    that complete it with a valid checksum (the phrase without a word of prose at an edge too:
    "wallet <11 words>", "then <11 words>") are removed with it, the prose between stays.
    *Certain*."""
    if len(text) < 60 or len(text.split()) <= PHRASE_LENGTHS[0]:
        return []
    exact = b"".join(_KEPT.line(line).exact for line in text.split("\n"))
    if not _NEARLY_A_PHRASE.search(exact):
        return []
    tokens = _tokens(text)
    counts = Counter(language for known in tokens.known if known is not None and known.exact
                     for language in known.options if language not in CHINESE)
    spans: list[Span] = []
    for language in sorted(counts):
        if counts[language] < PHRASE_LENGTHS[0] - COMPLETING_WORDS:
            continue  # (Chinese prose with an English word or two)
        parts = _split_parts(text, tokens, language, 1)
        for number, long in enumerate(parts):
            if len(long) < PHRASE_LENGTHS[0] - COMPLETING_WORDS:
                continue
            after = [word for part in parts[number + 1:] for word in part
                     if _near(text, long[-1][1], word[0])]
            before = [word for part in parts[:number] for word in part
                      if _near(text, word[1], long[0][0])]
            spans += _completed(long, after[:COMPLETING_WORDS + 1], language, forward=True) \
                or _completed(long, before[-COMPLETING_WORDS - 1:], language, forward=False)
    return spans


def _near(text: str, end: int, start: int) -> bool:
    return 0 < start - end <= SPLIT_GAP_CHARS + 12 \
        and len(_TOKEN.findall(text, end, start)) <= COMPLETING_GAP_TOKENS + COMPLETING_WORDS


def _completed(long: list[Token], near: list[Token], language: str,
               forward: bool) -> list[Span]:
    """``long`` completed into a phrase with a valid checksum by neighbouring words of
    ``near`` (the words after it when ``forward``, else before it); [] if none does. Every
    completion that holds is removed: a word of prose may complete it by chance (one in 16 for
    12 words), the customer's own word always does."""
    spans: list[Span] = []
    if checksum_valid([token[2][0] for token in long]):
        return spans  # a whole phrase: nothing is missing
    finding = Finding("seed_phrase", "certain", language)
    for body in (long, long[1:], long[:-1]):  # (a word of prose at an edge: "then <11>")
        for size in PHRASE_LENGTHS:
            missing = size - len(body)
            if not 1 <= missing <= COMPLETING_WORDS:
                continue
            for first in range(len(near) - missing + 1):
                extra = near[first:first + missing]
                words = body + extra if forward else extra + body
                indices = [token[2][0] for token in words]
                if checksum_valid(indices) \
                        and not reads_like_prose(language, indices, [" "] * (size - 1)):
                    spans += [(body[0][0], body[-1][1], finding),
                              (extra[0][0], extra[-1][1], finding)]
    return spans


def _split_parts(text: str, tokens: _Tokens, language: str,
                 min_words: int = SPLIT_PART_WORDS) -> list[list[Token]]:
    """The parts: maximal runs of exact words of ``language``, ``min_words`` or more."""
    parts: list[list[Token]] = []
    current: list[Token] = []
    for number, known in enumerate(tokens.known):
        word = known is not None and language in known.options \
            and language not in known.misspelt
        if word and current and not tokens.breaks[number] \
                and not _DIGIT.search(text[tokens.ends[number - 1]:tokens.starts[number]]):
            current.append((tokens.starts[number], tokens.ends[number],
                            known.options[language], False, True))
            continue
        if len(current) >= min_words:
            parts.append(current)
        current = [(tokens.starts[number], tokens.ends[number], known.options[language],
                    False, True)] if word else []
    if len(current) >= min_words:
        parts.append(current)
    return parts


def _split_phrase(text: str, language: str, parts: list[list[Token]]) -> list[Span]:
    tokens_between = [len(_TOKEN.findall(text, a[-1][1], b[0][0])) for a, b in pairwise(parts)]
    chars_between = [b[0][0] - a[-1][1] for a, b in pairwise(parts)]
    spans: list[Span] = []
    first = 0
    while first < len(parts) - 1:
        last = first
        while last < len(parts) - 1 and tokens_between[last] <= SPLIT_GAP_TOKENS \
                and chars_between[last] <= SPLIT_GAP_CHARS and last - first < 3:
            last += 1
        found = None
        for stop in range(last, first, -1):
            found = _split_window(language, parts[first:stop + 1])
            if found:
                break
        if not found:
            first += 1
            continue
        finding = Finding("seed_phrase", "certain", language)  # one for all the parts
        spans += [(part[0][0], part[-1][1], finding) for part in found]
        first = stop + 1
    return spans


def _split_window(language: str, parts: list[list[Token]]) -> list[list[Token]] | None:
    """The parts, with at most two words dropped (a word at a part's edge, or an everyday
    word anywhere: "then", "and"), that make a phrase with a valid checksum and few everyday
    words; None if no such. Everyday words are dropped first."""
    common = common_indices().get(language, frozenset())
    flat = [(p, i, token[2][0]) for p, part in enumerate(parts) for i, token in enumerate(part)]
    droppable = [k for k, (p, i, index) in enumerate(flat)
                 if i in (0, len(parts[p]) - 1) or index in common]
    for size in PHRASE_LENGTHS:
        drop = len(flat) - size
        if not 0 <= drop <= 2:
            continue
        choices = sorted(combinations(droppable, drop),
                         key=lambda ks: sum(flat[k][2] not in common for k in ks))
        for dropped in choices:
            kept = [entry for k, entry in enumerate(flat) if k not in dropped]
            indices = [index for _, _, index in kept]
            if sum(index in common for index in indices) < FRAGMENT_EVERYDAY_SHARE * size \
                    and checksum_valid(indices):
                out: list[list[Token]] = [[] for _ in parts]
                for p, i, _ in kept:
                    out[p].append(parts[p][i])
                return [part for part in out if part]
    return None


_GRID_ITEM = re.compile(rf"(?<![0-9A-Za-z.])(?:第[ \t]*)?(\d{{1,2}})[ \t]*(?:[.):、．]|[个個])[ \t]*"
                        rf"({_TOKEN.pattern})")


def find_numbered_grid(text: str) -> list[Span]:
    """A phrase copied from a screen in columns ("1.large 7.desk / 2.pigeon 8.indicate …", as
    phone OCR reads a two-column grid row by row), or numbered by ordinals ("第1个效，第2个蓝"):
    numbered words whose numbers are 1 to a phrase length, each once, all words of one list.
    Read in their numbers' order, with a valid checksum (numbered steps have none): *certain*."""
    if len(text) < 48 or sum(map(text.count, "0123456789")) < 2 * PHRASE_LENGTHS[0] - 9:
        return []  # (the numbers 1 to 12 have 15 digits)
    matches = list(_GRID_ITEM.finditer(text))
    if len(matches) < PHRASE_LENGTHS[0]:
        return []
    numbers = [int(m.group(1)) for m in matches]
    if len(set(numbers)) != len(numbers) or sorted(numbers) != list(range(1, len(numbers) + 1)) \
            or len(numbers) not in PHRASE_LENGTHS:
        return []
    known = [_known_token(m.group(2)) for m in matches]
    if any(word is None or not word.exact for word in known):
        return []
    languages = set.intersection(*(set(word.options) - word.misspelt for word in known
                                   if word is not None))
    for language in sorted(languages):
        ordered = [known[numbers.index(n)].options[language][0]  # type: ignore[union-attr]
                   for n in range(1, len(numbers) + 1)]
        if checksum_valid(ordered) \
                and not reads_like_prose(language, ordered, [" "] * (len(ordered) - 1)):
            return [(matches[0].start(), matches[-1].end(),
                     Finding("seed_phrase", "certain", language))]
    return []
