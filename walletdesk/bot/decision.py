"""Answer, suggest or hand off: a decision learnt on the knowledge base's own examples.

A fixed threshold on the classifier's top probability does not carry over between knowledge
bases: with 40 articles and 3 examples each the right answer often gets 0.3, with 150 articles
and 100 examples an off-topic question still gets 0.9. So the decision reads features whose
meaning does not depend on the knowledge base's size:

- the top probability, the margin to the second (log ratio), the top probability times the
  number of answers, the off-topic class's probability;
- the nearest example's similarity, among the examples of the 5 most likely answers, in all
  the embeddings, in the multilingual block alone and in the TF-IDF words and characters,
  for the top answer and for the others, and the first against the typical similarity
  between the top answer's own examples;
- whether the nearest of those examples belongs to the top answer.

A small multinomial logistic regression maps them to three outcomes — right answer, wrong
answer, out of scope — fitted on out-of-fold predictions over the knowledge base's own
examples, holding out random examples (they must be answered) and whole answers (they play
the out-of-scope questions, as a question about something the knowledge base lacks would).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

RIGHT, WRONG, OFF = 0, 1, 2
# Weight of the out-of-scope rows against the in-scope rows when fitting the decision: the
# prior share of off-topic questions a desk sees (the evaluation sets hold about a fifth).
OFF_SHARE = 0.25
CHUNK = 256  # queries at a time: their similarity rows to 10,000 examples stay small
CANDIDATES = 5  # answers whose examples the nearest-example features compare
MULTILINGUAL = 512  # the embeddings' first columns: the multilingual encoder (USE v3)


@dataclass
class Neighbours:
    """The knowledge base's in-scope examples, for nearest-example features."""

    vectors: np.ndarray  # unit-length embeddings, one row per example
    multilingual: np.ndarray  # the same, multilingual block only
    lexical: sp.csr_matrix  # unit-length TF-IDF rows, one per example
    labels: np.ndarray  # the example's class index in the classifier
    typical: np.ndarray  # per class index: mean similarity of an example to its nearest sibling

    @classmethod
    def of(cls, vectors: np.ndarray, lexical: sp.csr_matrix, labels: np.ndarray,
           n_classes: int) -> "Neighbours":
        multilingual = unit_rows(vectors[:, :MULTILINGUAL]).astype(np.float32)
        vectors = unit_rows(vectors)
        lexical = unit_sparse_rows(lexical)
        typical = np.full(n_classes, np.nan)
        for label in np.unique(labels):  # class by class: all pairs of 10,000 would be 400 MB
            members = vectors[labels == label]
            if len(members) > 1:
                similarities = members @ members.T
                np.fill_diagonal(similarities, -1.0)
                typical[label] = similarities.max(axis=1).mean()
        fallback = float(np.nanmedian(typical)) if np.isfinite(typical).any() else 0.8
        typical = np.where(np.isfinite(typical), typical, fallback)
        return cls(vectors.astype(np.float32), multilingual, lexical, labels, typical)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def unit_sparse_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sp.diags(1.0 / np.maximum(norms, 1e-12)).astype(np.float32) @ matrix


def features(probabilities: np.ndarray, oos: int | None, neighbours: Neighbours,
             vectors: np.ndarray, lexical: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """(decision features, top in-scope class index) for each query row."""
    lexical = sp.csr_matrix(lexical)
    parts = [_features(probabilities[i:i + CHUNK], oos, neighbours, vectors[i:i + CHUNK],
                       lexical[i:i + CHUNK]) for i in range(0, len(probabilities), CHUNK)]
    return np.vstack([x for x, _ in parts]), np.concatenate([top for _, top in parts])


def _features(probabilities: np.ndarray, oos: int | None, neighbours: Neighbours,
              vectors: np.ndarray, lexical: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    p = np.array(probabilities, dtype=np.float64)
    n = len(p)
    off = p[:, oos].copy() if oos is not None else np.zeros(n)
    if oos is not None:
        p[:, oos] = -1.0
    in_scope = p.shape[1] - (oos is not None)
    order = np.argsort(-p, axis=1)
    rows = np.arange(n)
    top = order[:, 0]
    p1 = np.clip(p[rows, top], 1e-9, 1.0)
    p2 = np.clip(p[rows, order[:, 1]], 1e-9, 1.0) if in_scope > 1 else np.full(n, 1e-9)
    # Similarities to the examples of the top candidates only: the answers a question could be
    # confused with, and a few hundred rows whatever the knowledge base's size (all 10,000
    # examples of a big one cost 12 ms a question).
    candidates = order[:, :min(CANDIDATES, in_scope)]
    columns_ = np.flatnonzero(np.isin(neighbours.labels, np.unique(candidates)))
    labels = neighbours.labels[columns_]
    hidden = ~(labels[None, :, None] == candidates[:, None, :]).any(axis=2)
    vectors = np.asarray(vectors, dtype=np.float32)
    similarities = unit_rows(vectors) @ neighbours.vectors[columns_].T
    # the multilingual block alone: comparable whatever the languages of query and example
    multilingual = unit_rows(vectors[:, :MULTILINGUAL]) @ neighbours.multilingual[columns_].T
    words = (neighbours.lexical[columns_] @ unit_sparse_rows(lexical).T).T.toarray()
    for sims in (similarities, multilingual, words):
        sims[hidden] = -1.0
    same = labels[None, :] == top[:, None]
    columns = [np.log(p1), np.log(p1 / p2), np.log(p1 * in_scope), np.log(np.clip(off, 1e-9, 1))]
    for sims in (similarities, multilingual, words):
        near_top = np.where(same, sims, -1.0).max(axis=1)
        near_other = np.where(same, -1.0, sims).max(axis=1)
        agree = labels[sims.argmax(axis=1)] == top
        columns += [near_top, near_top - near_other, agree.astype(np.float64)]
    near_top = np.where(same, similarities, -1.0).max(axis=1)
    columns.append(near_top - neighbours.typical[top])
    return np.column_stack(columns), top


def top_is_off(x: np.ndarray) -> np.ndarray:
    """Whether the off-topic class has a higher probability than the top answer."""
    return x[:, 3] > x[:, 0]


class Decision:
    """Chances of (right, wrong, out of scope) from decision features."""

    def __init__(self) -> None:
        self.scaler = StandardScaler()
        self.model = LogisticRegression(C=1.0, max_iter=2000)

    def fit(self, x: np.ndarray, outcomes: np.ndarray) -> "Decision":
        weights = np.ones(len(outcomes))
        off = outcomes == OFF
        if off.any() and (~off).any():
            weights[off] = OFF_SHARE / (1 - OFF_SHARE) * (~off).sum() / off.sum()
        self.model.fit(self.scaler.fit_transform(x), outcomes, sample_weight=weights)
        return self

    def chances(self, x: np.ndarray) -> np.ndarray:
        """One row per query: P(right), P(wrong), P(out of scope)."""
        out = np.zeros((len(x), 3))
        out[:, self.model.classes_] = self.model.predict_proba(self.scaler.transform(x))
        return out
