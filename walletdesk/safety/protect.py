"""The "protect" step of the message path: find secrets in text and replace them.

Pure functions, no I/O: the message path calls :func:`protect_text` before a message is
stored, logged, published or handed to the bot, so the original secret is never written
anywhere. This first cut covers BIP-39 recovery phrases in the space-separated wordlist
languages and unambiguous private-key formats (WIF, extended private keys); the full
detector (Chinese phrases without spaces, raw hex keys, keystores) extends this module.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from mnemonic import Mnemonic

Certainty = Literal["certain", "likely"]
SEED_PLACEHOLDER = "[seed phrase removed]"
KEY_PLACEHOLDER = "[private key removed]"
MNEMONIC_LENGTHS = (12, 15, 18, 21, 24)
MIN_LIKELY_WORDS = 12
# Chinese wordlists are single characters; they are handled by the full detector.
SPACED_LANGUAGES = tuple(
    lang for lang in Mnemonic.list_languages() if not lang.startswith("chinese")
)

# A token: a word, with an optional list number ("1.", "2)", "#3") in front of it.
_TOKEN = re.compile(r"(?:\d{1,2}[.):]?\s*)?([^\W\d_]+)", re.UNICODE)
_EXTENDED_KEY = re.compile(r"\b[xyzt]prv[1-9A-HJ-NP-Za-km-z]{100,112}\b")
_WIF = re.compile(r"\b[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}\b")


@dataclass(frozen=True)
class Finding:
    kind: Literal["seed_phrase", "private_key"]
    certainty: Certainty
    detail: str = ""


@dataclass
class Protected:
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_secret(self) -> bool:
        return bool(self.findings)


@cache
def _wordlist(language: str) -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFKD", w) for w in Mnemonic(language).wordlist)


@cache
def _checker(language: str) -> Mnemonic:
    return Mnemonic(language)


def _normal(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower())


def _find_phrases(text: str) -> list[tuple[int, int, Finding]]:
    tokens = [(m.start(), m.end(), _normal(m.group(1))) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int, Finding]] = []
    for language in SPACED_LANGUAGES:
        words = _wordlist(language)
        run: list[tuple[int, int, str]] = []
        for token in [*tokens, (len(text), len(text), "")]:
            if token[2] and token[2] in words:
                run.append(token)
                continue
            if len(run) >= MIN_LIKELY_WORDS:
                spans.append(_judge_run(language, run))
            run = []
    return spans


def _judge_run(language: str, run: list[tuple[int, int, str]]) -> tuple[int, int, Finding]:
    phrase_words = [w for _, _, w in run]
    checker = _checker(language)
    certain = False
    for size in MNEMONIC_LENGTHS:
        for start in range(0, len(phrase_words) - size + 1):
            candidate = " ".join(phrase_words[start : start + size])
            try:
                if checker.check(candidate):
                    certain = True
                    break
            except (ValueError, LookupError):
                continue
        if certain:
            break
    finding = Finding("seed_phrase", "certain" if certain else "likely", language)
    return run[0][0], run[-1][1], finding


def _find_keys(text: str) -> list[tuple[int, int, Finding]]:
    spans = [(m.start(), m.end(), Finding("private_key", "certain", "extended")) for m in
             _EXTENDED_KEY.finditer(text)]
    spans += [(m.start(), m.end(), Finding("private_key", "likely", "wif")) for m in
              _WIF.finditer(text)]
    return spans


def protect_text(text: str) -> Protected:
    """Return ``text`` with every detected secret replaced, and what was found."""
    spans = sorted(_find_phrases(text) + _find_keys(text), key=lambda s: (s[0], -s[1]))
    if not spans:
        return Protected(text)
    out: list[str] = []
    findings: list[Finding] = []
    cursor = 0
    for start, end, finding in spans:
        if start < cursor:  # overlapping a span already replaced
            continue
        out.append(text[cursor:start])
        out.append(SEED_PLACEHOLDER if finding.kind == "seed_phrase" else KEY_PLACEHOLDER)
        findings.append(finding)
        cursor = end
    out.append(text[cursor:])
    return Protected("".join(out), findings)
