"""The help centre's search shows the results close to the best one, at most five (found in a
walkthrough: it always showed five, four of them unrelated to a question one article
answers). The bot's retrieval on the demo articles (lexical matcher), and the word match
used while no retrieval is ready; both engines."""

import re
from pathlib import Path

import pytest

from walletdesk.bot.runtime import BotRuntime, lexical_matcher
from walletdesk.kb.actions import import_articles
from walletdesk.kb.queries import published_articles
from walletdesk.kb.search import MAX_RESULTS, close_to_best

ARTICLES = Path(__file__).resolve().parents[2] / "walletdesk" / "demo_content" / "articles.jsonl"


@pytest.fixture
async def demo_articles(services):  # type: ignore[no-untyped-def]
    await import_articles(services, ARTICLES.read_text(encoding="utf-8").splitlines())
    yield
    services.bot = None


async def with_retrieval(services) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        articles = await published_articles(session)
    runtime = BotRuntime("en")
    runtime.fallback = lexical_matcher(articles)
    runtime.articles = {a.slug: a for a in articles}
    services.bot = runtime


async def results(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = await client.get("/help", params={"q": query, "lang": "en"})
    assert page.status_code == 200
    shown = page.text.split("<h1>Results</h1>", 1)[1].split('<section class="category">', 1)[0]
    return re.findall(r'href="/help/articles/([^"?]+)\?', shown)


async def test_a_question_one_article_answers_shows_that_article(services, demo_articles,
                                                                 client):
    await with_retrieval(services)
    assert await results(client, "why was my withdrawal rejected") == ["withdrawal-review"]
    assert await results(client, "my transfer is pending") == ["transfer-pending"]
    close = await results(client, "how do I back up my recovery phrase")
    assert close[0] == "backup-wallet" and 1 < len(close) < MAX_RESULTS
    assert "staking" not in close  # ranked fifth, far below the best


async def test_the_word_match_is_cut_the_same_way(services, demo_articles, client):
    # no retrieval: the words in the articles; eight articles hold one of these words
    found = await results(client, "revoke token approvals")
    assert "revoke-approvals" in found and len(found) <= MAX_RESULTS
    assert "wrong-network" not in found  # one word of three ("token")


def test_close_to_best_keeps_the_results_near_the_top_score():
    assert close_to_best([("a", 0.9), ("b", 0.5), ("c", 0.44), ("d", 0.1)]) == ["a", "b"]
    assert close_to_best([(str(i), 1.0) for i in range(8)]) == [str(i) for i in range(5)]
    assert close_to_best([]) == []
