"""Government ID and bank card numbers in free text, for the masking of outsourced agents'
views (walletdesk.customers.masking).

Found by shape *and* check digit, so that order numbers, amounts, dates, block heights and
transaction hashes are left alone: a mainland China resident ID (GB 11643: area, birth date,
ISO 7064 MOD 11-2 check character, maybe X), a Hong Kong identity card number written with its
check digit in brackets (A123456(3)), a Taiwan national ID (A123456789, weighted mod 10), a
Spanish DNI or NIE (mod 23 letter), and a bank card number (13-19 digits, plain or in groups
of four, a card network's first digits, Luhn). A number a keyword introduces ("passport",
"护照", "身份证", "pasaporte", "DNI" …) is masked whatever its check digit says: a typo does
not make it less someone's, and a passport number has no public check digit at all.

Pure functions of the text; each returns the spans to mask and how many characters each keeps
in clear (cards their last four, as receipts show them; identity numbers their last two, as
phone numbers).
"""

import re
from collections.abc import Iterator
from datetime import date

Span = tuple[int, int, int]  # start, end, characters kept in clear at the end

_BEFORE = r"(?<![0-9A-Za-z])"
_AFTER = r"(?![0-9A-Za-z])"

# --- mainland China resident identity card (GB 11643-1999) ----------------------------------

_CN_ID = re.compile(_BEFORE + r"([1-9]\d{5}) ?((?:18|19|20)\d{6}) ?(\d{3}[0-9Xx])" + _AFTER)
# the provinces' codes (the first two digits of the area); 71 Taiwan, 81/82 Hong Kong/Macao
_CN_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                           43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82})
_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_cn_resident_id(number: str) -> bool:
    """18 characters: a province's area code, a real birth date, the MOD 11-2 check."""
    number = number.replace(" ", "").upper()
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in _CN_PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _CN_WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == number[17]


# --- Hong Kong identity card: one or two letters, six digits, the check digit in brackets ----

_HK_ID = re.compile(_BEFORE + r"([A-Z]{1,2})(\d{6}) ?\(([0-9A])\)")


def is_hk_id(letters: str, digits: str, check: str) -> bool:
    values = [36] * (2 - len(letters)) + [ord(c) - ord("A") + 10 for c in letters]
    values += [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


# --- Taiwan national identification number (and the new-style resident certificate) ---------

_TW_ID = re.compile(_BEFORE + r"([A-Z])([1289]\d{8})" + _AFTER)
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"  # A=10, B=11 … in the ministry's order


def is_tw_id(letter: str, digits: str) -> bool:
    code = _TW_LETTERS.index(letter) + 10
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(digits, (8, 7, 6, 5, 4, 3, 2, 1, 1), strict=True))
    return total % 10 == 0


# --- Spanish DNI (8 digits and a letter) and NIE (X/Y/Z, 7 digits, a letter) ------------------

_ES_ID = re.compile(_BEFORE + r"(?:(\d{8})|([XYZxyz])(\d{7}))[ -]?([A-Za-z])" + _AFTER)
_ES_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def is_es_id(number: str, letter: str) -> bool:
    """``number``: a DNI's 8 digits, or a NIE's with its X/Y/Z as 0/1/2."""
    return _ES_LETTERS[int(number) % 23] == letter.upper()


def _es_number(found: re.Match[str]) -> tuple[str, str]:
    dni, prefix, nie, letter = found.groups()
    return (dni if dni else str("XYZ".index(prefix.upper())) + nie), letter


# --- bank cards -----------------------------------------------------------------------------

# digits in groups split by single spaces or dashes: a card is looked for in each such run
_DIGIT_RUN = re.compile(_BEFORE + r"\d+(?:[ -]\d+)*" + _AFTER)
_GROUP = re.compile(r"\d+")
# a group a card's layout begins with: four digits, or a card's 13-19 in one
_CARD_FIRST_GROUP = re.compile(r"(?<!\d)(?:\d{4}|\d{13,19})(?!\d)")
# groups a card is written in besides fours: American Express 4-6-5, Diners Club 4-6-4
_CARD_GROUPS = ((4, 6, 5), (4, 6, 4))
MIN_CARD_DIGITS, MAX_CARD_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card_network(digits: str) -> bool:
    """Visa, Mastercard, American Express, UnionPay, JCB, Discover, Diners Club and Maestro
    numbers begin with 3, 4, 5 or 6, or Mastercard's 2221-2720 (an order number beginning
    with a year, 20xx, is none of them; a millisecond timestamp begins with 1)."""
    return digits[0] in "3456" or 2221 <= int(digits[:4]) <= 2720


def is_card_number(written: str) -> bool:
    """13-19 digits of a card network passing Luhn, plain or in groups of four (the last
    shorter) or 4-6-5 / 4-6-4, with one kind of separator."""
    groups = re.split(r"[ -]", written)
    digits = "".join(groups)
    if not MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS or not _card_network(digits) \
            or not luhn_valid(digits):
        return False
    if len(groups) == 1:
        return True
    if len({sep for sep in written if not sep.isdigit()}) > 1:
        return False
    sizes = tuple(len(group) for group in groups)
    return sizes in _CARD_GROUPS or (all(size == 4 for size in sizes[:-1]) and sizes[-1] <= 4)


