"""The public help centre pages."""

import httpx
import pytest
from sqlalchemy import select

from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleFeedback, ArticleStatus
from walletdesk.web.app import create_app


@pytest.fixture
async def client(services):
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
        yield c


async def add(services, slug, status=ArticleStatus.published, **translations):
    async with services.transaction() as session:
        article, _ = await save_article(session, None, slug=slug, category="security",
                                        translations=translations, status=status)
        return article


async def test_home_lists_published_articles_by_category(services, client):
    await add(services, "seed-safety", en=TranslationIn("Keep your recovery phrase offline", "x"))
    await add(services, "draft-one", ArticleStatus.draft, en=TranslationIn("Secret draft", "x"))
    page = await client.get("/help?lang=en")
    assert page.status_code == 200
    assert "Keep your recovery phrase offline" in page.text
    assert "Secret draft" not in page.text
    assert (await client.get("/help/articles/draft-one")).status_code == 404
    assert (await client.get("/help/articles/no-such-article")).status_code == 404


async def test_search_finds_by_words_and_language_follows_the_reader(services, client):
    await add(services, "fees", **{"zh-Hans": TranslationIn("矿工费是什么？", "转账需要支付矿工费。"),
                                   "en": TranslationIn("What is the network fee?", "A fee.")})
    found = await client.get("/help", params={"q": "network fee", "lang": "en"})
    assert 'href="/help/articles/fees?lang=en"' in found.text
    none = await client.get("/help", params={"q": "zzzz-nothing", "lang": "en"})
    assert "Nothing found" in none.text
    hant = await client.get("/help/articles/fees", headers={"accept-language": "zh-TW,zh;q=0.9"})
    assert "礦工費是什麼？" in hant.text and "自動轉換" in hant.text


async def test_article_html_is_sanitised(services, client):
    await add(services, "xss", en=TranslationIn("<b>Title</b>", '<script>alert(1)</script>\n\n'
                                               '<img src=x onerror=alert(2)> **fine**'))
    page = await client.get("/help/articles/xss?lang=en")
    assert "<script>alert(1)" not in page.text and "<img" not in page.text
    assert "&lt;b&gt;Title&lt;/b&gt;" in page.text and "<strong>fine</strong>" in page.text


async def test_feedback_is_recorded_and_cross_site_posts_refused(services, client):
    article = await add(services, "helpful", en=TranslationIn("Helpful?", "Yes"))
    response = await client.post("/help/articles/helpful/feedback",
                                 data={"helpful": "true", "lang": "en"})
    assert response.status_code == 303 and "thanks=1" in response.headers["location"]
    evil = await client.post("/help/articles/helpful/feedback", data={"helpful": "false"},
                             headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    missing = await client.post("/help/articles/nope/feedback", data={"helpful": "true"})
    assert missing.status_code == 404
    async with services.read() as session:
        rows = (await session.scalars(select(ArticleFeedback))).all()
    assert [(r.article_id, r.helpful) for r in rows] == [(article.id, True)]
