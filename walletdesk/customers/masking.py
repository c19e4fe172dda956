"""Personal data in free text, masked for viewers who may only see masked data (outsourced
agents): e-mail addresses, phone numbers (international and Chinese formats), wallet
addresses (the shapes the chain lookup finds: EVM, TRON, Bitcoin, Solana; not transaction
hashes), identity and bank card numbers (walletdesk.customers.personal_numbers: by shape and
check digit, or after a keyword such as "passport" / "身份证"), the names customers introduce
themselves by (walletdesk.customers.self_names: "我叫陈静", "my name is …", and the capitalised
names after "I'm" / "this is" / "soy") and the customer's own known name, e-mail and phone
wherever they stand. All are found in the text as written and each span is masked once
(:func:`mask_personal_text`): one mask never runs on another's output.

Every view of message text an outsourced agent gets (messages, conversation subjects and
previews, bot turns; REST, sockets, live events) passes through :func:`mask_personal_text`:
a new kind of personal data is added here, once.

Pure: the caller passes the text and what it knows of the customer. The same masks as the
customer side panel (:func:`walletdesk.accounts.access.mask_name` /
:func:`~walletdesk.accounts.access.mask_email`); a phone number keeps its last two digits.
"""

import functools
import re
from collections.abc import Callable, Iterable

from walletdesk.accounts.access import mask_email, mask_name
from walletdesk.chains.detection import detect, may_name_transfer
from walletdesk.customers.personal_numbers import number_spans
from walletdesk.customers.self_names import likely_self_names, self_introduced_names

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONES = (
    # international: +86 138 1234 5678, +44 20 7946 0958, +1 (415) 555-0100
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w])"),
    # Chinese mobile: 13812345678, 138-1234-5678, 138 1234 5678 (also after 电话/手机 glued)
    re.compile(r"(?<![0-9A-Za-z])1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])"),
    # Chinese landline: 010-12345678, (021) 1234 5678
    re.compile(r"(?<![0-9A-Za-z])\(?0\d{2,3}\)?[ -]?\d{3,4}[ -]?\d{4}(?![0-9A-Za-z])"),
)
_DIGIT = re.compile(r"\d")
_LATIN = "A-Za-zÀ-ÖØ-öø-ÿĀ-ɏ"  # Latin letters, accented ones included
_LETTER = re.compile(f"[{_LATIN}]")
_NOT_AFTER_LETTER = f"(?<![{_LATIN}])"
_NOT_BEFORE_LETTER = f"(?![{_LATIN}])"
MIN_NAME_PART = 2  # name parts shorter than this ("J.") are not masked on their own


def mask_identifier(value: str | None) -> str | None:
    """An address, hash or account id as an outsourced agent sees it: its first four and
    last two characters (enough to tell two apart in one conversation, not to look it up)."""
    if not value:
        return value
    return value[:4] + "***" + value[-2:] if len(value) > 8 else "***"


def _mask_all_but(written: str, kept: int) -> str:
    total = sum(char.isalnum() for char in written)
    seen = 0
    out = []
    for char in written:
        if char.isalnum():
            seen += 1
            out.append(char if seen > total - kept else "*")
        else:
            out.append(char)
    return "".join(out)


