""""Do you mean A or B?" in a real browser (issue 12): on a phone-sized widget the unsure bot
offers two articles as buttons, the customer taps one and reads its answer in the chat, then
says it solved it; the pick stays marked after a reload."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect
from sqlalchemy import select

from tests.bot.test_bot_flow import DEMO_ARTICLES
from tests.bot.test_choices import Unsure
from tests.conftest import serving
from tests.e2e.test_chat_in_browser import open_widget, write
from walletdesk.bot.actions import CHOSEN
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Conversation, Status
from walletdesk.kb.actions import import_articles
from walletdesk.web.app import create_app

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


async def unsure_bot(services: Any) -> None:
    """The demo articles and a bot that is always unsure between two of them (the engine's
    own decisions are measured by `walletdesk bot eval`)."""
    while services.bot is None or services.bot.built_at is None:  # the app's own runtime,
        await asyncio.sleep(0.05)  # its first load done (no articles yet: nothing to build)

    async def keep(*_: Any) -> None:  # no engine build for the articles below
        return None

    services.bot.rebuild = keep
    await import_articles(services, DEMO_ARTICLES.read_text(encoding="utf-8").splitlines())
    runtime = Unsure("en")
    await runtime.rebuild(services, engine=object())  # type: ignore[arg-type]
    services.bot = runtime


@asynccontextmanager
async def asked_with_choices(browser: Any, services: Any,
                             text: str) -> AsyncIterator[tuple[Page, Locator, Locator]]:
    """A phone-sized widget that wrote ``text`` to the unsure bot: (the widget, the bot's
    question, its article buttons)."""
    async with serving(create_app(services.settings, services)) as server:
        await unsure_bot(services)
        widget = await open_widget(browser, server.url, **PHONE)
        await write(widget, text)
        question = widget.locator(".msg.bot", has=widget.locator(".bot-choices"))
        yield widget, question, question.locator(".bot-choice .choice")


async def test_the_customer_picks_an_article_and_reads_its_answer(browser, e2e_services,
                                                                  artifacts):
    services = e2e_services
    async with asked_with_choices(browser, services, "my wallet on a new phone?") as (
            widget, question, choices):
        await expect(question.locator(".body")).to_have_text(
            "Do you mean “How do I back up my wallet?” or “How do I restore my wallet on a "
            "new phone?”?", timeout=20_000)
        await expect(choices).to_have_text(["How do I back up my wallet?",
                                            "How do I restore my wallet on a new phone?"])
        opens = question.locator(".choice-open")  # the help-centre page is one tap away
        await expect(opens.first).to_have_attribute("href", "/help/articles/backup-wallet?lang=en")
        await expect(opens.first).to_have_attribute("target", "_blank")
        await expect(question.locator(".bot-actions button")).to_have_text(
            ["None of these", "Talk to a person"])
        # nothing wider than the phone: the titles wrap, the buttons stay on screen
        widths = await question.evaluate(
            "el => [...el.querySelectorAll('button, a')].map(b => b.getBoundingClientRect().right)")
        assert max(widths) <= 375
        await widget.screenshot(path=str(artifacts / "bot-choice-375.png"))

        await choices.nth(1).click()
        answer = widget.locator(".msg.bot", has_text="Restoring needs the recovery phrase")
        await expect(answer).to_be_visible(timeout=20_000)
        await expect(answer.locator(".bot-link a")).to_have_attribute(
            "href", "/help/articles/import-wallet?lang=en")
        await expect(choices.nth(1)).to_have_class("choice chosen")
        await expect(choices.nth(0)).to_be_disabled()
        await expect(question.locator(".bot-actions button").first).to_be_disabled()
        await widget.screenshot(path=str(artifacts / "bot-choice-answered-375.png"))

        async with services.read() as session:
            turn = await session.scalar(select(BotTurn).order_by(BotTurn.id.desc()).limit(1))
        assert turn.outcome == CHOSEN and turn.article_slug == "import-wallet"

        await answer.locator(".bot-actions button", has_text="That solved it").click()
        await expect(widget.locator(".msg.bot", has_text="Glad that helped")).to_be_visible()
        async with services.read() as session:
            conversation = await session.get(Conversation, turn.conversation_id)
            turn = await session.get(BotTurn, turn.id)
        assert conversation.status == Status.resolved and turn.helpful is True

        await widget.reload()  # the pick is drawn again from the answer's meta
        again = widget.locator(".bot-choices .choice")
        await expect(again.nth(1)).to_have_class("choice chosen")
        await expect(again.nth(0)).to_be_disabled()


async def test_a_chinese_customer_gets_chinese_titles_and_answer(browser, e2e_services,
                                                                artifacts):
    async with asked_with_choices(browser, e2e_services, "换手机以后我的钱包怎么办") as (
            widget, question, choices):
        await expect(choices).to_have_text(["如何备份钱包？", "换手机后如何恢复钱包？"],
                                           timeout=20_000)
        await expect(question.locator(".body")).to_contain_text("换手机后如何恢复钱包？")
        await expect(question.locator(".choice-open").nth(1)).to_have_attribute(
            "href", "/help/articles/import-wallet?lang=zh-Hans")
        await choices.nth(1).click()
        answer = widget.locator(".msg.bot", has=widget.locator(".bot-link"))
        await expect(answer.locator(".body")).to_contain_text("助记词", timeout=20_000)
        await widget.screenshot(path=str(artifacts / "bot-choice-zh-375.png"))
