"""A question in a language an answer's texts lack: that answer is ranked by the classifier
over the multilingual block alone (decision 0042), not by the one whose word, character and
English-block features the question cannot share."""

import numpy as np

from walletdesk.bot.engine import BotEngine, KBEntry, _multilingual_features, language_family
from walletdesk.bot.engine_store import read_engine, write_engine
from walletdesk.bot.text import detect_language, normalise

SPANISH_ONLY = {
    "card_lost": [
        "perdí mi tarjeta",
        "me robaron la tarjeta en el bus",
        "cómo bloqueo mi tarjeta perdida",
        "se me cayó la tarjeta y no la encuentro",
    ],
    "withdrawal_pending": [
        "mi retiro al banco sigue pendiente",
        "el retiro no llega a mi cuenta bancaria",
        "cuánto tarda un retiro a mi banco",
    ],
}
ENGLISH_ONLY = {
    "reset_password": [
        "I forgot my password",
        "how do I reset my password",
        "can't remember my login password",
    ],
    "verify_identity": [
        "how do I verify my identity",
        "where do I upload my ID document",
        "my selfie verification failed",
    ],
    "referral": ["how does the referral program work", "invite a friend bonus", "where is my referral link"],
}


def mixed_engine() -> BotEngine:
    return BotEngine.build(
        [
            KBEntry(id=slug, category="c", texts_by_locale={"es": texts})
            for slug, texts in SPANISH_ONLY.items()
        ]
        + [
            KBEntry(id=slug, category="c", texts_by_locale={"en": texts})
            for slug, texts in ENGLISH_ONLY.items()
        ]
    )


def test_each_answer_knows_the_languages_of_its_texts():
    engine = mixed_engine()
    covered = dict(zip(engine.classes, engine.covered, strict=True))
    assert covered["card_lost"] == ["es"] and covered["reset_password"] == ["en"]
    assert engine.multilingual is not None
    assert language_family("zh-Hant") == language_family("zh-Hans") == "zh"


def test_answers_lacking_the_questions_language_are_ranked_by_the_multilingual_classifier():
    engine = mixed_engine()
    question = normalise("I lost my card on the bus, how do I block it?")
    language = detect_language(question)
    assert language == "en"
    mixed, lexical, dense = engine.scores([question], [language])
    full = engine.model.predict_proba((lexical, dense))[0]
    assert engine.multilingual is not None
    alone = engine.multilingual.predict_proba(_multilingual_features(dense, [question]))[0]
    # the off-topic class has no languages of its own: it keeps the full classifier's chance
    lacking = np.array([bool(families) and language not in families for families in engine.covered])
    assert lacking.tolist() == [c in SPANISH_ONLY for c in engine.classes]
    expected = np.where(lacking, np.log(alone), np.log(full))
    expected = np.exp(expected - expected.max())
    assert np.allclose(mixed[0], expected / expected.sum(), atol=1e-6)
    assert engine.match("I lost my card on the bus, how do I block it?").candidates[0][0] == "card_lost"
    # between answers that have the question's language, the full classifier's odds stay
    same, lexical, dense = engine.scores([normalise("perdí mi tarjeta")], ["es"])
    full = engine.model.predict_proba((lexical, dense))[0]
    card, pending = engine.classes.index("card_lost"), engine.classes.index("withdrawal_pending")
    assert np.isclose(same[0][card] / same[0][pending], full[card] / full[pending])


def test_the_multilingual_classifier_is_stored_with_the_engine(tmp_path):
    engine = mixed_engine()
    path = tmp_path / "engine.npz"
    with path.open("wb") as handle:
        write_engine(handle, "key", engine)
    again = read_engine(path, "key")
    assert again.multilingual is not None and again.covered == engine.covered
    for question in ("olvidé mi contraseña", "I lost my card"):
        assert again.match(question).candidates == engine.match(question).candidates


def test_the_glossary_notions_carry_a_question_to_an_answer_in_another_language():
    """The multilingual classifier also reads the glossary's notions (decision 0061): an
    English question naming one meets the Chinese answer that names it in its own words."""
    engine = BotEngine.build([
        KBEntry(id="close_account", category="c",
                texts_by_locale={"zh-Hans": ["怎么注销账户", "我不想用了要销户", "账户可以删除吗"]}),
        KBEntry(id="password", category="c",
                texts_by_locale={"zh-Hans": ["忘记密码怎么办", "怎么重置登录密码", "密码输错被锁"]}),
        KBEntry(id="deposit", category="c",
                texts_by_locale={"zh-Hans": ["充值没到账", "充币多久到账", "充值地址在哪"]}),
        KBEntry(id="referral", category="c",
                texts_by_locale={"en": ["how does the referral program work", "invite a friend bonus"]}),
    ])
    question = normalise("please close my account, I don't want it anymore")
    features = _multilingual_features(engine.scores([question], ["en"])[2], [question])
    assert features[0].nnz == 1  # §close_account
    assert engine.match("please close my account, I don't want it anymore").candidates[0][0] \
        == "close_account"
