"""Help-centre search: the bot's retrieval when it is built, else a plain text match.

Only the results close to the best one are shown (a score at least ``RELEVANT_SHARE`` of the
top score), at most ``MAX_RESULTS``: the bot's retrieval ranks every article, so a question
one article answers listed four unrelated ones under it, as if they were answers too.
"""

from typing import TypeVar

from walletdesk.kb.models import Article
from walletdesk.services import Services

MAX_RESULTS = 5
RELEVANT_SHARE = 0.5  # of the best result's score: below it a result is not shown
T = TypeVar("T")


def close_to_best(ranked: list[tuple[T, float]]) -> list[T]:
    """The items of ``ranked`` (best first) whose score is close to the best one's."""
    if not ranked:
        return []
    floor = ranked[0][1] * RELEVANT_SHARE
    return [item for item, score in ranked[:MAX_RESULTS] if score >= floor]


async def search_articles(services: Services, articles: list[Article], query: str
                          ) -> list[Article]:
    by_slug = {a.slug: a for a in articles}
    runtime = services.bot
    if runtime is not None and runtime.ready:
        result = await runtime.match(query)
        found = [(by_slug[slug], float(score)) for slug, score in result.candidates
                 if slug in by_slug]
        if found:
            return close_to_best(found)
    # the engine is still building (or found nothing): match words in titles and bodies
    words = [w for w in query.lower().split() if w]
    scored = []
    for article in articles:
        haystack = " ".join(f"{t.title} {t.body} {' '.join(t.examples)}"
                            for t in article.translations).lower()
        hits = sum(1 for w in words if w in haystack) or (1 if query.lower() in haystack else 0)
        if hits:
            scored.append((hits, article.slug, article))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return close_to_best([(article, float(hits)) for hits, _, article in scored])
