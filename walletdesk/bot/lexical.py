"""A lexical stand-in for the bot while its engine is being built for the first time.

The full engine needs sentence embeddings of every example and a fitted classifier: 10–50 s
for a small knowledge base, minutes for a big one. This matcher is ready in milliseconds: TF-IDF
over character 2–4-grams (any script, no word segmentation; after the same folding as the
engine: NFKC, lower case, Traditional to Simplified Chinese) of the articles' titles and
example questions, and of their bodies at a lower weight. Its threshold is conservative: it
answers only a question that shares most of its wording with one article's title or examples
and clearly less with any other, offers the top articles when it is less sure, and hands off
the rest (nonsense, off-topic) as before. Its turns carry the reason ``lexical_fallback``.
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from walletdesk.bot.engine import MatchResult, screened
from walletdesk.bot.out_of_scope import OUT_OF_SCOPE
from walletdesk.bot.text import normalise

REASON = "lexical_fallback"
OFF_TOPIC = "__out_of_scope__"
ANSWER_AT = 0.6  # cosine of the question to the nearest title or example question
ANSWER_MARGIN = 0.1  # over the second article's score
SUGGEST_AT = 0.4
BODY_WEIGHT = 0.6  # a body is long: its cosine to a short question is lower and less telling
TOP = 5


@dataclass
class LexicalDocument:
    """One article: its titles and example questions (all locales), and its bodies."""

    slug: str
    questions: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


class LexicalMatcher:
    def __init__(self, documents: list[LexicalDocument]) -> None:
        # the generic off-topic questions: one more document, so "how do I cook rice" meets
        # its like, and the weights of everyday words (what, how, the) are learnt from them too
        documents = [*documents, LexicalDocument(OFF_TOPIC, list(OUT_OF_SCOPE))]
        self.slugs = [d.slug for d in documents]
        questions = [(i, normalise(t)) for i, d in enumerate(documents)
                     for t in d.questions if t and t.strip()]
        bodies = [(i, normalise(t)) for i, d in enumerate(documents)
                  for t in d.bodies if t and t.strip()]
        self.question_owner = np.array([i for i, _ in questions], dtype=np.int64)
        self.body_owner = np.array([i for i, _ in bodies], dtype=np.int64)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4),
                                          sublinear_tf=True)
        texts = [t for _, t in questions] + [t for _, t in bodies]
        matrix = self.vectorizer.fit_transform(texts) if texts else None
        self.questions = matrix[:len(questions)] if matrix is not None else None
        self.bodies = matrix[len(questions):] if matrix is not None else None

    def scores(self, normalised: str) -> np.ndarray:
        """Per article: the best cosine of the question to its titles and examples, or to
        its bodies times BODY_WEIGHT."""
        scores = np.zeros(len(self.slugs))
        if self.questions is None:
            return scores
        query = self.vectorizer.transform([normalised])
        for matrix, owner, weight in ((self.questions, self.question_owner, 1.0),
                                      (self.bodies, self.body_owner, BODY_WEIGHT)):
            if matrix is not None and matrix.shape[0]:
                similarities = (matrix @ query.T).toarray().ravel() * weight
                np.maximum.at(scores, owner, similarities)
        return scores

    def match(self, text: str) -> MatchResult:
        language, normalised, early = screened(text)
        if early is not None:
            return early
        scores = self.scores(normalised)
        order = np.argsort(-scores)
        if self.slugs[order[0]] == OFF_TOPIC and scores[order[0]] > 0:
            return MatchResult(language, [], 0.0, "handoff", "out_of_scope")
        candidates = [(self.slugs[i], float(scores[i])) for i in order
                      if scores[i] > 0 and self.slugs[i] != OFF_TOPIC][:TOP]
        top = candidates[0][1] if candidates else 0.0
        second = candidates[1][1] if len(candidates) > 1 else 0.0
        if top >= ANSWER_AT and top - second >= ANSWER_MARGIN:
            return MatchResult(language, candidates, top, "answer", REASON)
        if top >= SUGGEST_AT:
            return MatchResult(language, candidates, top, "suggest", REASON)
        return MatchResult(language, candidates, top, "handoff", "low_confidence")
