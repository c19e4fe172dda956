"""An edited article is answered with its new text at once, before the engine has learnt the
edit (walletdesk.bot.articles); a retired one is never answered; the knowledge-base admin
pages say when the bot is still learning a change (walletdesk.bot.runtime.learning_seconds)."""

import asyncio

import pytest
from sqlalchemy import select

from tests.bot.test_bot_flow import bot_on_demo_articles
from tests.bot.test_small_talk import Scripted, say
from tests.web.conftest import app, sign_in  # noqa: F401 (fixtures of the admin page test)
from walletdesk.accounts.models import Role
from walletdesk.bot.actions import choose_article
from walletdesk.bot.assist import suggest_articles
from walletdesk.bot.engine import MatchResult
from walletdesk.bot.runtime import MIN_LEFT_S, BotRuntime, learning_seconds
from walletdesk.conversations.models import Status
from walletdesk.kb.actions import TranslationIn, save_article, set_article_status
from walletdesk.kb.models import Article, ArticleStatus

NEW_EN = "Transfers now settle within **1 March** at the latest. Check the hash on the explorer."
NEW_ZH = "转账最迟在 **3月1日** 前到账。请在区块浏览器查询交易哈希。"


@pytest.fixture
async def bot(services, make_team):
    await make_team("Support")
    runtime = Scripted("en")
    runtime.asked = []
    async with bot_on_demo_articles(services, runtime, object(), max_failed_answers=3) as ready:
        yield ready


async def edit_body(services, slug: str, **bodies: str) -> Article:  # type: ignore[no-untyped-def]
    """Save ``slug`` with new bodies by locale (zh_Hans= for zh-Hans), as the admin page does."""
    async with services.transaction() as session:
        article = await session.scalar(select(Article).where(Article.slug == slug))
        translations = {t.locale: TranslationIn(t.title, t.body, list(t.examples))
                        for t in article.translations}
        for key, body in bodies.items():
            locale = key.replace("_", "-")
            old = translations[locale]
            translations[locale] = TranslationIn(old.title, body, old.examples)
        saved, changed = await save_article(session, None, slug=slug, category=article.category,
                                            translations=translations)
        assert changed
        return saved


async def test_an_edited_answer_is_live_before_the_engine_learns_it(services, bot):
    await edit_body(services, "transfer-pending", en=NEW_EN, zh_Hans=NEW_ZH)
    # the engine in service still has the old text: no rebuild ran
    assert "1 March" not in bot.article("transfer-pending", "en").body

    _, messages, turns = await say(services, "my USDT hasn't arrived", visitor="en")
    assert turns[-1].outcome == "answered"
    assert "1 March" in messages[-1].text and "explorer" in messages[-1].text
    _, messages, _ = await say(services, "我的USDT还没到账", visitor="zh", language="zh-CN")
    assert "3月1日" in messages[-1].text


async def test_a_picked_article_and_the_agents_suggestions_read_the_current_text(
        services, bot, make_agent):
    conversation, _, turns = await say(services, "my wallet on a new phone", visitor="p")
    await edit_body(services, "import-wallet", en="Tap **Import wallet** in the new app version.")
    await choose_article(services, conversation.id, conversation.customer_id, turns[-1].id,
                         "import-wallet")
    conversation, messages, _ = await say(services, "ok", visitor="p")
    answer = next(m for m in reversed(messages) if (m.meta or {}).get("kind") == "answer")
    assert answer.text == "Tap Import wallet in the new app version."
    boss = await make_agent("Boss", role=Role.admin)
    suggestions = await suggest_articles(services, boss, conversation.id)
    texts = {s["slug"]: s["answer"] for s in suggestions}
    assert texts.get("import-wallet") == "Tap Import wallet in the new app version."


async def test_a_retired_article_is_never_answered(services, bot, make_agent):
    boss = await make_agent("Boss", role=Role.admin)
    async with services.read() as session:
        article = await session.scalar(select(Article).where(Article.slug == "transfer-pending"))
    await set_article_status(services, boss, article.id, "retired")
    assert bot.article("transfer-pending", "en") is not None  # the engine still knows it
    conversation, messages, turns = await say(services, "my USDT hasn't arrived", visitor="r")
    assert turns[-1].outcome == "handed_off" and turns[-1].reason == "low_confidence"
    assert "transfer-pending" not in [c["slug"] for c in turns[-1].candidates]
    assert conversation.status == Status.queued
    assert not any((m.meta or {}).get("kind") == "answer" for m in messages)