def card_candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """Every stretch of digit groups in ``text`` laid out as a card can be — one group of
    13-19 digits, groups of four (the last 1-4) with 13-19 digits in all, 4-6-5 or 4-6-4 —
    with one kind of separator: (start, end, its digits), from each group on, longest first.
    At most two from each group, each of at most 19 digits, the run's digits joined once: the
    work is linear in the text ("1 1 1 …" has none)."""
    for run in _DIGIT_RUN.finditer(text):
        if not _CARD_FIRST_GROUP.search(text, run.start(), run.end()):
            continue
        groups = list(_GROUP.finditer(text, run.start(), run.end()))
        sizes = [len(group.group()) for group in groups]
        if sum(sizes) < MIN_CARD_DIGITS:
            continue
        digits = "".join(group.group() for group in groups)
        # the separator after each group but the last, and where each group's digits begin
        separators = [text[group.end()] for group in groups[:-1]]
        offsets = [0]
        for size in sizes:
            offsets.append(offsets[-1] + size)
        for first in range(len(sizes)):
            for last in _card_layouts(sizes, first):
                if len(set(separators[first:last])) <= 1:
                    yield (groups[first].start(), groups[last].end(),
                           digits[offsets[first]:offsets[last + 1]])


def _card_layouts(sizes: list[int], first: int) -> tuple[int, ...]:
    """The last groups of the card layouts beginning at group ``first``, longest first."""
    size = sizes[first]
    if MIN_CARD_DIGITS <= size <= MAX_CARD_DIGITS:
        return (first,)
    if size != 4:
        return ()
    following = sizes[first + 1:first + 5]
    if following[:2] == [6, 5] or following[:2] == [6, 4]:  # 4-6-5, 4-6-4
        return (first + 2,)
    # fours, the last 1-4: 4-4-4-4-(1-3) and 4-4-4-(1-4)
    return tuple(first + count for count in (4, 3)
                 if len(layout := following[:count]) == count
                 and all(s == 4 for s in layout[:-1])
                 and 1 <= layout[-1] <= min(4, MAX_CARD_DIGITS - 4 * count))


def _cards(text: str) -> Iterator[Span]:
    """In each run of digit groups, the longest card number from each group on ("paid 5000
    4111 1111 1111 1111": the card after the amount), the search going on after it."""
    taken = 0  # where the last card found ends
    for start, end, digits in card_candidates(text):
        if start >= taken and _card_network(digits) and luhn_valid(digits):
            yield start, end, 4
            taken = end


# --- numbers a keyword introduces -----------------------------------------------------------

_KEYWORDS = ("passport", "pasaporte", "passeport", "护照", "護照", "身份证", "身份證", "身分證",
             "identity card", "id card", "national id", "hkid", "dni", "nie", "cédula", "cedula")
_KEYWORD = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(re.escape(word) for word in _KEYWORDS) + r")"
    # "number", "no.", "号码", "número de", "is", "是", ":" between the word and the number
    r"(?:[^\S\n]*(?:number|num\.?|no\.?|n[º°o]\.?|#|号码|號碼|号|號|número|numero|de|is|es|"
    r"是|为|為)?[^\S\n]*[:：#]?){0,3}[^\S\n]*"
    # letters, then digits (groups after a space or dash begin with a digit), maybe "(7)"
    r"(?P<number>[A-Za-z]{0,3}\d[0-9A-Za-z]*(?:[ -]\d[0-9A-Za-z]*)*(?: ?\([0-9A-Za-z]\))?)"
    + _AFTER, re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SIX_DIGITS = re.compile(r"\d(?:[ -]?\d){5}")
MIN_KEYWORD_DIGITS = 5  # "passport is A1" is no passport number
MAX_KEYWORD_CHARS = 24


def _keyworded(text: str) -> Iterator[Span]:
    lowered = text.lower()
    if not any(word in lowered for word in _KEYWORDS):
        return
    for found in _KEYWORD.finditer(text):
        number = found.group("number")
        if len(_DIGIT.findall(number)) >= MIN_KEYWORD_DIGITS and len(number) <= MAX_KEYWORD_CHARS:
            yield found.start("number"), found.end("number"), 2


def number_spans(text: str) -> list[Span]:
    """The identity and card numbers in ``text``, in order, not overlapping (a span a keyword
    introduced first)."""
    spans: list[Span] = list(_keyworded(text))
    if not _SIX_DIGITS.search(text):  # every number below has six digits in a row or groups
        return spans
    spans += [(f.start(), f.end(), 2) for f in _CN_ID.finditer(text)
              if is_cn_resident_id(f.group())]
    spans += [(f.start(), f.end(), 2) for f in _HK_ID.finditer(text) if is_hk_id(*f.groups())]
    spans += [(f.start(), f.end(), 2) for f in _TW_ID.finditer(text) if is_tw_id(*f.groups())]
    spans += [(f.start(), f.end(), 2) for f in _ES_ID.finditer(text) if is_es_id(*_es_number(f))]
    spans += list(_cards(text))
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept
