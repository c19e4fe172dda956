"""The widget in the customer's language, its texts from the catalogs, on a phone screen."""

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import write
from walletdesk import i18n
from walletdesk.accounts.actions import create_team

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


async def test_the_widget_in_traditional_chinese_on_a_phone(browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    await make_agent_in(e2e_services, "Bob", teams=[team], capacity=1)  # offline: a queue
    context = await browser.new_context(locale="zh-TW", **PHONE)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(f"{server.url}/widget")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    # Bob is offline: the header never says "在線" (online) with nobody there
    await expect(page.locator("#conn-state")).to_have_text("客服暫不在線 · 可留言")
    await expect(page.locator(".greeting")).to_have_text("您好！有任何錢包相關的問題都可以問我們。")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "輸入訊息…")
    await expect(page.locator("#send")).to_have_text("傳送")
    await expect(page.locator("#attach")).to_have_attribute(
        "aria-label", i18n.translations("zh-Hant").gettext("Attach a file"))
    await expect(page.locator("#safety")).to_have_text("我們絕不會索取您的助記詞或私鑰。")
    await expect(page.locator(".chat-head strong")).to_have_text("DemoWallet 線上客服")

    await write(page, "我的轉帳卡住了")
    await expect(page.locator(".msg.customer .who").first).to_have_text("我")
    await expect(page.locator("#notice")).to_contain_text("您目前排在第 1 位。")
    await expect(page.locator("#conn-state")).to_have_text("客服暫不在線 · 可留言")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "E2_widget_zh-Hant_375.png"))
    composer = await page.locator("#composer").bounding_box()
    assert composer is not None and composer["x"] + composer["width"] <= 375
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375  # no sideways scrolling on a phone
    await context.close()


async def test_the_widget_follows_the_lang_of_the_page_that_opens_it(browser, server):
    context = await browser.new_context(locale="en-US", **PHONE)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(f"{server.url}/widget?lang=es")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.locator(".greeting")).to_have_text(
        "¡Hola! Pregúntanos lo que quieras sobre tu billetera.")
    await expect(page.locator("#send")).to_have_text("Enviar")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "Escribe un mensaje…")
    await page.screenshot(path=str(SHOTS / "E2_widget_es_375.png"))
    await context.close()
