"""Generic off-topic examples that the knowledge base answers are left out of its off-topic
class (a desk with an article "Am I talking to a bot?", a super-app that sells flights)."""

import numpy as np

from walletdesk.bot.engine import OOS, BotEngine, KBEntry, answered_off_topic


def entry(answer: str, *examples: str) -> KBEntry:
    return KBEntry(id=answer, category="faq", texts_by_locale={"en": list(examples)})


def test_an_off_topic_example_as_near_as_an_answers_own_examples_is_left_out():
    vectors = np.array([
        [1.0, 0.0, 0.0], [0.95, 0.31, 0.0],  # answer a: siblings at 0.95
        [0.0, 1.0, 0.0], [0.0, 0.95, 0.31],  # answer b
        [0.97, 0.0, 0.24],  # off-topic, as near to a's first example as a's examples are
        [0.0, 0.0, 1.0],  # off-topic, near nothing
        [0.99, 0.14, 0.0],  # a passage of a: not an off-topic example, never left out
    ])
    labels = np.array(["a", "a", "b", "b", OOS, OOS, "a"])
    passages = np.array([False] * 6 + [True])
    assert answered_off_topic(vectors, labels, passages).tolist() == [
        False, False, False, False, True, False, False]


def test_nothing_is_left_out_without_off_topic_examples_or_siblings():
    vectors = np.eye(3)
    assert not answered_off_topic(vectors, np.array(["a", "b", "c"]), np.zeros(3, bool)).any()
    # one example an answer: no typical sibling similarity to compare with
    assert not answered_off_topic(vectors, np.array(["a", "b", OOS]), np.zeros(3, bool)).any()


def test_a_question_the_knowledge_base_answers_is_not_handed_off_as_off_topic():
    """"Are you a robot?" is one of the generic off-topic examples; this desk answers it."""
    engine = BotEngine.build([
        entry("bot_or_person", "am I talking to a bot", "is this a real person or a robot",
              "are you an AI or a human", "is this chat automated"),
        entry("pending", "my transfer is stuck pending", "transaction not confirmed yet",
              "withdrawal still processing"),
        entry("fees", "why is the network fee so high", "gas is expensive",
              "how much does sending cost"),
        entry("seed", "i lost my recovery phrase", "where are my seed words",
              "forgot my 12 words"),
        entry("deposit", "deposit not arrived", "incoming transfer missing",
              "my top up did not show"),
    ])
    robot = engine.match("are you a robot?")
    assert robot.decision == "answer" and robot.candidates[0][0] == "bot_or_person"
    # what it does not answer stays off-topic
    for question in ("how do I cook rice", "tell me a joke"):
        result = engine.match(question)
        assert (result.decision, result.reason) == ("handoff", "out_of_scope"), question


def test_a_question_in_a_language_most_answers_lack_is_not_off_topic_for_its_script():
    """The off-topic class has Chinese examples (one answer is in Chinese); a Chinese question
    about an answer written in English only was handed off every time: its words and
    characters match the off-topic examples, never the answer's. The off-topic class is now
    scored like the answers that lack the language (by the multilingual block)."""
    def written_in(answer: str, locale: str, *examples: str) -> KBEntry:
        return KBEntry(id=answer, category="faq", texts_by_locale={locale: list(examples)})

    engine = BotEngine.build([
        written_in("pending", "en", "my transfer is stuck pending",
                   "transaction not confirmed yet", "withdrawal still processing"),
        written_in("fees", "en", "why is the network fee so high", "gas is expensive",
                   "how much does sending cost"),
        written_in("seed", "en", "i lost my recovery phrase", "where are my seed words",
                   "forgot my 12 words"),
        written_in("deposit", "en", "deposit not arrived", "incoming transfer missing",
                   "my top up did not show"),
        written_in("card", "en", "my card was declined", "card payment failed",
                   "why can't I pay with my card"),
        written_in("kyc", "zh-Hans", "怎么实名认证", "身份验证失败", "认证要多久"),
    ])
    questions = {"我的转账一直没有确认": "pending", "手续费为什么这么贵": "fees",
                 "助记词丢了怎么办": "seed", "充值没到账": "deposit", "卡付款失败了": "card"}
    results = {q: engine.match(q) for q in questions}
    kept = [q for q, r in results.items() if r.decision != "handoff"]
    assert len(kept) >= 3, results
    assert all(results[q].candidates[0][0] == questions[q] for q in kept)
    assert engine.match("明天天气怎么样").decision == "handoff"
