"""The shipped decision prior (small knowledge bases) and article bodies as passages."""

import json

import numpy as np

from walletdesk.bot import decision as decision_module
from walletdesk.bot.decision import OFF, RIGHT, WRONG, Decision, features, prior
from walletdesk.bot.engine import (
    LARGE_KB_EXAMPLES,
    BotEngine,
    KBEntry,
    passages_of,
    screened,
    uses_prior,
)

ENTRIES = {
    "seed": ["I lost my recovery phrase", "where do I find my seed words"],
    "fees": ["why is the network fee so high", "how much gas do I pay"],
    "pending": ["my transfer is stuck pending", "transaction not confirmed for hours"],
    "firmware": ["how do I update the firmware", "the device asks for an update"],
}
BODIES = {
    "seed": "Your 24 words are the only backup. Write them on paper; never type them anywhere.",
    "fees": "Miners are paid by the sender. Ethereum's gas price rises when blocks are full.",
    "pending": "A transfer waits in the mempool until a block includes it. Speed it up.",
    "firmware": "Connect the device by USB. The desktop app installs the new firmware.",
}


def small_engine(with_bodies: bool = True) -> BotEngine:
    return BotEngine.build([
        KBEntry(id=slug, category="c", texts_by_locale={"en": texts},
                passages=passages_of(BODIES[slug]) if with_bodies else [])
        for slug, texts in ENTRIES.items()])


def test_the_prior_ships_and_reads_the_engines_features():
    shipped = prior()
    assert shipped is not None, "walletdesk/bot/decision_prior.json is missing"
    engine = small_engine()
    assert engine.decision is shipped  # a small knowledge base decides with the prior
    language, normalised, early = screened("the gas fee is so expensive today")
    assert early is None
    probabilities, lexical, dense = engine.scores([normalised], [language])
    x, _ = features(probabilities, engine.oos, engine.neighbours, dense, lexical)
    chances = shipped.chances(x)  # the width the prior was fitted on: it would raise if not
    assert chances.shape == (1, 3) and abs(chances.sum() - 1) < 1e-9
    assert 0.0 < shipped.answer_at < 1.0 and 0.0 < shipped.off_at < 1.0


def test_a_decision_survives_its_json_form():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6))
    outcomes = np.where(x[:, 0] > 0.5, RIGHT, np.where(x[:, 1] > 0, WRONG, OFF))
    fitted = Decision(0.6, 0.4).fit(x, outcomes)
    again = Decision.from_json(json.loads(json.dumps(fitted.to_json())))
    assert np.allclose(again.chances(x), fitted.chances(x))
    assert (again.answer_at, again.off_at) == (0.6, 0.4)


def test_without_a_prior_a_small_knowledge_base_learns_its_own(monkeypatch, tmp_path):
    monkeypatch.setattr(decision_module, "PRIOR_PATH", tmp_path / "none.json")
    decision_module.prior.cache_clear()
    try:
        engine = small_engine()
        assert engine.decision is not None and engine.decision is not prior()
    finally:
        decision_module.prior.cache_clear()
    assert sum(len(t) for t in ENTRIES.values()) < LARGE_KB_EXAMPLES


def test_passages_are_the_bodys_sentences():
    assert passages_of("First step: open **Settings**.\nThen tap Backup. Done. "
                       "转账后请等待确认。如果超过一小时，请联系我们！") == [
        "First step: open **Settings**.", "Then tap Backup.",
        "转账后请等待确认。", "如果超过一小时，请联系我们！"]
    assert passages_of("") == [] and passages_of("Ok. No.") == []


def test_a_body_sentence_finds_its_answer_when_no_example_says_it():
    # no example question mentions the mempool or the USB cable: only the bodies do
    with_bodies, without = small_engine(), small_engine(with_bodies=False)
    question = "is my coin still sitting in the mempool"
    assert with_bodies.match(question).candidates[0][0] == "pending"
    chance = {name: dict(engine.match(question).candidates)["pending"]
              for name, engine in (("with", with_bodies), ("without", without))}
    assert chance["with"] > chance["without"]


def test_only_a_knowledge_base_with_few_examples_an_answer_uses_the_prior():
    def kb(examples_an_answer: int) -> list[KBEntry]:
        return [KBEntry(id=f"a{i}", category="c",
                        texts_by_locale={"en": [f"question {j}" for j in range(examples_an_answer)]},
                        passages=["a sentence of the body", "another one"])
                for i in range(20)]

    assert uses_prior(kb(3), 100)  # a new operator's: passages do not count as examples
    assert not uses_prior(kb(10), 240)  # BANKING77 10-shot: its own held-out examples teach it
    assert not uses_prior(kb(3), LARGE_KB_EXAMPLES)  # big: its own calibrated decision
    assert not uses_prior([], 0)
