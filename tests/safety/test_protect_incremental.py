"""The protect step's shortcuts (decision 0037) find exactly what the full reading finds:
a text tokenised line by line (each line's tokens kept for the next messages) is the text
tokenised whole, and reading earlier messages with a new one judges only what can reach into
the new one — the spans that do are the same as when everything is judged."""

import random
import re

from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.keys import find_keys
from walletdesk.safety.phrases import (
    _TOKEN,
    MAX_GAP_CHARS,
    PHRASE_LENGTHS,
    _key,
    _known,
    _tokens,
    _valid_window,
)
from walletdesk.safety.prose import common_indices
from walletdesk.safety.protect import find_secrets, protect_text
from walletdesk.safety.shapes import shapes
from walletdesk.shared_data import support_texts

MIXED = [
    "Hi,\nmy words are\nabandon ability able about above absent\nabsorb abstract absurd abuse",
    "第一行 我的助记词\n的一是在不了有和人这中大为\n上个国我以要他时来用们 end",
    "  \n\nleading blank lines then words: zoo zone\n\n\ttab 123 4567 and more words",
    "ＦＵＬＬ ｗｉｄｔｈ\ncafé ｃａｆé na\u0301ive\n\n\n",
    "one\n" * 30,
    "",
    "\n",
]
THREE_DIGITS = re.compile(r"\d{3}")


def whole_text_tokens(text: str) -> list[tuple[int, int, object, bool, bool]]:
    """The reference: every token of the text in one pass, as the detector read it before."""
    found, previous_end = [], -1
    for match in _TOKEN.finditer(text):
        gap = text[previous_end:match.start()] if previous_end >= 0 else ""
        broken = previous_end >= 0 and (len(gap) > MAX_GAP_CHARS
                                        or THREE_DIGITS.search(gap) is not None)
        found.append((match.start(), match.end(), _known(_key(match.group())), bool(gap),
                      broken))
        previous_end = match.end()
    return found


def test_tokens_line_by_line_are_the_tokens_of_the_whole_text() -> None:
    texts = MIXED + support_texts()[:400]
    texts += ["\n".join(texts[i:i + 3]) for i in range(0, 300, 3)]
    for text in texts:
        tokens = _tokens(text)
        assert list(zip(tokens.starts, tokens.ends, tokens.known, tokens.separated,
                        tokens.breaks, strict=True)) == whole_text_tokens(text), text


def reaching_spans(text: str, reaching: int, *, shortcut: bool
                   ) -> list[tuple[int, int, str, str, str]]:
    found = find_secrets(text, reaching) if shortcut else find_secrets(text)
    return [(a, b, f.kind, f.certainty, f.detail) for a, b, f in found if b > reaching]


def test_only_what_reaches_into_the_new_message_is_judged_and_it_is_the_same() -> None:
    """Earlier messages joined with a new one, as protect_with_previous reads them: the spans
    that end in the new message (merged with what they overlap) do not change when the runs
    that cannot reach it are left unjudged."""
    cases: list[list[str]] = [["Hi, before that: nothing.", *shape.messages]
                              for shape in shapes(5, 3)]
    texts = support_texts()
    cases += [texts[i:i + 3] for i in range(0, 900, 3)]
    words = Mnemonic("english").to_mnemonic(random.Random(3).randbytes(32)).split()
    cases.append([" ".join(words[:10]), "1. " + " ".join(words[10:]) + " thanks"])
    cases.append(["private key: 4c0883a69102937d6231471b5dbb6204fe512961708279f2"
                  "e3e8a5d4b8e3a1f0 and " + " ".join(words[:6]), " ".join(words[6:18])])
    for parts in cases:
        for count in range(2, len(parts) + 1):
            joined = "\n".join(parts[:count])
            reaching = len(joined) - len(parts[count - 1])
            assert reaching_spans(joined, reaching, shortcut=True) == reaching_spans(
                joined, reaching, shortcut=False), parts
    # and the phrase split over two messages is still removed from both
    split = protect_with_previous([" ".join(words[:10])], " ".join(words[10:]))
    assert split.protected.has_secret and split.earlier


def no_valid_window(words: list[str]) -> bool:
    wordlist = Mnemonic("english").wordlist
    return _valid_window([(wordlist.index(word),) for word in words]) is None


def test_a_run_longer_than_any_phrase_without_a_checksum_is_removed() -> None:
    """26 wordlist words (no everyday ones) with no valid phrase among them: not a phrase by
    its checksum, but too many list words in a row to be anything else. It used to raise."""
    common = common_indices()["english"]
    wordlist = [w for i, w in enumerate(Mnemonic("english").wordlist) if i not in common]
    rng = random.Random(26)
    while True:
        words = [rng.choice(wordlist) for _ in range(max(PHRASE_LENGTHS) + 2)]
        if no_valid_window(words):
            break
    protected = protect_text("my words: " + " ".join(words))
    assert protected.has_secret and protected.findings[0].certainty == "likely"
    assert not set(words) & set(protected.text.split())


def test_keys_are_still_looked_for_past_the_quick_looks() -> None:
    """The quick looks skip what cannot hold a key (no run of 20 characters without a space;
    fewer than ten digits for one written in groups), nothing else."""
    key = "4c0883a69102937d6231471b5dbb6204fe512961708279f2e3e8a5d4b8e3a1f0"
    grouped = " ".join(key[i:i + 8] for i in range(0, 64, 8))
    assert find_keys(f"my private key {key} thanks")
    assert find_keys(f"the secret: {grouped}")
    assert find_keys("wif 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ")
    assert not find_keys("a face bad cafe dead beef added to 12 34 accounts")


def test_lines_holding_a_secret_are_not_kept() -> None:
    """The lines kept for the next messages never include one a secret was found in (alone,
    or with the messages before it)."""
    from walletdesk.safety.phrases import _KEPT

    words = Mnemonic("english").to_mnemonic(random.Random(9).randbytes(16)).split()
    late = "hello, my transfer to the exchange is late and the support page says nothing " \
        "about it; I have waited for the whole afternoon\nsince monday, can you look please?"
    protect_with_previous([], late)
    assert "since monday, can you look please?" in _KEPT._lines  # kept for the next two
    protect_with_previous([late], "words: " + " ".join(words))
    protect_with_previous(["my words: " + " ".join(words[:6])], " ".join(words[6:]))
    kept = "\n".join(_KEPT._lines)
    assert not any(" ".join(words[i:i + 3]) in kept for i in range(len(words) - 2))
