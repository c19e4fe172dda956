"""A secret split over a customer's consecutive messages (6 + 6 words, 4 + 4 + 4, an xprv
cut in two): the new message is read together with the customer's previous one or two.

Pure, like :mod:`walletdesk.safety.protect`: the caller (the message path) passes the
stored texts of the customer's recent messages in the conversation and the new text, and
gets back the new message protected plus the new text of every earlier message that held
part of a secret. Only secrets that reach into the new message count: what lies wholly in
earlier messages was judged when they arrived.

Messages are joined by a new line to look for phrases, and glued without anything between
the last one and the new one to look for a key cut in two.

``keep``: bare 64-hex values of the new message found on a chain as transactions (the
message path checks them first: :mod:`walletdesk.chains.verify`); :func:`unverified_alone`
says which values are worth checking.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from walletdesk.safety.findings import Finding, Span
from walletdesk.safety.fold import fold
from walletdesk.safety.phrases import CJK, edge_words, leading_words
from walletdesk.safety.protect import (
    KEY_PLACEHOLDER,
    SEED_PLACEHOLDER,
    Protected,
    find_secrets,
    redact,
    unverified_values,
)

MAX_EARLIER = 2
TAIL_CHARS = 4000  # of an earlier message: a phrase or key at its end is what matters
_TAIL_RUN = re.compile(r"[0-9A-Za-z]{8,}$")
_HEAD_RUN = re.compile(r"^[0-9A-Za-z]{8,}")
_CJK_HEAD = re.compile(rf"^[{CJK}]")
_CJK_TAIL = re.compile(rf"[{CJK}]$")
_HEX_START = re.compile(r"0[xX][0-9a-fA-F]{8}|[0-9a-fA-F]{32}")
_KEY_REST = re.compile(r"^\s*([0-9A-Za-z]{16,})(?![0-9A-Za-z])")
# a whole 64-hex value at the end of one message and another at the start of the next: two
# values (a kept transaction id, then another), not a key cut in two (glued: 128 hex, removed)
_WHOLE_HEX_TAIL = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}$")
_WHOLE_HEX_HEAD = re.compile(r"^[0-9a-fA-F]{64}(?![0-9A-Za-z])")


@dataclass
class AcrossMessages:
    protected: Protected  # the new message
    earlier: dict[int, str] = field(default_factory=dict)  # index in `previous` -> new text


def protect_with_previous(previous: Sequence[str], text: str,
                          keep: frozenset[str] = frozenset()) -> AcrossMessages:
    """Protect ``text``, reading it after ``previous`` (oldest first, at most two used)."""
    previous = list(previous)[-MAX_EARLIER:]
    own = find_secrets(text, keep=keep)
    if not previous:
        return AcrossMessages(_protected(text, own))
    offset = [max(0, len(p) - TAIL_CHARS) for p in previous]
    parts = [p[o:] for p, o in zip(previous, offset, strict=True)] + [text]
    local: list[list[Span]] = [[] for _ in parts]
    local[-1] = list(own)
    crossing: list[Finding] = []
    if (edge_words(parts[-2], at_end=True) or edge_words(text, at_end=False)
            or _HEX_START.search(text)):
        # a phrase can only run over with a word at the meeting point; a 0x key may need
        # the words before it ("private key:") from the previous message
        joined = "\n".join(parts)  # only what reaches into the new message is wanted
        _spread(find_secrets(joined, reaching=len(joined) - len(text), keep=keep),
                [len(p) for p in parts], 1, local, crossing)
    glued_from = _glued_from(parts)
    if glued_from is not None:
        # a key cut in two, or Chinese written without spaces: glue the messages together
        pieces, shifts = [], []
        for index in range(glued_from, len(parts)):
            part = parts[index]
            begin = len(part) - len(part.lstrip()) if index > glued_from else 0
            finish = len(part.rstrip()) if index < len(parts) - 1 else len(part)
            pieces.append(part[begin:finish])
            shifts.append(begin)
        shifted: list[list[Span]] = [[] for _ in pieces]
        glued = "".join(pieces)
        _spread(find_secrets(glued, reaching=len(glued) - len(pieces[-1]), keep=keep),
                [len(p) for p in pieces], 0, shifted, crossing)
        for number, spans in enumerate(shifted):
            local[glued_from + number] += [(a + shifts[number], b + shifts[number], f)
                                           for a, b, f in spans]
    last_before = previous[-1].rstrip()
    if last_before.endswith(SEED_PLACEHOLDER):  # the rest of a phrase already cut
        folded = fold(text)
        end = leading_words(folded.text)
        if end:
            finding = Finding("seed_phrase", "likely", "continued")
            local[-1].append((0, folded.original(0, end, len(text))[1], finding))
            crossing.append(finding)
    elif last_before.endswith(KEY_PLACEHOLDER) and (rest := _KEY_REST.match(text)) \
            and rest.group(1).lower() not in keep:  # a transaction found on a chain: sent again
        finding = Finding("private_key", "likely", "continued")
        local[-1].append((rest.start(1), rest.end(1), finding))
        crossing.append(finding)
    if not crossing:
        return AcrossMessages(_protected(text, own))
    earlier = {}
    for index in range(len(previous)):
        if local[index]:
            redacted = redact(parts[index], _merge(local[index]))
            earlier[index] = previous[index][:offset[index]] + redacted
    findings = [f for _, _, f in own] + crossing[:1]
    return AcrossMessages(Protected(redact(text, _merge(local[-1])), findings), earlier)


def unverified_alone(previous: Sequence[str], text: str) -> list[str]:
    """The bare 64-hex values of ``text`` whose removal rests only on their shape (nothing
    says whether each is a transaction id or a private key): [] unless keeping every one of
    them leaves nothing else to remove, in the new message or the earlier ones (no key words
    before them, here or at the end of an earlier message, no other secret, no key cut in
    two). Pure; run only on a message in which a secret was found."""
    values = unverified_values(text)
    if not values:
        return []
    again = protect_with_previous(previous, text, keep=frozenset(values))
    return [] if again.protected.has_secret or again.earlier else list(dict.fromkeys(values))


def _glued_from(parts: list[str]) -> int | None:
    """The first of the messages that run on into the next without a break (letters and
    digits on both sides, or Chinese characters), up to the new one."""
    first = None
    for index in range(len(parts) - 2, -1, -1):
        before, after = parts[index].rstrip(), parts[index + 1].lstrip()
        # (the patterns ending in $ are searched from as far back as they reach, not from
        # the start of the message)
        end = len(before)
        if _WHOLE_HEX_TAIL.search(before, max(0, end - 64)) and _WHOLE_HEX_HEAD.match(after):
            break
        if (_TAIL_RUN.search(before, max(0, end - 8)) and _HEAD_RUN.match(after)) or (
                _CJK_TAIL.search(before, max(0, end - 1)) and _CJK_HEAD.match(after)):
            first = index
        else:
            break
    return first


def _spread(spans: list[Span], lengths: list[int], joiner: int, local: list[list[Span]],
            crossing: list[Finding]) -> None:
    """Cut spans of the joined text into spans of each part; keep those reaching into the
    last part (``joiner``: characters between parts). One wholly in the last part was found
    thanks to the earlier text ("my private key:" then ``0x…``)."""
    starts, position = [], 0
    for length in lengths:
        starts.append(position)
        position += length + joiner
    last = starts[-1]
    # a phrase found in parts (split by prose: phrases.find_split_phrases) shares one finding:
    # a part in an earlier message goes with the part reaching the new one
    reaching = {id(finding) for _, end, finding in spans if end > last}
    for start, end, finding in spans:
        if id(finding) not in reaching:
            continue  # wholly in earlier messages: judged when they arrived
        crossing.append(finding)
        for index, (part_start, length) in enumerate(zip(starts, lengths, strict=True)):
            a, b = max(start, part_start), min(end, part_start + length)
            if a < b:
                local[index].append((a - part_start, b - part_start, finding))


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end, finding in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end), merged[-1][2])
        else:
            merged.append((start, end, finding))
    return merged


def _protected(text: str, spans: list[Span]) -> Protected:
    if not spans:
        return Protected(text)
    return Protected(redact(text, spans), [f for _, _, f in spans])
