"""The lexical signs that a question is about something the knowledge base lacks."""

import numpy as np

from walletdesk.bot.decision import SIGN_COLUMNS, features
from walletdesk.bot.engine import BotEngine, KBEntry
from walletdesk.bot.out_of_scope import SIGNS, products_named, products_of, signs
from walletdesk.bot.text import normalise


def test_other_products_are_named_as_whole_words_in_any_script():
    assert products_named("sent usdt from binance to my trust wallet") == {"binance", "trust wallet"}
    assert products_named("从币安提币到钱包") == {"币安"}
    assert products_named("this is otherwise fine") == set()  # "wise" inside a word
    assert products_of(["withdraw from kraken", "kraken and ledger"]) == ["kraken", "ledger"]


def test_signs_count_unknown_words_and_products_the_knowledge_base_never_names():
    vocabulary = {"my": 0, "transfer": 1, "is": 2, "pending": 3, "binance": 4}
    rows = signs(
        ["my transfer is pending", "my ledger is pending", "binance transfer"], vocabulary, ["binance"]
    )
    assert rows.shape == (3, SIGNS) and SIGNS == SIGN_COLUMNS
    # words only the bigrams lack (they are not in this vocabulary); no other product
    assert rows[0, 2] == 0.0 and rows[1, 2] == 1.0
    assert rows[1, 0] > rows[0, 0] and rows[1, 1] > rows[0, 1]  # "ledger" is unknown too
    assert rows[2, 2] == 0.0  # the knowledge base names binance itself


def test_the_engine_passes_its_signs_to_the_decision():
    engine = BotEngine.build(
        [
            KBEntry(
                id="pending",
                category="c",
                texts_by_locale={"en": ["my transfer is stuck pending", "not confirmed yet"]},
            ),
            KBEntry(
                id="fees",
                category="c",
                texts_by_locale={"en": ["why is the network fee so high", "gas is expensive"]},
            ),
            KBEntry(
                id="seed",
                category="c",
                texts_by_locale={"en": ["i lost my recovery phrase", "where are my seed words"]},
            ),
            KBEntry(
                id="deposit",
                category="c",
                texts_by_locale={"en": ["deposit from binance not arrived", "incoming missing"]},
            ),
        ]
    )
    assert engine.products == ["binance"]
    questions = [normalise("my coinbase account is locked"), normalise("binance deposit missing")]
    marks = engine.signs(questions)
    assert list(marks[:, 2]) == [1.0, 0.0]
    probabilities, lexical, dense = engine.scores(questions, ["en", "en"])
    x, _ = features(probabilities, engine.oos, engine.neighbours, dense, lexical, marks)
    assert np.array_equal(x[:, -SIGNS:], marks)
