"""Folding text before secrets are looked for, keeping a map back to the original.

A customer may write a phrase in full-width letters (ａｂａｎｄｏｎ), join its words with
zero-width spaces, or use compatibility characters; detection works on the NFKC form with
every zero-width character turned into a space (a soft hyphen is dropped: it sits inside a
word). Spans found in the folded text are mapped back with :meth:`Folded.original`, so the
original text is what gets edited.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e\u2061\u2062\u2063\u2064"
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class Folded:
    text: str
    # folded index -> original start; None: the same offsets (the same text, or characters
    # changed one for one: full-width punctuation)
    starts: list[int] | None
    ends: list[int] | None  # folded index -> original end (after an escape: its end)

    def original(self, start: int, end: int, length: int) -> tuple[int, int]:
        """The original span of the folded span [start, end) (``length``: the original's)."""
        if self.starts is None or self.ends is None:
            return start, end
        first = self.starts[start] if start < len(self.starts) else length
        last = self.ends[end - 1] if end > 0 else 0
        return first, max(first, last)


_ESCAPE = r"\\u[0-9a-fA-F]{4}|\\[nrt]|&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});"


@lru_cache(maxsize=1)
def _changing() -> re.Pattern[str]:
    """A JSON \\u escape, or any BMP character NFKC changes, or a zero-width one."""
    return re.compile(f"{_ESCAPE}|{_changing_character().pattern}")


@lru_cache(maxsize=1)
def _changing_character() -> re.Pattern[str]:
    """Any BMP character NFKC changes, or a zero-width one (:func:`_changing` in a text with
    no backslash nor "&", where no escape can be: one character class, faster)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x80, 0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if unicodedata.normalize("NFKC", char) != char or char in ZERO_WIDTH + SOFT_HYPHEN:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)
    return re.compile(f"[{body}]")


def _fold_char(char: str) -> str:
    if char in ZERO_WIDTH:
        return " "
    if char == SOFT_HYPHEN:
        return ""
    return unicodedata.normalize("NFKC", char)


def _unescape(raw: str) -> str:
    """A JSON/Python escape or an HTML entity as the character it stands for."""
    if raw.startswith("\\u"):
        return chr(int(raw[2:], 16))
    if raw.startswith("\\"):
        return " "  # \\n, \\t, \\r between words of a pasted JSON string
    if raw.startswith("&"):
        value = html.unescape(raw)
        return value if len(value) == 1 else " "
    return raw


@lru_cache(maxsize=4096)
def _folded(raw: str) -> str:
    """What a match of :func:`_changing` (one character, or an escape) becomes."""
    return _fold_char(_unescape(raw))


def fold(text: str) -> Folded:
    """``text`` in NFKC with zero-width characters as spaces and JSON escapes decoded
    ("ge\\u0301nero" is género, ``\\n`` and ``&nbsp;`` are spaces), and the offset maps
    back to ``text``."""
    if text.isascii() and "\\" not in text and "&" not in text:
        return Folded(text, None, None)
    escapes = "\\" in text or "&" in text
    matches = list((_changing() if escapes else _changing_character()).finditer(text))
    if not matches:
        return Folded(text, None, None)
    replaced = [_folded(match.group()) for match in matches]
    if all(len(match.group()) == len(new) == 1 for match, new in zip(matches, replaced,
                                                                        strict=True)):
        # one character for one (full-width punctuation in Chinese prose): the same offsets
        pieces, cursor = [], 0
        for match, new in zip(matches, replaced, strict=True):
            pieces += (text[cursor:match.start()], new)
            cursor = match.end()
        pieces.append(text[cursor:])
        return Folded("".join(pieces), None, None)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0
    for match, folded in zip(matches, replaced, strict=True):
        start, end = match.start(), match.end()
        if start > cursor:
            pieces.append(text[cursor:start])
            starts.extend(range(cursor, start))
            ends.extend(range(cursor + 1, start + 1))
        pieces.append(folded)
        starts.extend([start] * len(folded))
        ends.extend([end] * len(folded))
        cursor = end
    pieces.append(text[cursor:])
    starts.extend(range(cursor, len(text)))
    ends.extend(range(cursor + 1, len(text) + 1))
    return Folded("".join(pieces), starts, ends)