async def test_the_admin_pages_say_the_bot_is_learning_a_change(services, bot, make_agent,
                                                                sign_in):  # noqa: F811
    boss = await make_agent("Boss", role=Role.admin)
    admin = (await sign_in(boss.email)).http
    async with services.read() as session:
        assert await learning_seconds(session, bot) is None  # learnt at the fixture's rebuild
    page = await admin.get("/admin/kb")
    assert page.status_code == 200 and 'id="bot-learning"' not in page.text

    edited = await edit_body(services, "transfer-pending", en=NEW_EN)
    async with services.read() as session:
        left = await learning_seconds(session, bot)
    assert left is not None and left >= MIN_LEFT_S
    for url in ("/admin/kb", f"/admin/kb/{edited.id}"):
        page = await admin.get(url)
        assert page.status_code == 200 and 'id="bot-learning"' in page.text

    await bot.rebuild(services, engine=object())  # the new engine is ready
    async with services.read() as session:
        assert await learning_seconds(session, bot) is None
    page = await admin.get(f"/admin/kb/{edited.id}")
    assert 'id="bot-learning"' not in page.text


class Lagging:
    """An engine built before the airdrop article: transfers it answers, the rest is beyond
    it."""

    def __init__(self, slugs: list[str]) -> None:
        self.classes = ["__out_of_scope__", *slugs]

    def match(self, text: str) -> MatchResult:
        if "usdt" in text.lower():
            return MatchResult("en", [("transfer-pending", 0.9), ("network-fees", 0.05)], 0.9,
                               "answer")
        return MatchResult("en", [("fake-support", 0.3), ("staking", 0.2)], 0.05, "handoff",
                           "out_of_scope")


async def test_a_new_article_is_answered_by_the_stand_in_until_the_engine_learns_it(
        services, make_team, monkeypatch):
    await make_team("Support")
    runtime = BotRuntime("en")
    async with bot_on_demo_articles(services, runtime, object()):
        runtime.engine = Lagging(list(runtime.articles))
        async with services.transaction() as session:
            await save_article(session, None, slug="dwt-airdrop", category="general",
                               status=ArticleStatus.published, translations={"en": TranslationIn(
                                   "When is the DWT airdrop?", "The DWT airdrop is on 1 March.",
                                   ["when is the airdrop", "DWT airdrop date"])})
        learning, learnt = asyncio.Event(), asyncio.Event()

        async def load_when_learnt(*_: object) -> Lagging:
            learning.set()  # the stand-in is in place before the build starts
            await learnt.wait()
            return Lagging([*runtime.articles, "dwt-airdrop"])

        monkeypatch.setattr(runtime, "_load_or_build", load_when_learnt)
        rebuilding = asyncio.create_task(runtime.rebuild(services))
        # no clock: the build is reached, or the rebuild ended (failed) without reaching it
        await asyncio.wait({rebuilding, asyncio.create_task(learning.wait())},
                           return_when=asyncio.FIRST_COMPLETED)
        assert learning.is_set(), rebuilding.exception()
        assert runtime.newer is not None and runtime.newer.slugs == {"dwt-airdrop"}

        _, messages, turns = await say(services, "When is the DWT airdrop?", visitor="new")
        assert turns[-1].outcome == "answered" and turns[-1].article_slug == "dwt-airdrop"
        assert messages[-1].text == "The DWT airdrop is on 1 March."
        _, _, turns = await say(services, "my USDT hasn't arrived", visitor="old")
        assert turns[-1].article_slug == "transfer-pending"  # the engine's, as before
        _, _, turns = await say(services, "what's the weather in Paris", visitor="off")
        assert turns[-1].reason == "out_of_scope"

        learnt.set()
        await rebuilding
        assert runtime.newer is None and "dwt-airdrop" in runtime.engine.classes
