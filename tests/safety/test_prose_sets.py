"""Ordinary text in nine languages, written by someone who never saw the detector
(benchmarks/prose_sets): the readers of Monero seeds and of phrases completed a few words
away find nothing in it, each message alone or read after the two before it."""

from pathlib import Path

import pytest

from walletdesk.safety.fold import fold
from walletdesk.safety.monero import find_monero_seeds
from walletdesk.safety.phrases import find_completed_phrases

SETS = sorted((Path(__file__).parents[2] / "benchmarks" / "prose_sets").glob("*.txt"))


def _messages(path: Path) -> list[str]:
    return [m.strip() for m in path.read_text(encoding="utf-8").split("\n---\n") if m.strip()]


@pytest.mark.parametrize("path", SETS, ids=[path.stem for path in SETS])
def test_nothing_is_found_in_ordinary_text(path: Path) -> None:
    messages = _messages(path)
    assert len(messages) >= 60
    for index, message in enumerate(messages):
        for text in (message, "\n".join(messages[max(0, index - 2):index + 1])):
            folded = fold(text).text
            assert not find_monero_seeds(folded), message
            assert not find_completed_phrases(folded), message


def test_the_sets_are_there() -> None:
    assert len(SETS) == 9