def mask_phone(number: str) -> str:
    """Every digit but the last two as ``*``, separators kept."""
    digits = len(_DIGIT.findall(number))
    seen = 0

    def one(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return match.group() if seen > digits - 2 else "*"

    return _DIGIT.sub(one, number)


@functools.lru_cache(maxsize=4096)
def _literal(part: str) -> re.Pattern[str]:
    """A name part as a pattern, compiled once (re's own cache of 512 is too small for the
    names of a busy desk's customers: each message would compile its customer's again).
    A part that begins or ends with a Latin letter matches only a whole word there ("Ana" is
    not masked inside "bananas"); Chinese names stand glued to the words around them."""
    before = _NOT_AFTER_LETTER if _LETTER.match(part[:1]) else ""
    after = _NOT_BEFORE_LETTER if _LETTER.match(part[-1:]) else ""
    return re.compile(before + re.escape(part) + after, re.IGNORECASE)


def _digits(text: str) -> str:
    return "".join(_DIGIT.findall(text))


def mask_personal_text(text: str, known: Iterable[str | None] = ()) -> str:
    """``text`` with e-mail addresses, phone numbers, identity and card numbers, wallet
    addresses, the names the writer introduces themselves by and the ``known`` personal
    values (the customer's name, e-mail, phone) masked.

    Every kind is found in the text as written, then each span is masked once: where spans
    overlap, the one that covers the others is masked by its own rule (an e-mail that holds
    the customer's name is masked as an e-mail, a card number that holds "phone numbers" as
    a card); spans that overlap without one covering the rest are masked whole, every letter
    and digit as ``*``. No mask ever runs on another's output, so none hides a span from
    another (a name masked inside an e-mail left its domain in clear)."""
    if not text:
        return text
    spans = _personal_spans(text, known)
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end, mask in _resolved(spans):
        out += [text[done:start], mask(text[start:end])]
        done = end
    out.append(text[done:])
    return "".join(out)


_Masker = Callable[[str], str]
_MaskSpan = tuple[int, int, _Masker]


def _personal_spans(text: str, known: Iterable[str | None]) -> list[_MaskSpan]:
    spans: list[_MaskSpan] = []
    if may_name_transfer(text):  # a run of 25 letters and digits: about a microsecond
        spans += [(f.start, f.start + len(f.value), _masked_identifier)
                  for f in detect(text).addresses]
    # a name the text introduces is masked wherever the text repeats it, as a known one
    known_values = [value.strip() for value in (*known, *self_introduced_names(text),
                                                *likely_self_names(text))
                    if value and value.strip()]
    for value in known_values:
        if "@" in value or len(_digits(value)) >= 6:
            continue  # e-mails and phones: by their shapes below, any spelling
        parts = {value, *(p for p in re.split(r"[\s,.]+", value) if len(p) >= MIN_NAME_PART)}
        for part in parts:
            spans += [(m.start(), m.end(), mask_name) for m in _literal(part).finditer(text)]
    if "@" in text:  # every e-mail has one (the chat path masks each message: skip the scan)
        spans += [(m.start(), m.end(), _masked_email) for m in _EMAIL.finditer(text)]
    if _DIGIT.search(text):  # every phone and number pattern needs a digit
        spans += [(start, end, functools.partial(_mask_all_but, kept=kept))
                  for start, end, kept in number_spans(text)]
        spans += [(m.start(), m.end(), mask_phone)
                  for pattern in _PHONES for m in pattern.finditer(text)]
        written = _digits(text)
        for value in known_values:  # a known phone written another way ("138 1234 5678")
            digits = _digits(value)
            if "@" not in value and len(digits) >= 6 and digits in written:
                spaced = re.compile(r"[ .()-]*".join(digits))
                spans += [(m.start(), m.end(), mask_phone) for m in spaced.finditer(text)]
    return [span for span in spans if span[1] > span[0]]


def _resolved(spans: list[_MaskSpan]) -> list[_MaskSpan]:
    """Overlapping spans grouped; each group masked by the span covering it, or whole."""
    resolved: list[_MaskSpan] = []
    group: list[_MaskSpan] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if group and span[0] >= max(s[1] for s in group):
            resolved.append(_one(group))
            group = []
        group.append(span)
    resolved.append(_one(group))
    return resolved


def _one(group: list[_MaskSpan]) -> _MaskSpan:
    start, end = group[0][0], max(s[1] for s in group)
    covering = next((s for s in group if s[0] == start and s[1] == end), None)
    return covering or (start, end, functools.partial(_mask_all_but, kept=0))


def _masked_email(email: str) -> str:
    return mask_email(email) or ""


def _masked_identifier(value: str) -> str:
    return mask_identifier(value) or ""
