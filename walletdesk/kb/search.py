"""Help-centre search: the bot's retrieval when it is built, else a plain text match."""

from walletdesk.kb.models import Article
from walletdesk.services import Services

MAX_RESULTS = 10


async def search_articles(services: Services, articles: list[Article], query: str
                          ) -> list[Article]:
    by_slug = {a.slug: a for a in articles}
    runtime = services.bot
    if runtime is not None and runtime.ready:
        result = await runtime.match(query)
        found = [by_slug[slug] for slug, _ in result.candidates if slug in by_slug]
        if found:
            return found[:MAX_RESULTS]
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
    return [article for _, _, article in scored[:MAX_RESULTS]]
